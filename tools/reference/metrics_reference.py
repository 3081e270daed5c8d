#!/usr/bin/python3
"""Golden reference values for @duncan-mri/metrics.

Run (Debian's interpreter, NOT a python3 found elsewhere on PATH):

    bash tools/reference/fetch-data.sh
    /usr/bin/python3 tools/reference/metrics_reference.py

Writes
  packages/metrics/test/fixtures/*.f32.gz, *.u8.gz, README.md
  packages/metrics/test/reference/metrics.json, README.md

Fixture format: raw little-endian float32 (masks: uint8 0/1), x fastest
(i = x + nx*(y + ny*z)), i.e. numpy arrays of shape (ny, nx) / (nz, ny, nx)
in C order, gzip-compressed (level 9, mtime 0, no file name in the header so
that the output is byte-identical on every run).

Every metric is computed from the float32 values read back from the fixture
files, promoted to float64.  Python never runs in CI; CI only reads the files.
"""

import datetime
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
import scipy.ndimage as ndi
import nibabel
import skimage
from skimage.metrics import structural_similarity, peak_signal_noise_ratio

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
from msssim import msssim, msssim_2d, TooSmall, scale_shapes  # noqa: E402
from vifp import vifp  # noqa: E402
from uqi import uqi, uqi_masked  # noqa: E402

ROOT = HERE.parents[1]
CACHE = ROOT / "data-cache"
FIXDIR = ROOT / "packages" / "metrics" / "test" / "fixtures"
REFDIR = ROOT / "packages" / "metrics" / "test" / "reference"

GENERATOR = "tools/reference/metrics_reference.py"

SOURCES = {
    "ch2": {
        "pkg": "mricron-data",
        "path": "usr/share/mricron/templates/ch2.nii.gz",
        "what": "Colin27 single-subject T1 template ('ch2'), 181x217x181 uint8, 1 mm isotropic",
        "copyright": "/usr/share/doc/mricron-data/copyright",
        "licence": "BSD-3-clause (Debian copyright file, stanza 'Files: *', Copyright 2006-2010 Chris Rorden)",
    },
    "ch2bet": {
        "pkg": "mricron-data",
        "path": "usr/share/mricron/templates/ch2bet.nii.gz",
        "what": "brain-extracted Colin27 ('ch2bet'), same 181x217x181 grid; '> 0' is used as the brain mask",
        "copyright": "/usr/share/doc/mricron-data/copyright",
        "licence": "BSD-3-clause (Debian copyright file, stanza 'Files: *', Copyright 2006-2010 Chris Rorden)",
    },
    "kmeans": {
        "pkg": "insighttoolkit5-examples",
        "path": "usr/share/doc/insighttoolkit5-examples/examples/Data/KmeansTest_T1UCharRaw.nii.gz",
        "what": "a different human T1 (ITK example data), 128x128x62 int16 (values 0..255), 2x2x3 mm",
        "copyright": "/usr/share/doc/insighttoolkit5-examples/copyright",
        "licence": "Apache-2.0 (Debian copyright file, stanza 'Files: *', Copyright 1999-2019 Insight Software "
                   "Consortium, 2020 NumFOCUS; full text /usr/share/common-licenses/Apache-2.0)",
    },
}

# Tolerances: a TypeScript value a passes when |a - e| <= atol + rtol * |e|.
TOL = {
    "ssim": (1e-6, 1e-12),
    "ssimMasked": (1e-6, 1e-12),
    "ssimSlicewise": (1e-6, 1e-12),
    "msssim": (1e-5, 1e-12),
    "vif": (1e-5, 1e-12),
    "uqi": (1e-6, 1e-12),
    "uqiMasked": (1e-6, 1e-12),
    "psnr": (1e-6, 0.0),
    "psnrMasked": (1e-6, 0.0),
}
MAP_ATOL = 1e-6
SHIFT_3D = (12, -32)  # (dy, dz) of the 3-D crop box relative to the brain centroid


# ----------------------------------------------------------------------------
# helpers

VIF_MIN_SIDE = 41  # smallest side with a window position at all four VIF scales


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def deb_version(pkg):
    debs = sorted(CACHE.glob(f"{pkg}_*.deb"))
    if not debs:
        raise SystemExit(f"missing {pkg} .deb in {CACHE}: run bash tools/reference/fetch-data.sh")
    deb = debs[-1]
    ver = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], check=True,
                         capture_output=True, text=True).stdout.strip()
    return ver, deb.name


def installed_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "unknown"


def load_source(key):
    src = SOURCES[key]
    p = CACHE / "x" / src["pkg"] / src["path"]
    if not p.exists():
        raise SystemExit(f"missing {p}: run bash tools/reference/fetch-data.sh")
    img = nibabel.load(str(p))
    # raw stored values (scl_slope is NaN/0 in these headers, i.e. no scaling)
    data = np.asanyarray(img.dataobj)
    src["sha256"] = sha256(p)
    src["version"], src["deb"] = deb_version(src["pkg"])
    src["shape"] = list(data.shape)
    src["dtype"] = str(data.dtype)
    return data


def q64(x):
    """Quantise to multiples of 1/64 (float32-exact for |x| < 2^18)."""
    return np.round(np.asarray(x, dtype=np.float64) * 64.0) / 64.0


def gz_bytes(raw):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as g:
        g.write(raw)
    return buf.getvalue()


