#!/usr/bin/python3
"""The whole `duncan correct` job in PyTorch, for the speed benchmark of @duncan-mri/node.

Load a DICOM series (pydicom: sort by ImagePositionPatient along the slice normal, apply
RescaleSlope/Intercept) or a NIfTI file (nibabel), normalise by the 0.5/99.5 percentiles as
@duncan-mri/core's `correct` does, run decoderF(contentEncoderA(x)) of the mirror network
(core_torch_mirror.py: same layers, shapes and padding) slice by slice in batches of 8 with
reflection padding to a multiple of 4, map back to the input's scale, and save the corrected
volume as float32 NIfTI gz with nibabel. Timed from the outside as a whole process. With --flips,
each batch is also run mirrored left-right, up-down and both ways and the four outputs, flipped
back, are averaged, as @duncan-mri/core's `correct` does by default (`flips`). With --shrinkage k
(k > 0), each slice's correction r = input - corrected is then soft-thresholded at k times the
input slice's noise level, as `correct`'s `shrinkage` does (its default is 1): sigma =
median(|a - b - c + d| / 2) / 0.6745 over the slice's non-overlapping 2x2 blocks (non-finite
blocks left out; 0 without one), r' = sign(r) max(|r| - k sigma, 0), corrected = input - r'.
Unlike `correct`, the job does not clip to the input's range before the shrinkage.

Usage:
  /usr/bin/python3 tools/reference/node_torch_job.py --save-weights --weights W.pt [--channels 32 --blocks 4]
  /usr/bin/python3 tools/reference/node_torch_job.py --input <dicom dir|.nii.gz> --out out.nii.gz \
      --weights W.pt [--channels 32 --blocks 4] [--residual] [--content-skips] [--threads 2] [--batch 8] \
      [--flips] [--shrinkage k]
(--residual and --content-skips follow the model config of the same names.)
Needs Debian's python3-torch (1.13), python3-nibabel, python3-pydicom; never run in CI.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from core_torch_mirror import DecoderF, Encoder, inorm, up  # noqa: E402
from duncan_torch import pad_to_field  # noqa: E402
from volume_noise_sigma_reference import haar_sigma  # noqa: E402


class DecoderFSkips(DecoderF):
    """Decoder F with @duncan-mri/core's `contentSkips`: the content features at 1/2 and full
    scale fused after each upsampling block (concat + 1x1 convolution with bias + ReLU)."""

    def __init__(self, c):
        super().__init__(c)
        self.skip1 = torch.nn.Conv2d(4 * c, 2 * c, 1)
        self.skip0 = torch.nn.Conv2d(2 * c, c, 1)

    def forward(self, content):
        h = F.relu(inorm(self.up1(up(content[2]))))
        h = F.relu(self.skip1(torch.cat([h, content[1]], 1)))
        h = F.relu(inorm(self.up2(up(h))))
        h = F.relu(self.skip0(torch.cat([h, content[0]], 1)))
        return self.out(h)


def build(channels, blocks, skips=False):
    return Encoder(channels, blocks), (DecoderFSkips if skips else DecoderF)(channels)


def read_dicom_series(directory):
    import pydicom

    slices = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and not name.startswith("."):
            slices.append(pydicom.dcmread(path))
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    slices.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, dtype=float))))
    data = np.stack(
        [
            d.pixel_array.astype(np.float32) * float(getattr(d, "RescaleSlope", 1))
            + float(getattr(d, "RescaleIntercept", 0))
            for d in slices
        ]
    )  # [z, rows, columns]
    ps = [float(v) for v in slices[0].PixelSpacing]
    p0 = np.array(slices[0].ImagePositionPatient, dtype=float)
    p1 = np.array(slices[-1].ImagePositionPatient, dtype=float)
    step = (p1 - p0) / max(1, len(slices) - 1)
    affine = np.eye(4)
    affine[:3, 0] = iop[:3] * ps[1]
    affine[:3, 1] = iop[3:] * ps[0]
    affine[:3, 2] = step
    affine[:3, 3] = p0
    affine = np.diag([-1, -1, 1, 1]) @ affine  # LPS -> RAS
    return data, affine


def read_volume(path):
    if os.path.isdir(path):
        return read_dicom_series(path)
    import nibabel as nib

    img = nib.load(path)
    data = np.asarray(img.get_fdata(dtype=np.float32))
    return np.ascontiguousarray(data.transpose(2, 1, 0)), img.affine  # [z, y, x]


# The views of mirror averaging, as torch.flip dims of an [n, 1, h, w] batch: none, x (width),
# y (height), both.
MIRRORS = ((), (3,), (2,), (2, 3))


def correct(enc_a, dec_f, data, batch, residual, crop_size, flips=False):
    flat = np.sort(data, axis=None)
    at = lambda p: float(np.interp(p / 100 * (flat.size - 1), np.arange(flat.size), flat))
    low, high = at(0.5), at(99.5)
    if not high > low:
        high = low + 1
    x = torch.from_numpy((data - low) / (high - low)).float().unsqueeze(1)  # [z, 1, h, w]
    h, w = data.shape[1:]
    out = []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            xb, top, left = pad_to_field(x[i : i + batch], h, w, crop_size)
            views = MIRRORS if flips else ((),)
            y = 0
            for dims in views:
                xv = torch.flip(xb, dims) if dims else xb
                yv = dec_f(enc_a(xv))
                if residual:
                    yv = yv + xv
                y = y + (torch.flip(yv, dims) if dims else yv)
            y = y / len(views)
            y = y[:, :, top : top + h, left : left + w]
            out.append(y)
    y = torch.cat(out).squeeze(1).numpy()
    return y * (high - low) + low


def shrink(data, corrected, k):
    """Residual shrinkage: each [z] slice's correction soft-thresholded at k times its noise level."""
    if k == 0:
        return corrected
    out = corrected.copy()
    for z in range(data.shape[0]):
        threshold = k * haar_sigma(data[z])[0]
        if threshold > 0:
            r = data[z].astype(np.float64) - corrected[z]
            r = np.sign(r) * np.maximum(np.abs(r) - threshold, 0)
            out[z] = data[z] - r
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input")
    p.add_argument("--out")
    p.add_argument("--weights", required=True)
    p.add_argument("--save-weights", action="store_true")
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--blocks", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--residual", action="store_true", help="output = input + decoderF(...)")
    p.add_argument("--content-skips", action="store_true", help="decoder F fuses content features")
    p.add_argument("--flips", action="store_true",
                   help="average each batch's outputs over its three mirror images (core's flips)")
    p.add_argument("--shrinkage", type=float, default=0.0,
                   help="soft-threshold each slice's correction at k times its noise level (core's shrinkage)")
    p.add_argument("--crop-size", type=int, default=128,
                   help="config.cropSize: smaller slices are corrected in a zero-filled field this big")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    enc_a, dec_f = build(args.channels, args.blocks, args.content_skips)
    if args.save_weights:
        torch.manual_seed(1)
        for m in (enc_a, dec_f):
            for prm in m.parameters():
                torch.nn.init.normal_(prm, 0, 0.02) if prm.dim() > 1 else torch.nn.init.zeros_(prm)
        torch.save({"enc_a": enc_a.state_dict(), "dec_f": dec_f.state_dict()}, args.weights)
        return
    t0 = time.perf_counter()
    state = torch.load(args.weights)
    enc_a.load_state_dict(state["enc_a"])
    dec_f.load_state_dict(state["dec_f"])
    enc_a.eval()
    dec_f.eval()
    data, affine = read_volume(args.input)
    t1 = time.perf_counter()
    corrected = correct(enc_a, dec_f, data, args.batch, args.residual, args.crop_size, args.flips)
    corrected = shrink(data, corrected, args.shrinkage)
    t2 = time.perf_counter()
    import nibabel as nib

    img = nib.Nifti1Image(np.ascontiguousarray(corrected.transpose(2, 1, 0)).astype(np.float32), affine)
    img.set_qform(affine, code=1)
    img.set_sform(affine, code=1)
    nib.save(img, args.out)
    t3 = time.perf_counter()
    print(json.dumps(dict(
        tool="pytorch", version=torch.__version__, threads=torch.get_num_threads(),
        shape=list(data.shape[::-1]), flips=args.flips, shrinkage=args.shrinkage, load_s=round(t1 - t0, 3),
        correct_s=round(t2 - t1, 3), save_s=round(t3 - t2, 3),
    )))


if __name__ == "__main__":
    main()
