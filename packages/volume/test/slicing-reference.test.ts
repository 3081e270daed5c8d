/**
 * sliceVolume and stackSlices against nibabel 5.0.0's `img.slicer`: every voxel of a slice has the
 * world coordinates nibabel gives it, and stacking consecutive slices gives nibabel's slab.
 * Values come from tools/reference/volume_slicing_reference.py (stored in test/reference/slicing.json).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyAffine, createVolume, sliceVolume, stackSlices } from '../src/index.js';

interface Sliced {
  readonly axis: 0 | 1 | 2;
  readonly call: string;
  readonly shape: number[];
  readonly affine: number[];
  readonly data: number[];
  readonly world: [number, number, number][];
}

interface Case {
  readonly name: string;
  readonly shape: [number, number, number];
  readonly affine: number[];
  readonly data: number[];
  readonly slices: (Sliced & { readonly index: number })[];
  readonly slabs: (Sliced & { readonly start: number; readonly stop: number })[];
}

const golden = JSON.parse(
  readFileSync(new URL('./reference/slicing.json', import.meta.url), 'utf8'),
) as { provenance: { tolerance: string }; volumes: Case[] };

/** Float64 on both sides: the world coordinates agree to rounding. */
const ATOL_MM = 1e-9;

function expectClose(actual: readonly number[], expected: readonly number[], what: string) {
  expect(actual.length, what).toBe(expected.length);
  for (const [i, e] of expected.entries()) {
    expect(Math.abs(actual[i]! - e), `${what}[${i}]`).toBeLessThanOrEqual(ATOL_MM);
  }
}

describe.each(golden.volumes)('slicing the $name volume as nibabel does', (c) => {
  const volume = createVolume({ data: c.data, shape: c.shape, affine: c.affine });

  it.each(c.slices)('$call: same voxels at the same world coordinates', (s) => {
    const slice = sliceVolume(volume, s.axis, s.index);
    // nibabel keeps the sliced axis (length 1); the slice is 2-D over the two other axes.
    const kept = s.shape.filter((_, a) => a !== s.axis);
    expect(slice.shape).toEqual([kept[0], kept[1], 1]);
    expect(Array.from(slice.data)).toEqual(s.data);
    const [width, height] = slice.shape;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const at = x + width * y;
        expectClose(applyAffine(slice.affine, [x, y, 0]), s.world[at]!, `world of voxel ${at}`);
      }
    }
    // The slice normal is the sliced axis' column, so the slice keeps its thickness.
    const column = (m: readonly number[], col: number) => [m[col]!, m[4 + col]!, m[8 + col]!];
    expectClose(column(slice.affine, 2), column(s.affine, s.axis), 'slice normal');
  });

  it.each(c.slabs)('$call: stacking its slices gives the slab', (s) => {
    const slices = [];
    for (let k = s.start; k < s.stop; k++) slices.push(sliceVolume(volume, s.axis, k));
    const slab = stackSlices(slices, s.axis);
    expect(slab.shape).toEqual(s.shape);
    expect(Array.from(slab.data)).toEqual(s.data);
    expectClose(slab.affine, s.affine, 'affine');
  });

  it.each([0, 1, 2] as const)(
    'stacking every slice along axis %i gives the volume back',
    (axis) => {
      const slices = Array.from({ length: c.shape[axis] }, (_, k) => sliceVolume(volume, axis, k));
      const back = stackSlices(slices, axis);
      expect(back.shape).toEqual(volume.shape);
      expect(back.data).toEqual(volume.data);
      expect(back.affine).toEqual(volume.affine);
    },
  );
});
