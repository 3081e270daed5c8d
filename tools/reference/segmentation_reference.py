#!/usr/bin/python3
"""Fixtures and reference values for @duncan-mri/metrics' segmentTissues, brainMask and dice.

Writes
  packages/metrics/test/fixtures/segmentation/   Colin27 at 2 mm (ch2, ch2bet, the ch2bet mask),
                                                 the scipy brain mask, the numpy HMRF labels,
                                                 colin27-2mm.json (shape, affine, files) and README.md
  packages/metrics/test/reference/segmentation.json   reference values with provenance

Independent implementations (numpy/scipy/scikit-image, not our TypeScript):
  * brain mask: the algorithm documented in packages/metrics/src/brain-mask.ts written with
    skimage.filters.threshold_otsu, scipy.ndimage.distance_transform_edt, ndimage.label and
    ndimage.binary_fill_holes;
  * a Gaussian mixture fitted by EM (beta = 0) and the mean-field HMRF-EM of segmentTissues
    (beta = 0.3), both in numpy on the Colin27 2 mm T1 inside the ch2bet mask.

Run (Debian bookworm's interpreter and packages; data from tools/reference/fetch-data.sh):
  bash tools/reference/fetch-data.sh && /usr/bin/python3 tools/reference/segmentation_reference.py
Python never runs in CI; the tests read only the files written here.
"""

import datetime
import gzip
import hashlib
import json
import pathlib
import sys

import nibabel as nib
import numpy as np
import scipy
import skimage
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "data-cache/x/mricron-data/usr/share/mricron/templates"
FIXDIR = ROOT / "packages/metrics/test/fixtures/segmentation"
REFFILE = ROOT / "packages/metrics/test/reference/segmentation.json"
SHA256 = {
    "ch2.nii.gz": "a009051127f64dc3dd554d5f5b589870ea72106d9642c21b4e7093e478cfc309",
    "ch2bet.nii.gz": "592a2d20abdf36eefcb540ca8958428040edffc1bc1a18ba1dcfbabac77c5dd1",
}
DEB = "mricron-data 1.2.20211006+dfsg-4 (Debian bookworm, mricron-data_1.2.20211006+dfsg-4_all.deb)"


def load(name):
    path = TEMPLATES / name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SHA256[name]:
        sys.exit(f"{path}: sha256 {digest} is not the expected {SHA256[name]}")
    img = nib.load(str(path))
    return np.asanyarray(img.dataobj).astype(np.float64), img.affine


