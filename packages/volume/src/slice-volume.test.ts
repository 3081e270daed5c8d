import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Affine, applyAffine, identityAffine, spacing } from './affine.js';
import { isMriError } from './mri-error.js';
import type { Axis } from './slabs.js';
import { sliceVolume, stackSlices } from './slice-volume.js';
import { createVolume, type Volume } from './volume.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    if (isMriError(error)) return error.code;
    throw error;
  }
  return undefined;
}

/** A rotation about a random axis, random voxel sizes (some mirrored) and a translation. */
const affineArb = fc
  .record({
    axis: fc.tuple(
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.double({ min: 0.1, max: 1, noNaN: true }),
    ),
    angle: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
    zooms: fc.tuple(
      ...([0, 1, 2] as const).map(() =>
        fc
          .tuple(fc.double({ min: 0.2, max: 5, noNaN: true }), fc.boolean())
          .map(([z, mirrored]) => (mirrored ? -z : z)),
      ),
    ),
    shift: fc.tuple(
      ...([0, 1, 2] as const).map(() => fc.double({ min: -200, max: 200, noNaN: true })),
    ),
  })
  .map(({ axis, angle, zooms, shift }): Affine => {
    const n = Math.hypot(...axis);
    const [x, y, z] = axis.map((a) => a / n) as [number, number, number];
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const r = [
      [c + x * x * (1 - c), x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
      [y * x * (1 - c) + z * s, c + y * y * (1 - c), y * z * (1 - c) - x * s],
      [z * x * (1 - c) - y * s, z * y * (1 - c) + x * s, c + z * z * (1 - c)],
    ];
    const out: number[] = [];
    for (let row = 0; row < 3; row++) {
      for (let col = 0; col < 3; col++) out.push(r[row]![col]! * zooms[col]!);
      out.push(shift[row]!);
    }
    return [...out, 0, 0, 0, 1];
  });

const volumeArb = fc
  .record({
    shape: fc.tuple(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 5 }),
    ),
    affine: affineArb,
  })
  .map(({ shape, affine }) =>
    createVolume({
      data: Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) => i),
      shape,
      affine,
    }),
  );

const axisArb = fc.constantFrom<Axis>(0, 1, 2);

/** The voxel of `volume` that voxel (a, b) of slice `index` along `axis` is. */
function voxelOf(axis: Axis, index: number, a: number, b: number): [number, number, number] {
  if (axis === 0) return [index, a, b];
  if (axis === 1) return [a, index, b];
  return [a, b, index];
}

describe('sliceVolume', () => {
  it('keeps every voxel at its value and world position', () => {
    fc.assert(
      fc.property(volumeArb, axisArb, fc.nat(), (volume, axis, seed) => {
        const index = seed % volume.shape[axis];
        const slice = sliceVolume(volume, axis, index);
        const [width, height, depth] = slice.shape;
        expect(depth).toBe(1);
        const [nx, ny] = volume.shape;
        for (let b = 0; b < height; b++) {
          for (let a = 0; a < width; a++) {
            const [x, y, z] = voxelOf(axis, index, a, b);
            expect(slice.data[a + width * b]).toBe(volume.data[x + nx * (y + ny * z)]);
            const inSlice = applyAffine(slice.affine, [a, b, 0]);
            const inVolume = applyAffine(volume.affine, [x, y, z]);
            for (let i = 0; i < 3; i++) expect(inSlice[i]).toBeCloseTo(inVolume[i]!, 9);
          }
        }
      }),
    );
  });

  it('gives the in-plane voxel sizes, then the slice thickness', () => {
    const volume = createVolume({
      data: new Float32Array(24),
      shape: [2, 3, 4],
      spacing: [1, 2, 3],
    });
    expect(spacing(sliceVolume(volume, 0, 1).affine)).toEqual([2, 3, 1]);
    expect(spacing(sliceVolume(volume, 1, 2).affine)).toEqual([1, 3, 2]);
    expect(spacing(sliceVolume(volume, 2, 3).affine)).toEqual([1, 2, 3]);
    // The translation moves by index voxels along the sliced axis.
    expect(sliceVolume(volume, 1, 2).affine).toEqual([
      1, 0, 0, 0, 0, 0, 2, 4, 0, 3, 0, 0, 0, 0, 0, 1,
    ]);
  });

  it('does not modify its input and copies the voxels', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i);
    const volume = createVolume({ data, shape: [2, 3, 4] });
    const before = Float32Array.from(data);
    const affine = [...volume.affine];
    for (const axis of [0, 1, 2] as const) {
      const slice = sliceVolume(volume, axis, 1);
      slice.data.fill(-1);
    }
    expect(volume.data).toEqual(before);
    expect(volume.affine).toEqual(affine);
  });

  it('slices a 2-D image along z into itself, with the same affine', () => {
    const image = createVolume({ data: [1, 2, 3, 4, 5, 6], shape: [3, 2], spacing: [0.5, 0.7, 4] });
    const slice = sliceVolume(image, 2, 0);
    expect(slice.shape).toEqual([3, 2, 1]);
    expect(slice.data).toEqual(image.data);
    expect(slice.affine).toEqual(image.affine);
  });

  it('refuses a bad volume, axis or index with INVALID_ARGUMENT', () => {
    const volume = createVolume({ data: new Float32Array(24), shape: [2, 3, 4] });
    expect(codeOf(() => sliceVolume({} as Volume, 2, 0))).toBe('INVALID_ARGUMENT');
    for (const axis of [3, -1, 1.5, '2', undefined])
      expect(codeOf(() => sliceVolume(volume, axis as Axis, 0))).toBe('INVALID_ARGUMENT');
    for (const index of [-1, 4, 1.5, Number.NaN, '1'])
      expect(codeOf(() => sliceVolume(volume, 2, index as number))).toBe('INVALID_ARGUMENT');
    expect(() => sliceVolume(volume, 1, 3)).toThrow(
      /sliceVolume: index must be an integer from 0 to 2 \(slices along axis 1\), got 3/,
    );
  });
});

