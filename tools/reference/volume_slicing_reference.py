#!/usr/bin/env python3
"""Golden values for @duncan-mri/volume's sliceVolume and stackSlices, from nibabel's slicer.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 tools/reference/volume_slicing_reference.py

For a small volume with an oblique, translated, left-handed affine (and one with a plain
diagonal affine), slices every index along each axis with nibabel's `img.slicer` (`k:k+1` on the
sliced axis: nibabel refuses scalar indices in spatial dimensions and keeps the image 3-D) and
slabs of several slices, and stores per case: the sliced image's shape, its affine
(nibabel's `SpatialImage.slicer` -> `slice_affine`), its voxels in x-fastest order, and the world
coordinates (affine @ voxel) of every voxel. A slice keeps its place in world space; the
TypeScript test checks that `sliceVolume` puts every voxel at the same world coordinates as
nibabel does and that `stackSlices` of the slices gives nibabel's slab (or the whole volume).
Writes packages/volume/test/reference/slicing.json.
"""
import json
import os
import sys
from datetime import date

import nibabel as nib
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'packages', 'volume', 'test', 'reference', 'slicing.json')

TOOL = f'nibabel {nib.__version__} (numpy {np.__version__}, Python {sys.version.split()[0]})'


def oblique_affine():
    """A rotation about an oblique axis, anisotropic voxels, a mirrored x axis and a translation."""
    theta = 0.3
    axis = np.array([1.0, 2.0, 2.0]) / 3.0
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rotation = np.eye(3) + np.sin(theta) * k + (1 - np.cos(theta)) * (k @ k)
    zooms = np.diag([-0.9, 1.2, 3.5])
    affine = np.eye(4)
    affine[:3, :3] = rotation @ zooms
    affine[:3, 3] = [-91.25, 126.5, -72.0]
    return affine


VOLUMES = {
    'oblique': (oblique_affine(), (5, 4, 3)),
    'diagonal': (np.array([[2.0, 0, 0, -10], [0, 3.0, 0, 20], [0, 0, 4.0, 5], [0, 0, 0, 1]]), (3, 4, 5)),
}


def world_of_every_voxel(image):
    """affine @ (i, j, k, 1) for every voxel, x fastest (Fortran order), as [[x, y, z], ...]."""
    shape = image.shape
    ijk = np.stack(
        np.meshgrid(*[np.arange(n) for n in shape], indexing='ij'), axis=-1
    ).reshape(-1, 3, order='F')
    ones = np.ones((ijk.shape[0], 1))
    return (np.hstack([ijk, ones]) @ image.affine.T)[:, :3]


def describe(image):
    data = np.asarray(image.dataobj)
    return {
        'shape': list(image.shape),
        'affine': image.affine.reshape(-1).tolist(),
        'data': data.ravel(order='F').tolist(),
        'world': world_of_every_voxel(image).tolist(),
    }


def cases():
    out = []
    for name, (affine, shape) in VOLUMES.items():
        # Distinct voxel values that identify their position: 100 i + 10 j + k.
        i, j, k = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
        data = (100 * i + 10 * j + k).astype(np.float32)
        image = nib.Nifti1Image(data, affine)
        volume = {'name': name, **describe(image), 'slices': [], 'slabs': []}
        for ax in range(3):
            for index in range(shape[ax]):
                index_tuple = [slice(None)] * 3
                index_tuple[ax] = slice(index, index + 1)
                sliced = image.slicer[tuple(index_tuple)]
                volume['slices'].append(
                    {'axis': ax, 'index': index, 'call': f'img.slicer[{fmt(index_tuple)}]', **describe(sliced)}
                )
            start, stop = 1, shape[ax]
            index_tuple = [slice(None)] * 3
            index_tuple[ax] = slice(start, stop)
            slab = image.slicer[tuple(index_tuple)]
            volume['slabs'].append(
                {'axis': ax, 'start': start, 'stop': stop, 'call': f'img.slicer[{fmt(index_tuple)}]', **describe(slab)}
            )
        out.append(volume)
    return out


def fmt(index_tuple):
    def one(s):
        if s.start is None and s.stop is None:
            return ':'
        return f'{s.start}:{s.stop}'

    return ', '.join(one(s) for s in index_tuple)


def main():
    result = {
        'provenance': {
            'tool': TOOL,
            'script': 'tools/reference/volume_slicing_reference.py',
            'call': 'nibabel.Nifti1Image(data, affine).slicer[..., k:k+1, ...] (slices) and [..., 1:n, ...] (slabs); '
            'world = affine @ (i, j, k, 1); data and world listed x fastest (order="F")',
            'tolerance': 'affine and world coordinates atol 1e-9 mm (float64 on both sides); voxels exact',
            'date': date.today().isoformat(),
        },
        'volumes': cases(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(result, f, indent=None, separators=(',', ':'))
        f.write('\n')
    print(f'{OUT}: {len(result["volumes"])} volumes, {os.path.getsize(OUT)} bytes')


if __name__ == '__main__':
    main()