def downsample2(x):
    """2x2x2 block means of x zero-padded to even sizes: (181, 217, 181) -> (91, 109, 91)."""
    shape = tuple(s + (s % 2) for s in x.shape)
    padded = np.zeros(shape)
    padded[: x.shape[0], : x.shape[1], : x.shape[2]] = x
    a, b, c = (s // 2 for s in shape)
    return padded.reshape(a, 2, b, 2, c, 2).mean(axis=(1, 3, 5))


def to_bytes_u8(x):
    """nibabel [x, y, z] -> x-fastest bytes (numpy (z, y, x) C order)."""
    assert x.min() >= 0 and x.max() <= 255
    return np.ascontiguousarray(x.transpose(2, 1, 0)).astype(np.uint8).tobytes()


def write_gz(name, payload):
    data = gzip.compress(payload, compresslevel=9, mtime=0)
    (FIXDIR / name).write_bytes(data)
    return len(data)


def dice(a, b):
    return float(2 * np.logical_and(a, b).sum() / (a.sum() + b.sum()))


def erode(mask, spacing, radius_mm):
    """Erosion by a ball of radius_mm, with background beyond the grid (as binary_erosion's border_value=0)."""
    padded = np.pad(mask, [(1, 1) if n > 1 else (0, 0) for n in mask.shape], constant_values=False)
    d = ndi.distance_transform_edt(padded, sampling=spacing) > radius_mm
    return d[tuple(slice(1, -1) if n > 1 else slice(None) for n in mask.shape)]


def brain_mask(x, spacing, erosion_mm=5.0, closing_mm=5.0):
    """The brainMask algorithm of packages/metrics/src/brain-mask.ts, in scipy/scikit-image."""
    # float64 input: np.histogram over [min, max] and bin centres; brainMask uses the bin's
    # upper edge (centre + half a bin) so that the whole lower class lies at or below it.
    t = threshold_otsu(x, nbins=256) + (x.max() - x.min()) / 512
    fg = x > t
    eroded = erode(fg, spacing, erosion_mm)
    lab, n = ndi.label(eroded)  # 6-connectivity
    if n == 0:
        lab, n = ndi.label(fg)
        sizes = np.bincount(lab.ravel())
        sizes[0] = 0
        brain = lab == sizes.argmax()
    else:
        sizes = np.bincount(lab.ravel())
        sizes[0] = 0
        brain = lab == sizes.argmax()
        brain = (ndi.distance_transform_edt(~brain, sampling=spacing) <= erosion_mm) & fg
    dilated = ndi.distance_transform_edt(~brain, sampling=spacing) <= closing_mm
    closed = erode(dilated, spacing, closing_mm)
    return ndi.binary_fill_holes(brain | closed), float(t)


def kmeans_init(y, k):
    """1-D Lloyd K-means from the quantiles (j + 0.5) / k of the sorted data."""
    s = np.sort(y)
    c = s[np.minimum(len(s) - 1, np.floor((np.arange(k) + 0.5) / k * len(s)).astype(int))]
    for _ in range(100):
        a = np.argmin(np.abs(y[:, None] - c[None, :]), axis=1)
        new = np.array([y[a == j].mean() if np.any(a == j) else c[j] for j in range(k)])
        if np.array_equal(new, c):
            break
        c = new
    a = np.argmin(np.abs(y[:, None] - c[None, :]), axis=1)
    means = np.array([y[a == j].mean() for j in range(k)])
    stds = np.array([y[a == j].std() for j in range(k)])
    weights = np.array([np.mean(a == j) for j in range(k)])
    return means, stds, weights


def hmrf_em(x, mask, k, beta, spacing, iterations, tol):
    """Mean-field HMRF-EM as documented in segment-tissues.ts (synchronous, 6-neighbourhood).

    As in FAST, the class prior is the Potts field alone (no global mixing weights): with beta = 0
    this is a Gaussian mixture with equal weights. `weights` are only reported (mean posterior).
    """
    y = x[mask]
    rng = y.max() - y.min()
    floor = 1e-3 * rng
    means, stds, weights = kmeans_init(y, k)
    stds = np.maximum(stds, floor)
    w = [min(spacing) / s for s in spacing]
    q = np.zeros((k,) + x.shape)
    it = 0
    converged = False
    for it in range(1, iterations + 1):
        logp = np.empty((k, y.size))
        for j in range(k):
            field = 0.0
            if beta > 0 and it > 1:
                f = np.zeros(x.shape)
                for axis in range(3):
                    qa = q[j]
                    f_ax = np.zeros(x.shape)
                    sl_lo = [slice(None)] * 3
                    sl_hi = [slice(None)] * 3
                    sl_lo[axis] = slice(0, -1)
                    sl_hi[axis] = slice(1, None)
                    f_ax[tuple(sl_lo)] += qa[tuple(sl_hi)]
                    f_ax[tuple(sl_hi)] += qa[tuple(sl_lo)]
                    f += w[axis] * f_ax
                field = beta * f[mask]
            d = (y - means[j]) / stds[j]
            logp[j] = -np.log(stds[j]) - 0.5 * d * d + field  # no mixing weights (FAST)
        logp -= logp.max(axis=0)
        p = np.exp(logp)
        p /= p.sum(axis=0)
        q = np.zeros((k,) + x.shape)
        for j in range(k):
            q[j][mask] = p[j]
        mass = p.sum(axis=1)
        new_means = (p * y).sum(axis=1) / mass
        new_stds = np.maximum(np.sqrt(np.maximum((p * y * y).sum(axis=1) / mass - new_means**2, 0)), floor)
        change = max(np.abs(new_means - means).max(), np.abs(new_stds - stds).max())
        means, stds, weights = new_means, new_stds, mass / y.size
        if change <= tol * rng and it > 1:
            converged = True
            break
    order = np.argsort(means)
    labels = np.zeros(x.shape, dtype=np.uint8)
    labels[mask] = (np.argsort(order)[np.argmax(q[:, mask], axis=0)] + 1).astype(np.uint8)
    return {
        "means": means[order].tolist(),
        "stds": stds[order].tolist(),
        "proportions": (weights[order] / weights.sum()).tolist(),
        "iterations": it,
        "converged": converged,
    }, labels


def main():
    FIXDIR.mkdir(parents=True, exist_ok=True)
    ch2, affine = load("ch2.nii.gz")
    bet, affine_bet = load("ch2bet.nii.gz")
    assert np.allclose(affine, affine_bet)
    t1 = np.round(downsample2(ch2))
    bet2 = np.round(downsample2(bet))
    truth = downsample2((bet > 0).astype(np.float64)) >= 0.5
    # voxel (i, j, k) of the 2 mm grid is the mean of 1 mm voxels 2i, 2i+1 (centre 2i + 0.5).
    affine2 = affine @ np.array([[2, 0, 0, 0.5], [0, 2, 0, 0.5], [0, 0, 2, 0.5], [0, 0, 0, 1]])
    spacing = (2.0, 2.0, 2.0)
    shape = list(t1.shape)

    files = {
        "ch2": ("ch2-2mm.u8.gz", t1, "round(2x2x2 block mean of ch2.nii.gz zero-padded to 182x218x182), uint8"),
        "ch2bet": ("ch2bet-2mm.u8.gz", bet2, "round(2x2x2 block mean of ch2bet.nii.gz, same padding), uint8"),
        "ch2betMask": (
            "ch2bet-2mm-mask.u8.gz",
            truth.astype(np.uint8),
            "2x2x2 block mean of (ch2bet.nii.gz > 0) >= 0.5, 0/1",
        ),
    }
    mask_scipy, otsu = brain_mask(t1, spacing)
    mask_scipy_bet, otsu_bet = brain_mask(bet2, spacing)
    files["ch2BrainMaskScipy"] = (
        "ch2-2mm-brainmask-scipy.u8.gz",
        mask_scipy.astype(np.uint8),
        f"brain_mask(ch2-2mm) in scipy {scipy.__version__} / scikit-image {skimage.__version__} "
        f"(this script; Otsu threshold {otsu!r}), 0/1",
    )
    gmm, _ = hmrf_em(t1, truth, 3, 0.0, spacing, 5000, 1e-10)
    hmrf, hmrf_labels = hmrf_em(t1, truth, 3, 0.3, spacing, 5000, 1e-10)
    files["ch2HmrfLabels"] = (
        "ch2-2mm-hmrf-labels.u8.gz",
        hmrf_labels,
        "numpy mean-field HMRF-EM labels (beta 0.3, 3 classes) of ch2-2mm inside ch2bet-2mm-mask, 0..3",
    )

    header = {"shape": shape, "affine": [float(v) for v in affine2.ravel()], "files": {}}
    rows = []
    for key, (name, arr, how) in files.items():
        size = write_gz(name, to_bytes_u8(arr))
        header["files"][key] = name
        rows.append((name, size, how))
    # Laid out as Biome formats it (the repository lints every JSON outside test/reference/).
    files_json = ",\n".join(f'    "{k}": "{v}"' for k, v in header["files"].items())
    (FIXDIR / "colin27-2mm.json").write_text(
        "{\n"
        f'  "shape": {json.dumps(header["shape"])},\n'
        f'  "affine": {json.dumps(header["affine"])},\n'
        f'  "files": {{\n{files_json}\n  }}\n'
        "}\n"
    )

    versions = (
        f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-image {skimage.__version__}, nibabel {nib.__version__}"
    )
    reference = {
        "provenance": {
            "script": "tools/reference/segmentation_reference.py",
            "command": "bash tools/reference/fetch-data.sh && /usr/bin/python3 tools/reference/segmentation_reference.py",
            "versions": versions,
            "date": datetime.date.today().isoformat(),
            "source": DEB,
            "notes": "Colin27 at 2 mm (fixtures/segmentation/colin27-2mm.json). Segmentations run on ch2-2mm "
            "inside ch2bet-2mm-mask with 3 classes, initialised by 1-D K-means from quantiles on all masked "
            "voxels (segmentTissues uses a 65536-voxel seeded sample, so the runs start from slightly "
            "different points and meet at the same fixed point within the tolerances).",
        },
        "brainMask": {
            "tool": f"scipy {scipy.__version__} ndimage + scikit-image {skimage.__version__} threshold_otsu",
            "call": "brain_mask(ch2-2mm, spacing=(2, 2, 2), erosion_mm=5, closing_mm=5) in this script (threshold: skimage threshold_otsu(nbins=256) + half a bin)",
            "otsuThreshold": otsu,
            "otsuThresholdCh2bet": otsu_bet,
            "voxels": int(mask_scipy.sum()),
            "diceVsCh2bet": dice(mask_scipy, truth),
            "diceCh2betVsCh2bet": dice(mask_scipy_bet, truth),
            "file": files["ch2BrainMaskScipy"][0],
            "minDice": 0.99,
        },
        "gmm": {
            "tool": f"numpy {np.__version__}",
            "call": "hmrf_em(ch2-2mm, ch2bet-2mm-mask, k=3, beta=0, tol=1e-10) in this script (a Gaussian mixture with equal weights, by EM)",
            **gmm,
            "rtol": 1e-3,
        },
        "hmrf": {
            "tool": f"numpy {np.__version__}",
            "call": "hmrf_em(ch2-2mm, ch2bet-2mm-mask, k=3, beta=0.3, tol=1e-10) in this script (mean-field, 6 neighbours)",
            **hmrf,
            "file": files["ch2HmrfLabels"][0],
            "rtol": 1e-2,
            "minDice": 0.99,
        },
    }
    REFFILE.write_text(json.dumps(reference, indent=2) + "\n")
    write_readme(rows, versions, header)
    for name, size, _ in rows:
        print(f"{name}: {size} bytes")
    print(json.dumps({k: v for k, v in reference.items() if k != "provenance"}, indent=2))


def write_readme(rows, versions, header):
    copyright_file = ROOT / "data-cache/x/mricron-data/usr/share/doc/mricron-data/copyright"
    assert "Files: *\nCopyright: Copyright 2006-2010, Chris Rorden\nLicense: BSD-3-clause" in copyright_file.read_text()
    table = "\n".join(f"| `{name}` | {size} | {how} |" for name, size, how in rows)
    text = f"""# Segmentation fixtures for `@duncan-mri/metrics`

Generated by `tools/reference/segmentation_reference.py` (do not edit by hand; this README is generated too):

```sh
bash tools/reference/fetch-data.sh && /usr/bin/python3 tools/reference/segmentation_reference.py
```

Made with {versions}. Reference values and their provenance: `../../reference/segmentation.json`.

## Origin and licence

Colin27 (the MNI single-subject T1 average, Holmes et al., J Comput Assist Tomogr 22:324-333, 1998)
as shipped by Debian: `{DEB}`, files `/usr/share/mricron/templates/ch2.nii.gz`
(sha256 `{SHA256['ch2.nii.gz']}`) and its brain-extracted twin `ch2bet.nii.gz`
(sha256 `{SHA256['ch2bet.nii.gz']}`), 181x217x181 uint8 at 1 mm.
Licence: BSD-3-clause, per the Debian copyright file `/usr/share/doc/mricron-data/copyright`
(stanza `Files: *`, Copyright 2006-2010 Chris Rorden).

## Format

* `*.u8.gz`: gzip of raw uint8, x fastest (`i = x + nx*(y + ny*z)`; numpy: the nibabel `[x, y, z]`
  array transposed to `(z, y, x)`, C order).
* `colin27-2mm.json`: `shape` `[nx, ny, nz]` = {header['shape']}, `affine` (voxel -> RAS+ mm, 4x4 row-major:
  the 1 mm sform times a 2x scaling with a half-voxel shift, since 2 mm voxel `i` averages 1 mm voxels
  `2i` and `2i+1`), and `files`.
* The 1 mm grids are zero-padded to 182x218x182 and averaged over 2x2x2 blocks (91x109x91).

| file | bytes | how it was made |
|---|---|---|
{table}
"""
    (FIXDIR / "README.md").write_text(text)


if __name__ == "__main__":
    main()
