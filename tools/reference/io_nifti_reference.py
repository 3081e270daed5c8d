#!/usr/bin/env python3
"""Golden values for @duncan-mri/io's NIfTI reader, from nibabel (Debian python3-nibabel).

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 tools/reference/io_nifti_reference.py

1. Writes small synthetic NIfTI files with nibabel into packages/io/test/fixtures/nifti/syn-*.nii
   (every supported datatype, both byte orders, scaling, qform-only, no orientation, 4-D).
2. Reads every NIfTI fixture with nibabel and stores, per file: shape, frame count, the best
   affine (nibabel's get_best_affine, i.e. img.affine), the scaling nibabel applies, and the
   float64 get_fdata() values of frame 0 (all voxels for files up to 4096 voxels, else summary
   statistics plus 64 sampled voxels), in packages/io/test/reference/nifti.json.
"""
import hashlib
import json
import os
import sys

import nibabel as nib
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIX = os.path.join(ROOT, 'packages', 'io', 'test', 'fixtures', 'nifti')
OUT = os.path.join(ROOT, 'packages', 'io', 'test', 'reference', 'nifti.json')

TOOL = f'nibabel {nib.__version__} (numpy {np.__version__}, Python {sys.version.split()[0]})'


def synth():
    """Small synthetic files, one per datatype / feature, deterministic."""
    rng = np.random.default_rng(20261129)
    shape = (4, 5, 6)
    aff = np.array([[-2.0, 0.1, 0, 30], [0.0, 2.5, 0.2, -40], [0, -0.3, 3, 12], [0, 0, 0, 1]])
    made = []
    ranges = {
        'uint8': (0, 255), 'int8': (-128, 127), 'int16': (-32768, 32767), 'uint16': (0, 65535),
        'int32': (-2**31, 2**31 - 1), 'uint32': (0, 2**32 - 1), 'int64': (-2**40, 2**40),
        'uint64': (0, 2**40), 'float32': None, 'float64': None,
    }
    for name, rg in ranges.items():
        if rg is None:
            data = rng.normal(100, 50, shape).astype(name)
        else:
            data = rng.integers(rg[0], rg[1], size=shape, endpoint=True, dtype=np.int64 if name != 'uint64' else np.uint64).astype(name)
        for order in ('<', '>'):
            if order == '>' and name not in ('int16', 'float64', 'uint32', 'int64'):
                continue
            hdr = nib.Nifti1Header(endianness=order)
            hdr.set_data_dtype(name)
            img = nib.Nifti1Image(data, aff, header=hdr)
            img.set_qform(aff, 1)
            img.set_sform(aff, 1)
            fname = f'syn-{name}-{"le" if order == "<" else "be"}.nii'
            nib.save(img, os.path.join(FIX, fname))
            made.append(fname)
    # int16 with scaling
    data = rng.integers(-1000, 1000, size=shape).astype(np.int16)
    img = nib.Nifti1Image(data, aff)
    img.header.set_data_dtype(np.int16)
    img.header.set_slope_inter(0.5, -20.25)
    nib.save(img, os.path.join(FIX, 'syn-int16-scaled.nii'))
    made.append('syn-int16-scaled.nii')
    # qform only (sform code 0), negative qfac
    img = nib.Nifti1Image(rng.integers(0, 100, size=shape).astype(np.uint8), None)
    qaff = np.array([[0, 0, 1.5, -10], [-2, 0, 0, 20], [0, 3, 0, 5], [0, 0, 0, 1.0]])
    img.set_qform(qaff, 2)
    img.set_sform(None, 0)
    nib.save(img, os.path.join(FIX, 'syn-qform-only.nii'))
    made.append('syn-qform-only.nii')
    # no orientation at all (pixdim affine)
    img = nib.Nifti1Image(rng.integers(0, 100, size=shape).astype(np.uint8), np.diag([1.5, 2, 2.5, 1]))
    img.set_qform(None, 0)
    img.set_sform(None, 0)
    img.header.set_zooms((1.5, 2, 2.5))
    nib.save(img, os.path.join(FIX, 'syn-no-xform.nii'))
    made.append('syn-no-xform.nii')
    # 4-D float32 with 3 frames, gzipped, NIfTI-2
    data = rng.normal(0, 1, shape + (3,)).astype(np.float32)
    img = nib.Nifti2Image(data, aff)
    nib.save(img, os.path.join(FIX, 'syn-nifti2-4d.nii.gz'))
    made.append('syn-nifti2-4d.nii.gz')
    # a header/image pair
    img = nib.Nifti1Pair(rng.integers(-500, 500, size=shape).astype(np.int16), aff)
    nib.save(img, os.path.join(FIX, 'syn-pair.img'))
    made.append('syn-pair.hdr')
    return made


