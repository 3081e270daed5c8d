#!/usr/bin/python3
"""Make the real-slice fixture of @duncan-mri/simulate from the Colin27 template ('ch2').

Source: Debian bookworm package mricron-data (BSD-3-clause, see its copyright file), fetched by
tools/reference/fetch-data.sh into data-cache/. Output:
packages/simulate/test/fixtures/ch2-z94.f32.gz: axial slice z = 94 of ch2.nii.gz, 181 x 217
(x fastest), raw little-endian float32, gzip (mtime 0, no file name, level 9).

Run: /usr/bin/python3 tools/reference/simulate_fixture.py
"""
import gzip
import hashlib
import io
import os

import nibabel as nib
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SOURCE = os.path.join(ROOT, 'data-cache/x/mricron-data/usr/share/mricron/templates/ch2.nii.gz')
OUT = os.path.join(ROOT, 'packages/simulate/test/fixtures/ch2-z94.f32.gz')


def main():
    img = nib.load(SOURCE)
    data = np.asanyarray(img.dataobj)  # raw stored values (uint8), nibabel order [x, y, z]
    assert data.shape == (181, 217, 181), data.shape
    zslice = np.ascontiguousarray(data[:, :, 94].T).astype('<f4')  # (ny, nx) = (217, 181)
    raw = zslice.tobytes()
    buf = io.BytesIO()
    with gzip.GzipFile(filename='', mode='wb', fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(raw)
    with open(OUT, 'wb') as f:
        f.write(buf.getvalue())
    print('source sha256', hashlib.sha256(open(SOURCE, 'rb').read()).hexdigest())
    print('fixture sha256', hashlib.sha256(buf.getvalue()).hexdigest())
    print('raw float32 sha256', hashlib.sha256(raw).hexdigest())
    print('bytes', len(buf.getvalue()), 'shape [nx, ny] =', [zslice.shape[1], zslice.shape[0]])
    print('min max mean', float(zslice.min()), float(zslice.max()), float(zslice.mean()))
    print('numpy', np.__version__, 'nibabel', nib.__version__)


if __name__ == '__main__':
    main()
