#!/usr/bin/python3
"""The motion artefact of @duncan-mri/simulate written with numpy, for the benchmark.

Reads a JSON job from stdin: {"data": path of raw float32 (x fastest), "shape": [nx, ny, nz],
"spacing": [sx, sy, sz], "axis": phase-encode axis (0 = x), "groups": [{"lines", "rotationDeg",
"translationMm"}], "runs": n, "out": path for the result (raw float32)}. The pose schedule comes
from motionSchedule() of the TypeScript package, so both compute the same operation:
per pose, rotate the image about its centre in millimetre space (bilinear / trilinear, zero
outside), FFT along the phase-encode axis, keep that pose's lines; FFT along the other axes;
multiply each line by the phase ramp of its pose's translation; inverse FFT; magnitude.
"variant": "numpy" (default; the rotation written with numpy) or "scipy" (the rotation by
scipy.ndimage.affine_transform, order 1). Prints {"median_ms", "times_ms", "versions"} on stdout.
"""
import json
import sys
import time

import numpy as np


def rotation_matrix(rx, ry, rz):
    a, b, c = np.deg2rad([rx, ry, rz])
    ca, sa, cb, sb, cc, sc = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(c), np.sin(c)
    return np.array([
        [cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa],
        [sc * cb, sc * sb * sa + cc * ca, sc * sb * ca - cc * sa],
        [-sb, cb * sa, cb * ca],
    ])


def rotate(img, shape, spacing, rot):
    """img is (nz, ny, nx); returns img(R^T (x - c) + c) with linear interpolation, 0 outside."""
    nx, ny, nz = shape
    s = np.array(spacing, dtype=float)
    m = (rot.T * s[None, :]) / s[:, None]  # S^-1 R^T S
    c = (np.array(shape, dtype=float) - 1) / 2
    if nz == 1:
        y, x = np.mgrid[0:ny, 0:nx].astype(float)
        dx, dy = x - c[0], y - c[1]
        px = m[0, 0] * dx + m[0, 1] * dy + c[0]
        py = m[1, 0] * dx + m[1, 1] * dy + c[1]
        x0 = np.floor(px).astype(np.intp)
        y0 = np.floor(py).astype(np.intp)
        fx, fy = px - x0, py - y0
        plane = img[0]
        out = np.zeros((ny, nx))
        for oy, wy in ((0, 1 - fy), (1, fy)):
            for ox, wx in ((0, 1 - fx), (1, fx)):
                xi, yi = x0 + ox, y0 + oy
                ok = (xi >= 0) & (xi < nx) & (yi >= 0) & (yi < ny)
                out += np.where(ok, plane[np.clip(yi, 0, ny - 1), np.clip(xi, 0, nx - 1)], 0) * wx * wy
        return out[None]
    z, y, x = np.mgrid[0:nz, 0:ny, 0:nx].astype(float)
    d = (x - c[0], y - c[1], z - c[2])
    p = [m[i, 0] * d[0] + m[i, 1] * d[1] + m[i, 2] * d[2] + c[i] for i in range(3)]
    i0 = [np.floor(q).astype(np.intp) for q in p]
    f = [q - i for q, i in zip(p, i0)]
    out = np.zeros((nz, ny, nx))
    flat = img.ravel()
    for oz in (0, 1):
        for oy in (0, 1):
            for ox in (0, 1):
                xi, yi, zi = i0[0] + ox, i0[1] + oy, i0[2] + oz
                ok = (xi >= 0) & (xi < nx) & (yi >= 0) & (yi < ny) & (zi >= 0) & (zi < nz)
                idx = np.clip(xi, 0, nx - 1) + nx * (np.clip(yi, 0, ny - 1) + ny * np.clip(zi, 0, nz - 1))
                w = (f[0] if ox else 1 - f[0]) * (f[1] if oy else 1 - f[1]) * (f[2] if oz else 1 - f[2])
                out += np.where(ok, flat[idx], 0) * w
    return out


def rotate_scipy(img, shape, spacing, rot):
    """The same rotation by scipy.ndimage.affine_transform (order 1 = linear, 0 outside)."""
    from scipy import ndimage

    s = np.array(spacing, dtype=float)
    m = (rot.T * s[None, :]) / s[:, None]
    c = (np.array(shape, dtype=float) - 1) / 2
    m_np = m[::-1, ::-1]  # (x, y, z) -> numpy's (z, y, x)
    c_np = c[::-1]
    return ndimage.affine_transform(img, m_np, offset=c_np - m_np @ c_np, order=1, mode='grid-constant', cval=0.0)


def motion(img, shape, spacing, axis, groups, rotate=rotate):
    npaxis = 2 - axis  # (nz, ny, nx)
    n = shape[axis]
    k = np.zeros(img.shape, dtype=np.complex128)
    base = None
    for g in groups:
        rx, ry, rz = g['rotationDeg']
        if rx == 0 and ry == 0 and rz == 0:
            if base is None:
                base = np.fft.fft(img, axis=npaxis)
            f = base
        else:
            f = np.fft.fft(rotate(img, shape, spacing, rotation_matrix(rx, ry, rz)), axis=npaxis)
        index = [slice(None)] * 3
        index[npaxis] = np.array(g['lines'])
        k[tuple(index)] = f[tuple(index)]
    others = [a for a in (0, 1, 2) if a != npaxis and img.shape[a] > 1]
    k = np.fft.fftn(k, axes=others)
    freqs = [np.fft.fftfreq(shape[a]) for a in range(3)]  # cycles per sample, x, y, z
    for g in groups:
        t = [g['translationMm'][a] / spacing[a] for a in range(3)]
        if not any(t):
            continue
        lines = np.array(g['lines'])
        # Separable ramp, numpy axis order (z, y, x), restricted to this pose's lines.
        factors = [np.exp(-2j * np.pi * freqs[a] * t[a]) for a in (2, 1, 0)]
        factors[npaxis] = factors[npaxis][lines]
        ramp = factors[0][:, None, None] * factors[1][None, :, None] * factors[2][None, None, :]
        index = [slice(None)] * 3
        index[npaxis] = lines
        k[tuple(index)] *= ramp
    axes = [a for a in (0, 1, 2) if img.shape[a] > 1]
    return np.abs(np.fft.ifftn(k, axes=axes))


def main():
    job = json.load(sys.stdin)
    nx, ny, nz = job['shape']
    img = np.fromfile(job['data'], dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    variant = job.get('variant', 'numpy')
    rot = rotate
    versions = {'numpy': np.__version__}
    if variant == 'scipy':
        import scipy

        rot = rotate_scipy
        versions['scipy'] = scipy.__version__
    times = []
    out = None
    for _ in range(job['runs']):
        start = time.perf_counter()
        out = motion(img, job['shape'], job['spacing'], job['axis'], job['groups'], rot)
        times.append((time.perf_counter() - start) * 1000)
    out.astype('<f4').tofile(job['out'])
    print(json.dumps({'median_ms': float(np.median(times)), 'times_ms': times, 'versions': versions}))


if __name__ == '__main__':
    main()
