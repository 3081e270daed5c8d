import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intensityRange } from './intensity-range.js';
import { isMriError } from './mri-error.js';
import { createVolume, type Volume } from './volume.js';

const volumeArb = fc
  .tuple(
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: 3 }),
  )
  .chain((shape) =>
    fc
      .array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
        minLength: shape[0] * shape[1] * shape[2],
        maxLength: shape[0] * shape[1] * shape[2],
      })
      .map((values) => createVolume({ data: values, shape })),
  );

describe('intensityRange', () => {
  it('is the min, max and max - min of the voxels', () => {
    fc.assert(
      fc.property(volumeArb, (volume) => {
        const { min, max, range } = intensityRange(volume);
        const values = Array.from(volume.data);
        expect(min).toBe(Math.min(...values));
        expect(max).toBe(Math.max(...values));
        expect(range).toBe(max - min);
        expect(range).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('does not change when voxels are reordered, and shifts with the intensities', () => {
    const volume = createVolume({ data: [3, -2, 7.5, 0, 1, 4], shape: [3, 2] });
    const reversed = createVolume({ data: Array.from(volume.data).reverse(), shape: [2, 3] });
    expect(intensityRange(reversed)).toEqual(intensityRange(volume));
    const shifted = createVolume({ data: Array.from(volume.data, (v) => v + 100), shape: [3, 2] });
    expect(intensityRange(shifted)).toEqual({ min: 98, max: 107.5, range: 9.5 });
  });

  it('leaves non-finite voxels out (NaN outside the brain of processed images)', () => {
    const volume = createVolume({
      data: [Number.NaN, 10, Number.POSITIVE_INFINITY, 250, Number.NEGATIVE_INFINITY, 40],
      shape: [6, 1],
    });
    expect(intensityRange(volume)).toEqual({ min: 10, max: 250, range: 240 });
  });

  it('gives range 0 for a constant volume', () => {
    expect(intensityRange(createVolume({ data: [5, 5, 5, 5], shape: [2, 2] }))).toEqual({
      min: 5,
      max: 5,
      range: 0,
    });
  });

  it('does not modify its input', () => {
    const data = new Float32Array([4, 1, Number.NaN, 9]);
    const volume = createVolume({ data, shape: [2, 2] });
    intensityRange(volume);
    expect(Array.from(volume.data)).toEqual([4, 1, Number.NaN, 9]);
  });

  it('throws INVALID_ARGUMENT for a volume without finite voxels, and for a non-volume', () => {
    const empty = createVolume({ data: [Number.NaN, Number.POSITIVE_INFINITY], shape: [2, 1] });
    const codeOf = (value: unknown): string => {
      try {
        intensityRange(value as Volume);
        return 'none';
      } catch (error) {
        return isMriError(error) ? `${error.code}: ${error.message}` : 'not an MriError';
      }
    };
    expect(codeOf(empty)).toBe(
      'INVALID_ARGUMENT: intensityRange: volume must have at least one finite voxel, got 2 voxels, none finite',
    );
    expect(codeOf(null)).toMatch(/^INVALID_ARGUMENT: intensityRange: volume must be a Volume/);
    expect(codeOf({ data: [1, 2], shape: [2, 1, 1] })).toMatch(
      /^INVALID_ARGUMENT: intensityRange: volume.data/,
    );
  });
});
