#!/usr/bin/env python3
"""Golden values for @duncan-mri/volume's estimateNoiseSigma, computed independently in numpy.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 tools/reference/volume_noise_sigma_reference.py

For a few small float32 images (row-major, height x width), computes Donoho and Johnstone's
noise estimate from the finest diagonal Haar detail: the image cropped to an even number of rows
and columns, reshaped into its non-overlapping 2x2 blocks [[a, b], [c, d]], the detail
|a - b - c + d| / 2 of each block (in float64), the blocks with a non-finite voxel dropped, and
sigma = numpy.median(details) / 0.6745 (0 when no block is left).

Cross-check: for the finite images the details equal |cD| of PyWavelets' one-level 2-D Haar
transform (pywt.dwt2(image, 'haar')) of the even crop to 1e-9 relative. skimage's
restoration.estimate_sigma computes median(|cD|) / scipy.stats.norm.ppf(0.75) with the
Daubechies-2 wavelet (pywt.dwtn, symmetric extension, so an odd side adds boundary
coefficients) instead: with the Haar wavelet and an even-sized image it would give this sigma
times 0.6745 / norm.ppf(0.75) (a factor 1.0000152); with db2 the detail filter is longer, so the
values differ by more on real images.

Writes packages/volume/test/reference/noise-sigma.json; non-finite voxels are written as the
strings "NaN", "Infinity" and "-Infinity" (JSON has no such numbers).
"""
import json
import math
import os
import sys
from datetime import date

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'packages', 'volume', 'test', 'reference', 'noise-sigma.json')

def haar_sigma(image):
    """The estimate, independently: blocks by reshaping the even crop, float64 throughout."""
    h, w = image.shape
    even = image[: h - h % 2, : w - w % 2].astype(np.float64)
    if even.size == 0:
        return 0.0, np.zeros(0)
    blocks = even.reshape(h // 2, 2, w // 2, 2)
    a = blocks[:, 0, :, 0]
    b = blocks[:, 0, :, 1]
    c = blocks[:, 1, :, 0]
    d = blocks[:, 1, :, 1]
    details = (np.abs(a - b - c + d) / 2).ravel()
    details = details[np.isfinite(details)]
    if details.size == 0:
        return 0.0, details
    return float(np.median(details) / 0.6745), details


def cross_check(image, details):
    """|cD| of pywt's Haar transform of the even crop equals the details (finite images only)."""
    import pywt  # only here, so that the bench job can import haar_sigma without PyWavelets
    h, w = image.shape
    even = image[: h - h % 2, : w - w % 2].astype(np.float64)
    if even.size == 0 or not np.all(np.isfinite(even)):
        return
    _, (_, _, cd) = pywt.dwt2(even, 'haar')
    assert np.allclose(np.abs(cd).ravel(), details, rtol=1e-9, atol=1e-9), 'pywt Haar cD differs'


def images():
    rng = np.random.default_rng(20261205)
    out = {}
    # White noise of sigma 10 on a plane ramp (the diagonal detail cancels the ramp).
    h, w = 48, 64
    y, x = np.mgrid[0:h, 0:w]
    out['noise-on-ramp'] = (100 + 2 * x + 3 * y + rng.normal(0, 10, (h, w)), 10.0)
    # Odd sides (the last row and column are left out) and a step edge the median ignores.
    h, w = 33, 21
    y, x = np.mgrid[0:h, 0:w]
    out['odd-with-edge'] = (np.where(x > 9, 200.0, 20.0) + rng.normal(0, 3, (h, w)), 3.0)
    # Non-finite voxels: the blocks holding them are left out.
    noisy = 50 + rng.normal(0, 5, (16, 16))
    noisy[0, 0] = np.nan
    noisy[3, 7] = np.inf
    noisy[10, 2] = -np.inf
    noisy[15, 15] = np.nan
    out['non-finite'] = (noisy, 5.0)
    out['constant'] = (np.full((8, 8), 42.0), 0.0)
    out['one-row'] = (np.arange(7, dtype=np.float64).reshape(1, 7), None)
    out['one-block'] = (np.array([[1.0, 4.0], [9.0, 3.5]]), None)
    # Four blocks: an even count, the median is the mean of the middle two.
    out['even-count'] = (np.array([[0, 1, 5, 0, 2], [2, 0, 0, 0, 7], [3, 0, 0, 9, 1], [0, 0, 4, 4, 0]], dtype=np.float64), None)
    out['no-finite-block'] = (np.array([[np.nan, 1, 2, np.inf], [3, 4, 5, 6]]), None)
    return out


def encode(v):
    if math.isnan(v):
        return 'NaN'
    if math.isinf(v):
        return 'Infinity' if v > 0 else '-Infinity'
    return v


def main():
    import pywt  # for the provenance line (cross_check imports it too)

    cases = []
    for name, (image, true_sigma) in images().items():
        image = image.astype(np.float32)
        sigma, details = haar_sigma(image)
        cross_check(image, details)
        cases.append(
            {
                'name': name,
                'height': int(image.shape[0]),
                'width': int(image.shape[1]),
                'data': [encode(float(v)) for v in image.ravel()],
                'blocks': int(details.size),
                'sigma': sigma,
                'trueSigma': true_sigma,
            }
        )
        print(f'{name:16s} {image.shape[0]:3d}x{image.shape[1]:<3d} blocks {details.size:5d} sigma {sigma:.6f} (true {true_sigma})')
    result = {
        'provenance': {
            'tool': f'numpy {np.__version__}, PyWavelets {pywt.__version__} (Python {sys.version.split()[0]})',
            'script': 'tools/reference/volume_noise_sigma_reference.py',
            'call': 'image[:h - h % 2, :w - w % 2] as float64, reshaped (h/2, 2, w/2, 2); '
            'details = |a - b - c + d| / 2, finite ones only; sigma = numpy.median(details) / 0.6745 (0 without a block); '
            "details checked against |cD| of pywt.dwt2(even crop, 'haar')",
            'tolerance': 'sigma relative 1e-12 (float64 on both sides, same operation order)',
            'date': date.today().isoformat(),
        },
        'cases': cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(result, f, indent=None, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    print(f'{OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes')


if __name__ == '__main__':
    main()
