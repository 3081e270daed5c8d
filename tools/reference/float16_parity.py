"""Would a float32 checkpoint's weights hold parity as float16? The corrector (duncan_torch, one
pass per slice, as train_default_model.correct_volume) with its weights as stored and with every
weight rounded to float16, on every volume of a folder; prints, per volume, the largest and the mean
absolute difference of the two corrected volumes as a fraction of the volume's robust range
(99.5th minus 0.5th percentile, the range `correct` normalises by). The issue's bar for shipping
float16 weights is 1e-3.

    /usr/bin/python3 tools/reference/float16_parity.py <float32 checkpoint> data-cache/evaluation/validation

(the bundled weights are float16 since 2026-12-05; the model card gives the command for the
float32 weights they were rounded from).
"""

import glob
import os
import sys

import nibabel as nib
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import duncan_torch as dt  # noqa: E402
from train_default_model import correct_volume  # noqa: E402


def main():
    checkpoint, folder = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    config, _, weights, _ = dt.load_checkpoint(checkpoint)
    full = dt.Networks(config, {k: v.detach() for k, v in weights.items()})
    half = dt.Networks(config, {k: v.detach().half().float() for k, v in weights.items()})
    worst = 0.0
    for path in sorted(glob.glob(os.path.join(folder, "*.nii"))):
        volume = np.asarray(nib.load(path).dataobj, np.float32)
        a, b = correct_volume(full, volume, config), correct_volume(half, volume, config)
        span = float(np.percentile(volume, 99.5) - np.percentile(volume, 0.5))
        d = np.abs(a - b) / span
        worst = max(worst, float(d.max()))
        print(f"{os.path.basename(path)}: max {d.max():.2e}, mean {d.mean():.2e}")
    print(f"worst {worst:.2e} (bar 1e-3)")


if __name__ == "__main__":
    main()