def write_f32(name, arr):
    arr = np.asarray(arr)
    a32 = arr.astype("<f4")
    if not np.array_equal(a32.astype(np.float64), arr.astype(np.float64)):
        raise AssertionError(f"{name}: values are not exactly representable in float32")
    (FIXDIR / f"{name}.f32.gz").write_bytes(gz_bytes(np.ascontiguousarray(a32).tobytes()))


def write_map_f32(path, arr):
    a32 = np.ascontiguousarray(np.asarray(arr, dtype=np.float64).astype("<f4"))
    path.write_bytes(gz_bytes(a32.tobytes()))


def write_u8(name, arr):
    a = np.asarray(arr)
    assert set(np.unique(a).tolist()) <= {0, 1}
    (FIXDIR / f"{name}.u8.gz").write_bytes(gz_bytes(np.ascontiguousarray(a.astype(np.uint8)).tobytes()))


def read_f32(name, shape_np):
    raw = gzip.decompress((FIXDIR / f"{name}.f32.gz").read_bytes())
    a = np.frombuffer(raw, dtype="<f4").reshape(shape_np)
    # every reference computation starts from the float32 values
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def read_u8(name, shape_np):
    raw = gzip.decompress((FIXDIR / f"{name}.u8.gz").read_bytes())
    return np.frombuffer(raw, dtype=np.uint8).reshape(shape_np).astype(bool)


def shape_xyz(shape_np):
    return [int(s) for s in reversed(shape_np)]


def write_and_read_back(fixtures, kind, write, read):
    """Writes each (array, origin) of `fixtures` as fixtures/<name>.<kind>.gz and reads it back.

    Returns the arrays read back and their entries in metrics.json.
    """
    loaded = {}
    described = {}
    for name in sorted(fixtures):
        arr, origin = fixtures[name]
        write(name, arr)
        loaded[name] = read(name, arr.shape)
        assert np.array_equal(loaded[name], arr)
        described[name] = {"file": f"fixtures/{name}.{kind}.gz", "shape": shape_xyz(arr.shape), "origin": origin}
    return loaded, described


def compact_number_arrays(text):
    """Put arrays of plain numbers (shapes) on one line: [64, 72, 48]."""
    pat = re.compile(r"\[\n\s*(-?[0-9.eE+-]+(?:,\n\s*-?[0-9.eE+-]+)*)\n\s*\]")
    return pat.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)


def jnum(v):
    v = float(v)
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


# ----------------------------------------------------------------------------
# 1. build the fixture images

