#!/usr/bin/env python3
"""Reads files written by @duncan-mri/io back with nibabel and pydicom (Debian packages).

    cd packages/io && npx tsup && node test/reference/write-samples.mjs
    /usr/bin/python3 tools/reference/io_readback.py      # from the repository root

NIfTI: nibabel must give the same shape, affine (img.affine, and the qform) and data
(get_fdata vs what readNifti reads back, float32). DICOM: pydicom must give the same pixel values
(pixel_array * RescaleSlope + RescaleIntercept), positions, orientation and spacing as the source
series; UIDs must be new 2.25 UIDs, the study/frame of reference kept, ImageType DERIVED\\SECONDARY,
SourceImageSequence pointing at the source images. Results: packages/io/test/reference/readback.json.
"""
import hashlib
import json
import os
import sys
import warnings

import nibabel as nib
import numpy as np
import pydicom

warnings.simplefilter('ignore')
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SRC = os.path.join(ROOT, 'data-cache', 'io-readback')
OUT = os.path.join(ROOT, 'packages', 'io', 'test', 'reference', 'readback.json')
TOOL = f'nibabel {nib.__version__}, pydicom {pydicom.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}'


def check_nifti(entry):
    path = os.path.join(SRC, entry['file'])
    img = nib.load(path)
    expected = np.fromfile(path + '.expected.f32', dtype='<f4')
    data = img.get_fdata().ravel(order='F')
    shape_ok = list(img.shape[:3]) == entry['shape']
    affine = np.array(entry['affine']).reshape(4, 4)
    aff_err = float(np.abs(img.affine - affine).max())
    qform = img.header.get_qform()
    q_err = float(np.abs(qform - affine).max())
    err = float(np.nanmax(np.abs(data - expected.astype(np.float64)) / np.maximum(1, np.abs(expected))))
    ok = shape_ok and aff_err < 1e-5 and err < 1e-6
    with open(path, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    return {
        'file': entry['file'],
        'sha256': sha,
        'call': 'nib.load(file); img.get_fdata(); img.affine; img.header.get_qform()',
        'shapeOk': shape_ok,
        'affineMaxAbsError': aff_err,
        'qformMaxAbsError': q_err,
        'dataMaxRelError': err,
        'sformCode': int(img.header['sform_code']),
        'qformCode': int(img.header['qform_code']),
        'ok': bool(ok),
    }


def check_dicom(entry):
    folder = os.path.join(SRC, entry['dir'])
    names = sorted(os.listdir(folder))
    expected = np.fromfile(os.path.join(SRC, entry['dir'] + '.expected.f32'), dtype='<f4')
    per = entry['rows'] * entry['columns']
    max_err = 0.0
    pos_err = 0.0
    problems = []
    sop_uids = set()
    series_uids = set()
    for k, name in enumerate(names):
        ds = pydicom.dcmread(os.path.join(folder, name))
        values = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        max_err = max(max_err, float(np.abs(values.ravel() - expected[k * per:(k + 1) * per]).max()))
        pos_err = max(pos_err, float(np.abs(np.array(ds.ImagePositionPatient, dtype=float) - np.array(entry['sourcePositions'][k])).max()))
        pos_err = max(pos_err, float(np.abs(np.array(ds.ImageOrientationPatient, dtype=float) - np.array(entry['sourceOrientation'])).max()))
        pos_err = max(pos_err, float(np.abs(np.array(ds.PixelSpacing, dtype=float) - np.array(entry['sourcePixelSpacing'])).max()))
        if list(ds.ImageType) != ['DERIVED', 'SECONDARY']:
            problems.append(f'{name}: ImageType {list(ds.ImageType)}')
        if not str(ds.SOPInstanceUID).startswith('2.25.') or not str(ds.SeriesInstanceUID).startswith('2.25.'):
            problems.append(f'{name}: UIDs not 2.25')
        if ds.SOPInstanceUID in entry['sourceSopInstanceUids']:
            problems.append(f'{name}: SOPInstanceUID reused')
        if ds.StudyInstanceUID != entry['studyInstanceUid'] or ds.FrameOfReferenceUID != entry['frameOfReferenceUid']:
            problems.append(f'{name}: study or frame of reference changed')
        if ds.SourceImageSequence[0].ReferencedSOPInstanceUID != entry['sourceSopInstanceUids'][k]:
            problems.append(f'{name}: SourceImageSequence does not point at source slice {k}')
        if not str(ds.get('DerivationDescription', '')):
            problems.append(f'{name}: no DerivationDescription')
        if ds.file_meta.MediaStorageSOPInstanceUID != ds.SOPInstanceUID:
            problems.append(f'{name}: meta and dataset SOPInstanceUID differ')
        sop_uids.add(ds.SOPInstanceUID)
        series_uids.add(ds.SeriesInstanceUID)
    if len(sop_uids) != len(names):
        problems.append('SOPInstanceUIDs not unique')
    if len(series_uids) != 1:
        problems.append('more than one SeriesInstanceUID')
    ok = max_err <= 1e-6 * max(1.0, float(np.abs(expected).max())) and pos_err < 1e-4 and not problems and len(names) == entry['slices']
    return {
        'series': entry['dir'],
        'files': len(names),
        'call': 'pydicom.dcmread(file): pixel_array * RescaleSlope + RescaleIntercept, ImagePositionPatient, ImageOrientationPatient, PixelSpacing, UIDs, SourceImageSequence',
        'pixelMaxAbsError': max_err,
        'geometryMaxAbsError': pos_err,
        'problems': problems,
        'ok': bool(ok),
    }


def main():
    manifest = json.load(open(os.path.join(SRC, 'manifest.json')))
    out = {
        'provenance': {
            'tool': TOOL,
            'script': 'tools/reference/io_readback.py',
            'writer': 'packages/io/test/reference/write-samples.mjs (built package)',
            'tolerance': 'NIfTI: affine 1e-5 mm, data 1e-6 relative; DICOM: pixels 1e-6 relative to the largest value (float64 vs float32 of the same stored integers), geometry 1e-4 mm',
        },
        'nifti': [check_nifti(e) for e in manifest['nifti']],
        'dicom': [check_dicom(e) for e in manifest['dicom']],
    }
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
    bad = [r for r in out['nifti'] + out['dicom'] if not r['ok']]
    print(json.dumps(out['nifti'] + out['dicom'], indent=1)[:3000])
    print(f'{len(bad)} failures; wrote {OUT}')


if __name__ == '__main__':
    main()
