#!/usr/bin/python3
"""Golden values for @duncan-mri/simulate from independent implementations.

- blur: scipy.ndimage.gaussian_filter (mode 'reflect', truncate 4.0) of the fixture slice.
- motion: a jerk-only trajectory computed with numpy (line times, pose per line relative to the
  reference time, bilinear rotation about the centre, numpy.fft), following the model documented
  in packages/simulate/README.md, independently of the TypeScript code.

Reads packages/simulate/test/fixtures/ch2-z94.f32.gz; writes
packages/simulate/test/reference/simulate.json (probe voxels and sums per case, with provenance).
Run: /usr/bin/python3 tools/reference/simulate_reference.py
"""
import datetime
import gzip
import json
import os
import sys

import numpy as np
import scipy
from scipy import ndimage

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
PKG = os.path.join(ROOT, 'packages', 'simulate')
NX, NY = 181, 217


def load_slice():
    raw = gzip.open(os.path.join(PKG, 'test', 'fixtures', 'ch2-z94.f32.gz')).read()
    return np.frombuffer(raw, dtype='<f4').reshape(NY, NX).astype(np.float64)


PROBES = [int(i) for i in np.random.default_rng(2026).choice(NX * NY, 40, replace=False)]


def summary(img):
    flat = img.ravel()
    return {
        'probes': [float(flat[i]) for i in PROBES],
        'sum': float(flat.sum()),
        'sumSquares': float((flat * flat).sum()),
        'max': float(flat.max()),
    }


def line_times(n, centre):
    c = n // 2
    t = np.empty(n)
    for j in range(n):
        if j == c:
            t[j] = centre
        elif j < c:
            t[j] = centre * j / c
        else:
            t[j] = 1 - (1 - centre) * (n - 1 - j) / (n - 1 - c)
    return t


def rotate2d(img, deg):
    a = np.deg2rad(deg)
    # out(x) = img(R^T (x - c) + c), R = rotation about z by `deg`.
    ca, sa = np.cos(a), np.sin(a)
    cx, cy = (NX - 1) / 2, (NY - 1) / 2
    y, x = np.mgrid[0:NY, 0:NX].astype(float)
    dx, dy = x - cx, y - cy
    px = ca * dx + sa * dy + cx
    py = -sa * dx + ca * dy + cy
    x0, y0 = np.floor(px).astype(int), np.floor(py).astype(int)
    fx, fy = px - x0, py - y0
    out = np.zeros_like(img)
    for oy, wy in ((0, 1 - fy), (1, fy)):
        for ox, wx in ((0, 1 - fx), (1, fx)):
            xi, yi = x0 + ox, y0 + oy
            ok = (xi >= 0) & (xi < NX) & (yi >= 0) & (yi < NY)
            out += np.where(ok, img[np.clip(yi, 0, NY - 1), np.clip(xi, 0, NX - 1)], 0) * wx * wy
    return out


def motion_jerks(img, jerks, centre=0.5, reference=None):
    """Phase encode along y; pose of a line = sum of the jerks between the reference and it."""
    reference = centre if reference is None else reference
    times = line_times(NY, centre)
    kx = np.fft.fftfreq(NX)
    ky = np.fft.fftfreq(NY)
    k = np.zeros((NY, NX), dtype=np.complex128)
    cache = {}
    for j in range(NY):
        line = (j - NY // 2) % NY
        t = times[j]
        rz, tx, ty = 0.0, 0.0, 0.0
        for jerk in jerks:
            sign = int(t >= jerk['timeFraction']) - int(reference >= jerk['timeFraction'])
            rz += sign * jerk['rotationDeg'][2]
            tx += sign * jerk['translationMm'][0]
            ty += sign * jerk['translationMm'][1]
        if rz not in cache:
            cache[rz] = np.fft.fft(rotate2d(img, rz) if rz != 0 else img, axis=0)
        row = cache[rz][line]  # k_y = line, all x
        spectrum = np.fft.fft(row)
        k[line] = spectrum * np.exp(-2j * np.pi * (kx * tx + ky[line] * ty))
    return np.abs(np.fft.ifft2(k))


def main():
    img = load_slice()
    cases = []
    sigma_mm = [1.5, 0.8, 0]
    blurred = ndimage.gaussian_filter(img, sigma=(sigma_mm[1], sigma_mm[0]), mode='reflect', truncate=4.0)
    cases.append({
        'id': 'blur-anisotropic',
        'artefact': 'blur',
        'params': {'sigmaMm': sigma_mm},
        'tool': f'scipy {scipy.__version__}',
        'call': "scipy.ndimage.gaussian_filter(slice, sigma=(0.8, 1.5), mode='reflect', truncate=4.0)",
        'rtol': 1e-6,
        'atol': 1e-4,
        'expected': summary(blurred),
    })
    jerks = [
        {'timeFraction': 0.3, 'rotationDeg': [0, 0, 4], 'translationMm': [2.5, -1.5, 0]},
        {'timeFraction': 0.75, 'rotationDeg': [0, 0, -6], 'translationMm': [0, 3, 0]},
    ]
    for reference in (None, 0.0):
        params = {'maxRotationDeg': 0, 'maxTranslationMm': 0, 'driftSeed': 0, 'jerks': jerks}
        if reference is not None:
            params['referenceTimeFraction'] = reference
        out = motion_jerks(img, jerks, reference=reference)
        cases.append({
            'id': 'motion-jerks' + ('' if reference is None else '-reference-start'),
            'artefact': 'motion',
            'params': params,
            'tool': f'numpy {np.__version__}',
            'call': 'motion_jerks(slice, jerks) in tools/reference/simulate_reference.py '
                    '(per line: bilinear rotation, numpy.fft, phase ramp; |ifft2|)',
            'rtol': 1e-6,
            'atol': 1e-4,
            'expected': summary(out),
        })
    doc = {
        'provenance': {
            'generator': 'tools/reference/simulate_reference.py',
            'date': datetime.date.today().isoformat(),
            'python': sys.version.split()[0],
            'numpy': np.__version__,
            'scipy': scipy.__version__,
            'input': 'packages/simulate/test/fixtures/ch2-z94.f32.gz (Colin27 z = 94, 181 x 217)',
            'probes': 'voxel indices (x + 181 y) drawn by numpy.random.default_rng(2026).choice(181*217, 40, replace=False)',
            'tolerance': '|actual - expected| <= atol + rtol |expected| for probes and max; sums relative rtol * 10',
        },
        'probeIndices': PROBES,
        'cases': cases,
    }
    with open(os.path.join(PKG, 'test', 'reference', 'simulate.json'), 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print('wrote', len(cases), 'cases')


if __name__ == '__main__':
    main()
