"""Times scikit-image's SSIM and PSNR on the raw float32 files written by metrics-bench.mjs.

Run by the benchmark with Debian's /usr/bin/python3 (python3-skimage); prints one JSON line.
The images are promoted to float64 as in the reference scripts (skimage computes in float32
when given float32, which would be a different, less accurate computation).
"""
import json
import sys
import time

import numpy as np
import skimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def load(path, shape):
    dims = shape[::-1] if shape[2] > 1 else shape[1::-1]  # (nz, ny, nx), or (ny, nx) for a 2-D image
    return np.fromfile(path, dtype="<f4").reshape(dims).astype(np.float64)


def median_ms(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times))


def main():
    spec = json.loads(sys.argv[1])
    out = {"skimage": skimage.__version__, "numpy": np.__version__, "cases": {}}
    for case in spec["cases"]:
        ref = load(case["reference"], case["shape"])
        test = load(case["test"], case["shape"])
        runs = case["runs"]
        ssim = lambda: structural_similarity(ref, test, data_range=255, gaussian_weights=True, sigma=1.5,
                                             use_sample_covariance=False)
        psnr = lambda: peak_signal_noise_ratio(ref, test, data_range=255)
        out["cases"][case["name"]] = {
            "ssim": median_ms(ssim, runs),
            "psnr": median_ms(psnr, runs),
            "ssimValue": float(ssim()),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