describe('stackSlices', () => {
  it('inverts sliceVolume: every slice stacked gives the volume, voxels and affine', () => {
    fc.assert(
      fc.property(volumeArb, axisArb, (volume, axis) => {
        const slices = Array.from({ length: volume.shape[axis] }, (_, k) =>
          sliceVolume(volume, axis, k),
        );
        const back = stackSlices(slices, axis);
        expect(back.shape).toEqual(volume.shape);
        expect(back.data).toEqual(volume.data);
        expect(back.affine).toEqual(volume.affine);
      }),
    );
  });

  it('places a run of slices where they were: the slab starts at its first slice', () => {
    fc.assert(
      fc.property(volumeArb, axisArb, fc.nat(), fc.nat(), (volume, axis, a, b) => {
        const n = volume.shape[axis];
        const start = a % n;
        const count = 1 + (b % (n - start));
        const slices = Array.from({ length: count }, (_, k) =>
          sliceVolume(volume, axis, start + k),
        );
        const slab = stackSlices(slices, axis);
        expect(slab.shape[axis]).toBe(count);
        const first = applyAffine(slab.affine, [0, 0, 0]);
        const origin = applyAffine(volume.affine, voxelOf(axis, start, 0, 0));
        for (let i = 0; i < 3; i++) expect(first[i]).toBeCloseTo(origin[i]!, 9);
      }),
    );
  });

  it('takes options.affine for slices without geometry of their own', () => {
    const slices = [0, 1, 2].map((k) => createVolume({ data: [k, k, k, k, k, k], shape: [3, 2] }));
    // The identity affine of every slice does not move from slice to slice.
    expect(codeOf(() => stackSlices(slices, 2))).toBe('INVALID_ARGUMENT');
    const affine: Affine = [0.9, 0, 0, 1, 0, 0.9, 0, 2, 0, 0, 3, 4, 0, 0, 0, 1];
    const stack = stackSlices(slices, 2, { affine });
    expect(stack.shape).toEqual([3, 2, 3]);
    expect(stack.affine).toEqual(affine);
    expect(Array.from(stack.data)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    expect(stackSlices(slices.slice(0, 1), 2).affine).toEqual(identityAffine());
  });

  it('refuses slices out of order or from another volume', () => {
    const volume = createVolume({
      data: new Float32Array(24),
      shape: [2, 3, 4],
      affine: [1, 0, 0, 5, 0, 2, 0, 6, 0, 0, 3, 7, 0, 0, 0, 1],
    });
    const slices = [0, 1, 2].map((k) => sliceVolume(volume, 0, k % 2));
    expect(() => stackSlices(slices, 0)).toThrow(
      /stackSlices: slices\[2\]\.affine must place it 2 slices after slices\[0\] along axis 0/,
    );
    const other = createVolume({
      data: new Float32Array(24),
      shape: [2, 3, 4],
      spacing: [1, 2, 3.5],
    });
    expect(
      codeOf(() => stackSlices([sliceVolume(volume, 2, 0), sliceVolume(other, 2, 1)], 2)),
    ).toBe('INVALID_ARGUMENT');
  });

  it('refuses bad arguments: INVALID_ARGUMENT, or SHAPE_MISMATCH for slices of other shapes', () => {
    const a = createVolume({ data: new Float32Array(6), shape: [3, 2] });
    const b = createVolume({ data: new Float32Array(6), shape: [2, 3] });
    const thick = createVolume({ data: new Float32Array(12), shape: [3, 2, 2] });
    expect(codeOf(() => stackSlices([], 2))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => stackSlices('slices' as unknown as Volume[], 2))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => stackSlices([a], 5 as Axis))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => stackSlices([a, {} as Volume], 2))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => stackSlices([a], 2, null as unknown as object))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => stackSlices([a], 2, { affine: [1, 2, 3] }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => stackSlices([a, b], 2))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => stackSlices([thick], 2))).toBe('SHAPE_MISMATCH');
  });

  it('does not modify its inputs', () => {
    const volume = createVolume({
      data: Float32Array.from({ length: 24 }, (_, i) => i),
      shape: [2, 3, 4],
    });
    const slices = [0, 1, 2].map((k) => sliceVolume(volume, 1, k));
    const before = slices.map((s) => Float32Array.from(s.data));
    stackSlices(slices, 1).data.fill(-1);
    for (const [k, s] of slices.entries()) expect(s.data).toEqual(before[k]);
  });
});