def describe(path):
    img = nib.load(path)
    hdr = img.header
    shape = img.shape
    frames = int(np.prod(shape[3:])) if len(shape) > 3 else 1
    # img.header has scl_slope/inter reset; the array proxy holds the scaling nibabel applies.
    slope, inter = float(img.dataobj.slope), float(img.dataobj.inter)
    full = img.get_fdata()
    frame0 = full[..., 0] if len(shape) > 3 else full
    if len(shape) > 4:
        frame0 = full.reshape(shape[:3] + (-1,))[..., 0]
    # get_fdata of frame 0, flattened x-fastest (Fortran order)
    scaled = np.asarray(frame0, dtype=np.float64)
    flat = scaled.ravel(order='F')
    entry = {
        'file': os.path.basename(path),
        'tool': TOOL,
        'call': f'nib.load({os.path.basename(path)!r}); img.affine; img.get_fdata() frame 0 flattened in order F; img.dataobj.slope/inter',
        'shape': [int(s) for s in shape[:3]] + [1] * (3 - len(shape[:3])),
        'frames': frames,
        'affine': [float(v) for v in img.affine.ravel()],
        'slope': None if slope is None else float(slope),
        'inter': None if inter is None else float(inter),
        'sformCode': int(hdr['sform_code']),
        'qformCode': int(hdr['qform_code']),
        'datatype': int(hdr['datatype']),
        'extensions': [int(e.get_code()) for e in hdr.extensions],
        'nanCount': int(np.isnan(flat).sum()),
        'sum': float(np.nansum(flat)),
        'min': float(np.nanmin(flat)),
        'max': float(np.nanmax(flat)),
        'rtol': 1e-6,
        'atol_affine': 1e-5,
    }
    if flat.size <= 4096:
        entry['values'] = [None if np.isnan(v) else float(v) for v in flat]
    else:
        idx = np.linspace(0, flat.size - 1, 64).astype(int)
        entry['samples'] = [[int(i), None if np.isnan(flat[i]) else float(flat[i])] for i in idx]
    if frames > 1:
        last = np.asarray(full.reshape(shape[:3] + (-1,))[..., frames - 1], dtype=np.float64)
        entry['lastFrameSum'] = float(np.nansum(last))
    with open(path, 'rb') as f:
        entry['sha256'] = hashlib.sha256(f.read()).hexdigest()
    return entry


def main():
    synth()
    files = sorted(
        f for f in os.listdir(FIX)
        if (f.endswith('.nii') or f.endswith('.nii.gz') or f == 'syn-pair.hdr')
        and f != 'row_major.dconn.nii'
    )
    cases = [describe(os.path.join(FIX, f)) for f in files]
    out = {
        'provenance': {
            'tool': TOOL,
            'script': 'tools/reference/io_nifti_reference.py',
            'tolerance': 'voxels rtol 1e-6 (float32 rounding of float64 get_fdata), affine atol 1e-5 mm',
        },
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
    print(f'wrote {len(cases)} cases to {OUT}')


if __name__ == '__main__':
    main()