def build_images():
    ch2 = load_source("ch2")
    bet = load_source("ch2bet")
    km = load_source("kmeans")
    assert ch2.shape == (181, 217, 181) and ch2.dtype == np.uint8
    assert bet.shape == ch2.shape
    assert km.shape == (128, 128, 62)

    images = {}  # name -> (array float64 in numpy order, origin)
    masks = {}

    def add(name, arr, origin):
        assert name not in images
        images[name] = (np.asarray(arr, dtype=np.float64), origin)

    def add_noise_s8(base, seed):
        """`base` + Gaussian noise of sigma 8 drawn with numpy's generator `seed`, as `base`-noise-s8."""
        arr = images[base][0]
        axes = "(ny, nx)" if arr.ndim == 2 else "(nz, ny, nx)"
        add(f"{base}-noise-s8", q64(arr + np.random.default_rng(seed).normal(0.0, 8.0, arr.shape)),
            f"{base} + Gaussian noise sigma 8 (numpy.random.default_rng({seed}).normal(0, 8, {axes})), "
            "quantised round(x*64)/64, not clipped")

    # ---- Colin27 axial slice z = 94 (nibabel array order [x, y, z]) ----
    z = 94
    full = ch2[:, :, z].T.astype(np.float64)          # (ny=217, nx=181)
    full_mask = (bet[:, :, z].T > 0)
    ny, nx = 208, 176
    y0 = (full.shape[0] - ny) // 2                    # 4
    x0 = (full.shape[1] - nx) // 2                    # 2
    sl = full[y0:y0 + ny, x0:x0 + nx]
    msk = full_mask[y0:y0 + ny, x0:x0 + nx]
    crop_desc = (f"ch2.nii.gz data[:, :, {z}].T (nibabel [x,y,z] order -> (ny, nx)), "
                 f"cropped to y {y0}..{y0 + ny - 1}, x {x0}..{x0 + nx - 1} (nx={nx}, ny={ny})")
    add("ch2-z94", sl, crop_desc)
    masks["ch2-z94-brain"] = (msk, "ch2bet.nii.gz data[:, :, 94].T > 0, same crop as ch2-z94")

    add_noise_s8("ch2-z94", 94008)
    add("ch2-z94-blur-s1.2", q64(ndi.gaussian_filter(sl, 1.2)),
        "scipy.ndimage.gaussian_filter(ch2-z94, sigma=1.2) (mode 'reflect', truncate 4.0), quantised round(x*64)/64")
    shift = ny // 4
    add("ch2-z94-ghost-q25", q64(sl + 0.25 * np.roll(sl, shift, axis=0)),
        f"ch2-z94 + 0.25 * np.roll(ch2-z94, {shift}, axis=0) (ghost displaced by ny/4 = {shift} along y), "
        "quantised round(x*64)/64 (no-op)")
    add("ch2-z94-shift-x1", np.roll(sl, 1, axis=1),
        "np.roll(ch2-z94, 1, axis=1) (circular shift by +1 pixel along x)")

    # ---- odd size: the full uncropped slice ----
    add("ch2-z94-full", full, f"ch2.nii.gz data[:, :, {z}].T, uncropped (nx=181, ny=217)")
    add_noise_s8("ch2-z94-full", 94108)

    # ---- a different subject: ITK KmeansTest T1, slice z = 31 ----
    ks = km[:, :, 31].T.astype(np.float64)
    add("kmeans-z31", ks, "KmeansTest_T1UCharRaw.nii.gz data[:, :, 31].T (nibabel array order -> (ny, nx)), 128x128")
    add_noise_s8("kmeans-z31", 31008)

    # ---- 3-D Colin27 crop around the brain centroid ----
    c = [int(round(float(np.mean(ix)))) for ix in np.nonzero(bet > 0)]   # (x, y, z) centroid of ch2bet > 0
    nx3, ny3, nz3 = 64, 72, 48
    # Centred on the centroid in x; moved by SHIFT_3D = (dy, dz) voxels in y and z so that the box contains
    # the inferior brain boundary: a box centred on the centroid lies entirely inside ch2bet > 0 (99.96 %),
    # which would make the masked variants (nearly) equal to the unmasked ones.
    dy, dz = SHIFT_3D
    xs, ys, zs = c[0] - nx3 // 2, c[1] - ny3 // 2 + dy, c[2] - nz3 // 2 + dz
    assert 0 <= xs and xs + nx3 <= 181 and 0 <= ys and ys + ny3 <= 217 and 0 <= zs and zs + nz3 <= 181
    vol = ch2[xs:xs + nx3, ys:ys + ny3, zs:zs + nz3].transpose(2, 1, 0).astype(np.float64)  # (nz, ny, nx)
    vmask = bet[xs:xs + nx3, ys:ys + ny3, zs:zs + nz3].transpose(2, 1, 0) > 0
    vdesc = (f"ch2.nii.gz data[{xs}:{xs + nx3}, {ys}:{ys + ny3}, {zs}:{zs + nz3}].transpose(2, 1, 0) -> (nz, ny, nx) = "
             f"({nz3}, {ny3}, {nx3}); box centred in x on the rounded centroid (x,y,z) = {tuple(c)} of "
             f"ch2bet > 0 and moved {dy:+d} voxels in y and {dz:+d} voxels in z (i.e. anterior and inferior) so "
             "that it contains the inferior brain boundary")
    add("ch2-crop3d", vol, vdesc)
    masks["ch2-crop3d-brain"] = (vmask, "ch2bet.nii.gz > 0, same box and transpose as ch2-crop3d")
    add_noise_s8("ch2-crop3d", 3008)
    add("ch2-crop3d-blur-s1", q64(ndi.gaussian_filter(vol, 1.0)),
        "scipy.ndimage.gaussian_filter(ch2-crop3d, sigma=1.0) in 3-D (all three axes, mode 'reflect', "
        "truncate 4.0, applied to the crop), quantised round(x*64)/64")

    # ---- synthetic ----
    add("syn-const100-32", np.full((32, 32), 100.0), "constant 100, 32x32")
    add("syn-const120-32", np.full((32, 32), 120.0), "constant 120, 32x32")
    seed = 11011
    r = np.random.default_rng(seed)
    rand11 = q64(r.random((11, 11)))
    add("syn-rand11", rand11,
        f"11x11 uniform [0,1): numpy.random.default_rng({seed}).random((11, 11)), quantised round(x*64)/64")
    add("syn-rand11-noise", q64(rand11 + r.normal(0.0, 0.1, (11, 11))),
        f"syn-rand11 + Gaussian noise sigma 0.1 (same generator as syn-rand11, next draw: "
        ".normal(0, 0.1, (11, 11))), quantised round(x*64)/64, not clipped")
    yy, xx = np.mgrid[0:256, 0:256].astype(np.float64)
    rr = np.hypot(xx - 127.5, yy - 127.5)
    ramp = q64(1.2 * (xx + yy) / 510.0 + 1.0 * (rr < 70.0)
               + 0.15 * np.sin(2 * np.pi * xx / 16.0) * np.sin(2 * np.pi * yy / 16.0))
    add("syn-ramp-disc-256", ramp,
        "256x256: 1.2*(x+y)/510 + 1.0*(hypot(x-127.5, y-127.5) < 70) + 0.15*sin(2 pi x/16)*sin(2 pi y/16), "
        "quantised round(x*64)/64 (values about -0.1..2.3; used with dataRange 2.5)")
    add("syn-ramp-disc-256-blur-s1.5", q64(ndi.gaussian_filter(ramp, 1.5)),
        "scipy.ndimage.gaussian_filter(syn-ramp-disc-256, sigma=1.5) (mode 'reflect', truncate 4.0), "
        "quantised round(x*64)/64")
    return images, masks


# ----------------------------------------------------------------------------
# 2. cases

CASES = [
    # id, reference, test, dataRange, mask (or None), map?
    ("ch2-z94-noise", "ch2-z94", "ch2-z94-noise-s8", 255, "ch2-z94-brain", True),
    ("ch2-z94-blur", "ch2-z94", "ch2-z94-blur-s1.2", 255, "ch2-z94-brain", False),
    ("ch2-z94-ghost", "ch2-z94", "ch2-z94-ghost-q25", 255, "ch2-z94-brain", False),
    ("ch2-z94-shift", "ch2-z94", "ch2-z94-shift-x1", 255, "ch2-z94-brain", False),
    ("ch2-z94-identical", "ch2-z94", "ch2-z94", 255, "ch2-z94-brain", False),
    ("ch2-z94-full-odd-noise", "ch2-z94-full", "ch2-z94-full-noise-s8", 255, None, False),
    ("kmeans-z31-noise", "kmeans-z31", "kmeans-z31-noise-s8", 255, None, False),
    ("ch2-crop3d-noise", "ch2-crop3d", "ch2-crop3d-noise-s8", 255, "ch2-crop3d-brain", True),
    ("ch2-crop3d-blur", "ch2-crop3d", "ch2-crop3d-blur-s1", 255, "ch2-crop3d-brain", False),
    ("syn-const-equal", "syn-const100-32", "syn-const100-32", 255, None, False),
    ("syn-const-100-vs-120", "syn-const100-32", "syn-const120-32", 255, None, False),
    ("syn-rand11-noise", "syn-rand11", "syn-rand11-noise", 1, None, False),
    ("syn-ramp-disc-blur-range2.5", "syn-ramp-disc-256", "syn-ramp-disc-256-blur-s1.5", 2.5, None, False),
]


def ssim_call(R, extra=""):
    return (f"structural_similarity(ref, test, data_range={R}, gaussian_weights=True, sigma=1.5, "
            f"use_sample_covariance=False{extra})")


def compute_case(cid, ref, test, R, mask, versions):
    sk = versions["skimage_tool"]
    out = {}
    details = {}

    def entry(metric, value, tool, call, **extra):
        rtol, atol = TOL[metric]
        e = {}
        if "mask" in extra:
            e["mask"] = extra.pop("mask")
        e["value"] = jnum(value)
        e["tool"] = tool
        e["call"] = call
        e["rtol"] = rtol
        e["atol"] = atol
        e.update(extra)
        out[metric] = e

    # --- SSIM (skimage, float64 input) ---
    s_mean, S = structural_similarity(ref, test, data_range=R, gaussian_weights=True, sigma=1.5,
                                      use_sample_covariance=False, full=True)
    s_plain = structural_similarity(ref, test, data_range=R, gaussian_weights=True, sigma=1.5,
                                    use_sample_covariance=False)
    assert s_plain == s_mean
    dimword = "2-D" if ref.ndim == 2 else "true 3-D (the (nz, ny, nx) array passed directly)"
    entry("ssim", s_mean, sk, ssim_call(R) + f"  [{dimword}; ref, test float64 from the float32 fixtures]")
    details["S"] = S
    if mask is not None:
        entry("ssimMasked", float(S[mask].mean()), sk,
              ssim_call(R, ", full=True") + " -> (mssim, S); S[mask].mean()  [S is the full-size map, "
              "border voxels included]", mask=None)
    if ref.ndim == 3:
        vals = [structural_similarity(ref[z], test[z], data_range=R, gaussian_weights=True, sigma=1.5,
                                      use_sample_covariance=False) for z in range(ref.shape[0])]
        entry("ssimSlicewise", float(np.mean(vals)), sk,
              "mean over z of " + ssim_call(R).replace("(ref, test", "(ref[z], test[z]") + " (2-D, each z slice)")

    # --- MS-SSIM ---
    ms_tool = "numpy transcription of Wang's msssim.m + ssim_index_new.m (tools/reference/msssim.py)"
    ms_call = ("msssim(ref, test, data_range=%s): 5 scales, weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333], "
               "K [0.01, 0.03], L = dataRange, fspecial('gaussian', 11, 1.5) filter2 'valid' at every scale, "
               "2x2 average pooling (odd trailing row/column dropped), mean cs at scales 1-4, mean SSIM at "
               "scale 5, each clamped max(v, 0); %s" % (R, "2-D" if ref.ndim == 2 else "mean over z of 2-D slices"))
    rtol, atol = TOL["msssim"]
    try:
        if ref.ndim == 2:
            v, mssim_s, mcs_s = msssim_2d(ref, test, R, return_details=True)
            # validation: scale-1 mean full SSIM map == skimage SSIM (crop 5 == 'valid')
            assert abs(mssim_s[0] - s_mean) <= 1e-12 * max(1.0, abs(s_mean)), (cid, mssim_s[0], s_mean)
            details["msssim_scales"] = (mssim_s, mcs_s)
        else:
            v = msssim(ref, test, R)
        out["msssim"] = {"value": jnum(v), "tool": ms_tool, "call": ms_call, "rtol": rtol, "atol": atol}
        if ref.ndim == 2:
            # informative, for debugging an implementation: per-scale means before clamping
            out["msssim"]["perScale"] = {"shapes": [[w, h] for (h, w) in scale_shapes(ref.shape)],
                                         "mssim": [float(x) for x in mssim_s], "mcs": [float(x) for x in mcs_s]}
    except TooSmall as e:
        shp = ref.shape[-2:]
        out["msssim"] = {"error": "too small", "tool": ms_tool, "call": ms_call,
                         "reason": f"(ny, nx) = {tuple(shp)} -> {scale_shapes(shp)[-1]} after four halvings; "
                                   "a side < 11 at scale 5"}
        details["msssim_err"] = str(e)

    # --- VIF ---
    vif_call = (f"vifp(ref*255/{R}, test*255/{R}) as vifp_mscale.m: sigma_nsq 2, 4 scales, "
                "N = 2^(4-scale+1)+1, fspecial('gaussian', N, N/5), filter2 'valid', scales > 1 pre-filter + [::2, ::2]; "
                + ("2-D" if ref.ndim == 2 else "3-D: num and den summed over all z slices, then num/den")
                + "; den == 0 -> NaN")
    vif_tool = "numpy transcription of Sheikh & Bovik's vifp_mscale.m (tools/reference/vifp.py)"
    if min(ref.shape[-2:]) < VIF_MIN_SIDE:
        # The MATLAB code silently leaves the coarse scales empty (their sums are 0) on slices
        # smaller than 41x41; duncan-mri refuses such slices instead of returning a partial VIF.
        out["vif"] = {"error": "too small", "tool": vif_tool, "call": vif_call,
                      "reason": f"(ny, nx) = {tuple(ref.shape[-2:])}: a side < {VIF_MIN_SIDE}, so at least one of "
                                "the four scales has no window position"}
    else:
        v, num, den = vifp(ref, test, R, return_num_den=True)
        entry("vif", v, vif_tool, vif_call,
              num=num, den=den)  # num, den: informative (summed over scales, and over z in 3-D)

    # --- UQI ---
    uqi_tool = "numpy transcription of Wang's img_qi.m, block_size 8 (tools/reference/uqi.py)"
    entry("uqi", uqi(ref, test), uqi_tool,
          "img_qi(ref, test, 8): mean of quality_map over all valid 8x8 windows"
          + ("" if ref.ndim == 2 else "; 3-D: mean over z of the 2-D values"))
    if mask is not None:
        entry("uqiMasked", uqi_masked(ref, test, mask), uqi_tool,
              "mean of img_qi quality_map over windows whose pixel at (+3, +3) (0-based y, x) from the window's "
              "top-left corner is in the mask"
              + ("" if ref.ndim == 2 else "; 3-D: selected windows of all z slices pooled into one mean"),
              mask=None)

    # --- PSNR ---
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p = peak_signal_noise_ratio(ref, test, data_range=R)
    entry("psnr", p, sk, f"peak_signal_noise_ratio(ref, test, data_range={R})"
          + ("  [identical images -> 'Infinity']" if np.isinf(p) else ""))
    if mask is not None:
        d = (ref - test)[mask]
        mse = float(np.mean(d * d))
        with np.errstate(divide="ignore"):
            pm = 10.0 * np.log10(R * R / mse) if mse > 0 else float("inf")
        entry("psnrMasked", pm, "numpy " + np.__version__,
              f"10*log10({R}^2 / mean((ref - test)[mask]**2)) in float64", mask=None)
    return out, details


# ----------------------------------------------------------------------------

def main():
    FIXDIR.mkdir(parents=True, exist_ok=True)
    REFDIR.mkdir(parents=True, exist_ok=True)
    for p in list(FIXDIR.glob("*.f32.gz")) + list(FIXDIR.glob("*.u8.gz")):
        p.unlink()

    images, masks = build_images()

    # write + read back: all reference computations start from the fixture float32 values
    loaded, img_json = write_and_read_back(images, "f32", write_f32, read_f32)
    mask_loaded, mask_json = write_and_read_back(masks, "u8", write_u8, read_u8)
    for name, m in mask_loaded.items():
        mask_json[name]["count"] = int(m.sum())

    versions = {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skimage": skimage.__version__,
        "nibabel": nibabel.__version__,
    }
    deb = {p: installed_version(p) for p in
           ["python3", "python3-numpy", "python3-scipy", "python3-skimage", "python3-nibabel", "zlib1g"]}
    versions["skimage_tool"] = f"skimage.metrics (scikit-image {skimage.__version__}, Debian python3-skimage {deb['python3-skimage']})"

    cases_json = []
    all_details = {}
    for cid, rname, tname, R, mname, want_map in CASES:
        ref = loaded[rname]
        test = loaded[tname]
        mask = mask_loaded[mname] if mname else None
        expected, details = compute_case(cid, ref, test, R, mask, versions)
        for k in ("ssimMasked", "uqiMasked", "psnrMasked"):
            if k in expected:
                expected[k]["mask"] = mname
        case = {"id": cid, "reference": rname, "test": tname, "dataRange": R, "expected": expected}
        if want_map:
            fname = f"{cid}-ssim-map.f32.gz"
            S = details["S"]
            write_map_f32(FIXDIR / fname, S)
            back = np.frombuffer(gzip.decompress((FIXDIR / fname).read_bytes()), dtype="<f4").reshape(S.shape)
            assert np.max(np.abs(back.astype(np.float64) - S)) < 1e-7
            case["ssimMap"] = {"file": f"fixtures/{fname}", "shape": shape_xyz(S.shape), "atol": MAP_ATOL,
                               "call": ssim_call(R, ", full=True") + " -> S (full-size map, float64 rounded to float32)"}
        cases_json.append(case)
        all_details[cid] = (expected, details)

    sanity(loaded, mask_loaded, all_details)

    notes = SKIMAGE_NOTES + " " + GENERAL_NOTES
    doc = {
        "provenance": {
            "generator": GENERATOR,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "python": versions["python"],
            "numpy": versions["numpy"],
            "scipy": versions["scipy"],
            "skimage": versions["skimage"],
            "nibabel": versions["nibabel"],
            "debianPackages": deb,
            "dataPackages": {SOURCES[k]["pkg"]: SOURCES[k]["version"] for k in SOURCES},
            "tolerance": "a value a passes when |a - expected| <= atol + rtol * |expected|; "
                         "'Infinity' and 'NaN' must match exactly",
            "notes": notes,
        },
        "images": img_json,
        "masks": mask_json,
        "cases": cases_json,
    }
    text = compact_number_arrays(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"
    (REFDIR / "metrics.json").write_text(text)

    write_fixtures_readme(img_json, mask_json, cases_json, deb)
    write_reference_readme(cases_json, deb)
    print_summary(cases_json)
    total = sum(p.stat().st_size for p in FIXDIR.iterdir() if p.is_file())
    print(f"\nfixtures total: {total} bytes ({total / 1e6:.3f} MB)")
    assert total < 3_000_000, "fixtures exceed 3 MB"


SKIMAGE_NOTES = (
    "skimage 0.19.3 structural_similarity source (skimage/metrics/_structural_similarity.py) checked: "
    "with gaussian_weights=True it sets truncate=3.5, win_size = 2*int(3.5*sigma+0.5)+1 = 11 for sigma 1.5 "
    "(scipy.ndimage 1-D kernel radius int(truncate*sigma+0.5) = 5, i.e. 11 taps, weights exp(-x^2/(2 sigma^2)) "
    "normalised to sum 1, applied separably along every axis, so 11x11x11 in 3-D); filter = "
    "skimage._shared.filters.gaussian -> scipy.ndimage.gaussian_filter(mode='reflect', i.e. half-sample "
    "symmetric d c b a | a b c d, the same as MATLAB 'symmetric'); K1 = 0.01, K2 = 0.03 (kwargs defaults); "
    "use_sample_covariance=False -> cov_norm 1; C1 = (K1 R)^2, C2 = (K2 R)^2; S = ((2 ux uy + C1)(2 vxy + C2)) / "
    "((ux^2 + uy^2 + C1)(vx + vy + C2)) with vx = G(x*x) - ux^2 etc.; the mean is crop(S, 5).mean(dtype=float64), "
    "i.e. (win_size-1)//2 = 5 voxels removed at each border of EVERY axis (z too in 3-D). "
    "Caveats: skimage computes in float32 when given float32 input (_supported_float_type), so all calls here pass "
    "float64 arrays; the full map S returned with full=True is NOT cropped (its border uses the reflect padding), "
    "so ssimMasked includes border pixels inside the mask; gaussian() would treat a 3-D array whose last axis "
    "has length 3 as RGB (not the case here). peak_signal_noise_ratio = 10*log10(R^2 / mean((ref-test)^2)) "
    "in float64, inf for identical images."
)

GENERAL_NOTES = (
    "All images are stored as float32 and every value is float32-exact (degraded images quantised to multiples "
    "of 1/64); every metric is computed from the float32 fixture values promoted to float64. Image and mask "
    "'shape' is [nx, ny] for 2-D and [nx, ny, nz] for 3-D (numpy arrays are (ny, nx) / (nz, ny, nx), x fastest). "
    "The identical-image and equal-constant cases reference the same image file as reference and test. "
    "MS-SSIM deviates from Wang's msssim.m in its downsampling (odd trailing row/column dropped instead of "
    "symmetric padding), uses L = dataRange, and clamps per-scale means at 0; its scale-1 mean SSIM was asserted "
    "equal (1e-12) to skimage's SSIM for every 2-D case. VIF inputs are multiplied by 255/dataRange; "
    "VIF is NaN when den == 0 (constant reference); slices smaller than 41x41 (where the MATLAB code leaves coarse scales empty) are expected to be refused: {\"error\": \"too small\"}."
)


# ----------------------------------------------------------------------------

def sanity(loaded, masks, all_details):
    def val(cid, m):
        return all_details[cid][0][m]["value"]

    # identical images
    assert val("ch2-z94-identical", "ssim") == 1.0
    assert val("ch2-z94-identical", "ssimMasked") == 1.0
    assert val("ch2-z94-identical", "msssim") == 1.0
    assert val("ch2-z94-identical", "uqi") == 1.0
    assert val("ch2-z94-identical", "uqiMasked") == 1.0
    assert val("ch2-z94-identical", "psnr") == "Infinity"
    assert val("ch2-z94-identical", "psnrMasked") == "Infinity"
    assert abs(val("ch2-z94-identical", "vif") - 1.0) < 1e-9
    assert val("syn-const-equal", "ssim") == 1.0
    assert val("syn-const-equal", "uqi") == 1.0
    assert val("syn-const-equal", "psnr") == "Infinity"
    assert all_details["syn-const-equal"][0]["vif"].get("error") == "too small"
    assert all_details["syn-rand11-noise"][0]["vif"].get("error") == "too small"
    # constants 100 vs 120: UQI flat-window rule 2*s1*s2/(s1^2+s2^2) = 2*100*120/(100^2+120^2)
    assert abs(val("syn-const-100-vs-120", "uqi") - 24000.0 / 24400.0) < 1e-15
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    assert abs(val("syn-const-100-vs-120", "ssim") - (24000.0 + c1) / (24400.0 + c1)) < 1e-12
    assert abs(val("syn-const-100-vs-120", "psnr") - 10 * np.log10(255.0 ** 2 / 400.0)) < 1e-12
    for cid in ("kmeans-z31-noise", "ch2-crop3d-noise", "ch2-crop3d-blur", "syn-const-equal",
                "syn-const-100-vs-120", "syn-rand11-noise"):
        assert all_details[cid][0]["msssim"].get("error") == "too small", cid
    for cid in ("ch2-z94-noise", "ch2-z94-full-odd-noise", "syn-ramp-disc-blur-range2.5"):
        assert isinstance(val(cid, "msssim"), float), cid
    # bounded metrics in range
    for cid, (exp, _) in all_details.items():
        for m in ("ssim", "ssimMasked", "ssimSlicewise", "msssim", "uqi", "uqiMasked"):
            if m in exp and isinstance(exp[m].get("value"), float):
                assert -1.0 <= exp[m]["value"] <= 1.0, (cid, m)
    # degraded < identical
    for cid in ("ch2-z94-noise", "ch2-z94-blur", "ch2-z94-ghost", "ch2-z94-shift"):
        for m in ("ssim", "msssim", "uqi", "vif", "ssimMasked", "uqiMasked"):
            assert val(cid, m) < 1.0, (cid, m)

    # monotonic with noise level (extra levels computed here only, not stored)
    ref = loaded["ch2-z94"]
    rows = []
    for sigma, seed in ((2.0, 94002), (4.0, 94004), (8.0, None), (16.0, 94016)):
        if seed is None:
            test = loaded["ch2-z94-noise-s8"]
        else:
            test = q64(ref + np.random.default_rng(seed).normal(0.0, sigma, ref.shape))
        rows.append((sigma,
                     structural_similarity(ref, test, data_range=255, gaussian_weights=True, sigma=1.5,
                                           use_sample_covariance=False),
                     msssim(ref, test, 255), vifp(ref, test, 255), uqi(ref, test),
                     peak_signal_noise_ratio(ref, test, data_range=255)))
    print("monotonicity check on ch2-z94 (noise sigma: ssim, msssim, vif, uqi, psnr):")
    for r in rows:
        print("  sigma %5.1f: %.6f %.6f %.6f %.6f %.4f" % r)
    for k in range(1, 6):
        seq = [r[k] for r in rows]
        assert all(a > b for a, b in zip(seq, seq[1:])), ("not monotonic", k, seq)
    # stored sigma-8 value equals the recomputation above
    assert rows[2][1] == val("ch2-z94-noise", "ssim")
    # 3-D: true 3-D SSIM and slice-wise SSIM close but not equal
    a, b = val("ch2-crop3d-noise", "ssim"), val("ch2-crop3d-noise", "ssimSlicewise")
    assert a != b and abs(a - b) < 0.1
    # UQI map == direct per-window formula 4 s_xy m_x m_y / ((s_x^2 + s_y^2)(m_x^2 + m_y^2)) (population
    # statistics) on non-degenerate windows
    from uqi import img_qi_map
    test = loaded["ch2-z94-noise-s8"]
    qmap = img_qi_map(ref, test)
    for (y, x) in ((0, 0), (50, 60), (100, 100), (150, 30), (200, 168)):
        a_ = ref[y:y + 8, x:x + 8]
        b_ = test[y:y + 8, x:x + 8]
        mx, my = a_.mean(), b_.mean()
        sx, sy, sxy = a_.var(), b_.var(), ((a_ - mx) * (b_ - my)).mean()
        den = (sx + sy) * (mx * mx + my * my)
        if den > 0:
            assert abs(4 * sxy * mx * my / den - qmap[y, x]) < 1e-9, (y, x)
    # SSIM is symmetric in its two arguments
    assert abs(structural_similarity(test, ref, data_range=255, gaussian_weights=True, sigma=1.5,
                                     use_sample_covariance=False) - val("ch2-z94-noise", "ssim")) < 1e-12
    print("sanity checks passed")


def fmt(e):
    if "error" in e:
        return "error: " + e["error"]
    v = e["value"]
    return v if isinstance(v, str) else f"{v:.10g}"


def print_summary(cases_json):
    metrics = ["ssim", "ssimMasked", "ssimSlicewise", "msssim", "vif", "uqi", "uqiMasked", "psnr", "psnrMasked"]
    print()
    print(f"{'case':30s} {'metric':14s} value")
    for c in cases_json:
        for m in metrics:
            if m in c["expected"]:
                print(f"{c['id']:30s} {m:14s} {fmt(c['expected'][m])}")


def write_fixtures_readme(img_json, mask_json, cases_json, deb):
    L = []
    L.append("# Test fixtures for `@duncan-mri/metrics`")
    L.append("")
    L.append("Generated by `tools/reference/metrics_reference.py` (do not edit by hand; this file is generated too).")
    L.append("Regenerate with `bash tools/reference/fetch-data.sh && /usr/bin/python3 tools/reference/metrics_reference.py`.")
    L.append("")
    L.append("## Format")
    L.append("")
    L.append("* `<name>.f32.gz`: gzip of raw little-endian float32, x fastest: `i = x + nx*(y + ny*z)` "
             "(numpy: array of shape `(ny, nx)` or `(nz, ny, nx)` in C order, `.astype('<f4').tobytes()`).")
    L.append("* `<name>.u8.gz`: gzip of raw uint8 0/1 masks, same layout.")
    L.append("* Shapes are listed as `[nx, ny]` (2-D) or `[nx, ny, nz]` (3-D), as in `../reference/metrics.json`.")
    L.append("* Every stored value is exactly representable in float32; degraded images are quantised to multiples "
             "of 1/64 (`round(x*64)/64`) and are not clipped (noisy images contain negative values).")
    L.append("* `*-ssim-map.f32.gz`: the full-size SSIM map `S` (skimage, `full=True`), computed in float64 and "
             "rounded to float32 (compare with `atol` 1e-6).")
    L.append("")
    L.append("## Source data")
    L.append("")
    L.append("| source | Debian package (bookworm) | path inside the package | sha256 of the source file | licence |")
    L.append("|---|---|---|---|---|")
    for k, s in SOURCES.items():
        L.append(f"| {s['what']} | `{s['pkg']}` {s['version']} (`{s['deb']}`) | `/{s['path']}` | `{s['sha256']}` | "
                 f"{s['licence']}; text: `{s['copyright']}` |")
    L.append("")
    L.append("Notes on licences: the MRIcron Debian copyright file covers the whole package including the "
             "templates under BSD-3-clause (stanza `Files: *`); the Colin27 ('ch2') brain itself originates from "
             "the Montreal Neurological Institute (Holmes et al., 1998, J Comput Assist Tomogr 22:324-333). "
             "The ITK Debian copyright file's header says Debian's ITK *binaries* are GPL because they link "
             "FFTW; the data file used here falls under the `Files: *` stanza, Apache-2.0.")
    L.append("")
    L.append("Volumes are read with nibabel (`np.asanyarray(img.dataobj)`, raw stored values; "
             "`scl_slope` is NaN, i.e. no scaling). nibabel's array order is `[x, y, z]`; a z slice "
             "`data[:, :, z]` is transposed to `(ny, nx)`.")
    L.append("")
    L.append("## Images")
    L.append("")
    L.append("| file | shape | bytes | how it was made |")
    L.append("|---|---|---|---|")
    for name, j in img_json.items():
        p = FIXDIR / f"{name}.f32.gz"
        L.append(f"| `{name}.f32.gz` | {j['shape']} | {p.stat().st_size} | {j['origin']} |")
    for name, j in mask_json.items():
        p = FIXDIR / f"{name}.u8.gz"
        L.append(f"| `{name}.u8.gz` | {j['shape']} | {p.stat().st_size} | {j['origin']} ({j['count']} voxels set) |")
    for c in cases_json:
        if "ssimMap" in c:
            p = ROOT / "packages" / "metrics" / "test" / c["ssimMap"]["file"]
            L.append(f"| `{p.name}` | {c['ssimMap']['shape']} | {p.stat().st_size} | SSIM map S of case "
                     f"`{c['id']}` ({c['reference']} vs {c['test']}, data_range {c['dataRange']}) |")
    L.append("")
    L.append("Random noise uses `numpy.random.default_rng(seed)` (PCG64) with the seeds listed above, numpy "
             f"{np.__version__} (Debian python3-numpy {deb['python3-numpy']}). The fixtures are stored, so tests "
             "never depend on the generator.")
    (FIXDIR / "README.md").write_text("\n".join(L) + "\n")


def write_reference_readme(cases_json, deb):
    L = []
    L.append("# Golden reference values for `@duncan-mri/metrics`")
    L.append("")
    L.append("`metrics.json` is generated by `tools/reference/metrics_reference.py` (this README is generated too).")
    L.append("Python never runs in CI; tests only read `metrics.json` and `../fixtures/`.")
    L.append("")
    L.append("Regenerate:")
    L.append("")
    L.append("```sh")
    L.append("bash tools/reference/fetch-data.sh && /usr/bin/python3 tools/reference/metrics_reference.py")
    L.append("```")
    L.append("")
    L.append(f"Generated with Debian bookworm packages: python3 {deb['python3']}, python3-numpy {deb['python3-numpy']}, "
             f"python3-scipy {deb['python3-scipy']}, python3-skimage {deb['python3-skimage']}, "
             f"python3-nibabel {deb['python3-nibabel']}, zlib1g {deb['zlib1g']}. Output is byte-identical on "
             "re-runs except `provenance.date`.")
    L.append("")
    L.append("A value `a` passes when `|a - expected| <= atol + rtol * |expected|`. `\"Infinity\"` (PSNR of "
             "identical images) and `\"NaN\"` (VIF with den == 0) must match exactly. `{\"error\": \"too small\"}` "
             "means the implementation must reject the input (MS-SSIM needs every side >= 11 after four halvings).")
    L.append("")
    L.append("Definitions and exact calls: see `provenance.notes` and each entry's `tool` / `call` in `metrics.json`, "
             "and the transcriptions `tools/reference/msssim.py`, `vifp.py`, `uqi.py`.")
    L.append("")
    L.append("Informative extras (for debugging an implementation, not required by the tests): 2-D `msssim` entries "
             "carry `perScale` (`shapes` as [nx, ny] per scale, unclamped per-scale means `mssim` and `mcs`); "
             "`vif` entries carry `num` and `den` (summed over scales, and over z slices in 3-D).")
    L.append("")
    L.append("| case | reference vs test (dataRange) | metric | value | tool | rtol | atol |")
    L.append("|---|---|---|---|---|---|---|")
    short = {
        "skimage": "skimage " + skimage.__version__,
        "msssim": "msssim.py (Wang msssim.m)",
        "vif": "vifp.py (vifp_mscale.m)",
        "uqi": "uqi.py (img_qi.m)",
    }
    for c in cases_json:
        first = True
        for m, e in c["expected"].items():
            if e["tool"].startswith("skimage"):
                tool = short["skimage"]
            elif m == "msssim":
                tool = short["msssim"]
            elif m == "vif":
                tool = short["vif"]
            elif m.startswith("uqi"):
                tool = short["uqi"]
            else:
                tool = "numpy (masked PSNR)"
            if "mask" in e:
                tool += f", mask `{e['mask']}`"
            label = f"`{c['reference']}` vs `{c['test']}` ({c['dataRange']})" if first else ""
            cid = f"`{c['id']}`" if first else ""
            first = False
            L.append(f"| {cid} | {label} | {m} | {fmt(e)} | {tool} | {e.get('rtol', '-')} | {e.get('atol', '-')} |")
        if "ssimMap" in c:
            L.append(f"| | | ssimMap | `{c['ssimMap']['file']}` | skimage {skimage.__version__} (full=True) | - | "
                     f"{c['ssimMap']['atol']} |")
    (REFDIR / "README.md").write_text("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
