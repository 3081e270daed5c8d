import { extractPlane } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../test/helpers.js';
import {
  denormalise,
  imagesToTensor,
  normalise,
  orderStatistics,
  robustRange,
  sliceGeometry,
} from './volume-tensor.js';

const shape = [3, 4, 5] as const;
const data = Float32Array.from({ length: 60 }, (_, i) => i);
/** Voxel (x, y, z) of the x-fastest test volume holds its own linear index. */
const at = (x: number, y: number, z: number) => x + 3 * (y + 4 * z);

describe('Volume <-> image conversion', () => {
  it('slices along each axis with rows and columns as documented', () => {
    expect(sliceGeometry(shape, 2)).toEqual({ count: 5, height: 4, width: 3 });
    expect(sliceGeometry(shape, 1)).toEqual({ count: 4, height: 5, width: 3 });
    expect(sliceGeometry(shape, 0)).toEqual({ count: 3, height: 5, width: 4 });
    // The planes of @duncan-mri/volume, read as row-major [height, width] images.
    const z = extractPlane(data, shape, 2, 2);
    expect(z[1 * 3 + 2]).toBe(at(2, 1, 2)); // row y = 1, column x = 2
    const y = extractPlane(data, shape, 1, 3);
    expect(y[4 * 3 + 1]).toBe(at(1, 3, 4)); // row z = 4, column x = 1
    const x = extractPlane(data, shape, 0, 2);
    expect(x[3 * 4 + 1]).toBe(at(2, 1, 3)); // row z = 3, column y = 1
    for (const axis of [0, 1, 2] as const) {
      const { height, width } = sliceGeometry(shape, axis);
      expect(extractPlane(data, shape, axis, 0)).toHaveLength(height * width);
    }
  });

  it('the x-fastest buffer of a 2-D slice is the row-major [height, width] NHWC image', async () => {
    await useBackend('cpu');
    const { height, width } = sliceGeometry(shape, 2);
    const t = imagesToTensor([extractPlane(data, shape, 2, 0)], height, width);
    expect(t.shape).toEqual([1, 4, 3, 1]);
    expect((t.arraySync() as number[][][][])[0]![1]![2]![0]).toBe(at(2, 1, 0));
    t.dispose();
  });

  it('robust percentiles follow numpy (linear) and denormalise inverts normalise', () => {
    const values = Float32Array.from({ length: 1001 }, (_, i) => i);
    const r = robustRange(values, 0.5, 99.5);
    expect(r.low).toBeCloseTo(5, 6);
    expect(r.high).toBeCloseTo(995, 6);
    const back = denormalise(normalise(values, r), r);
    for (let i = 0; i < values.length; i += 97) expect(back[i]).toBeCloseTo(values[i]!, 3);
    expect(robustRange(new Float32Array(10).fill(7), 0.5, 99.5)).toEqual({ low: 7, high: 8 });
  });

  it('finds order statistics exactly as sorting a copy does (-0, infinities, NaN, ties)', () => {
    fc.assert(
      fc.property(
        fc.float32Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        (values, fractions) => {
          const sorted = Float32Array.from(values).sort();
          const ranks = fractions.map((f) => Math.floor(f * (values.length - 1)));
          const got = orderStatistics(values, ranks);
          // Object.is: -0 and +0, and NaN, must come out as the sort has them.
          expect(ranks.map((r, k) => Object.is(got[k], sorted[r]))).toEqual(ranks.map(() => true));
        },
      ),
    );
    // Many values in one high bin (the low 16 bits decide), and values spread over all bins.
    const close = Float32Array.from({ length: 5000 }, (_, i) => 1 + ((i * 7919) % 5000) * 2 ** -23);
    const sortedClose = Float32Array.from(close).sort();
    expect(orderStatistics(close, [0, 24, 4975, 4999])).toEqual(
      [0, 24, 4975, 4999].map((r) => sortedClose[r]),
    );
    const r = robustRange(close, 0.5, 99.5);
    const pos = (p: number) => (p / 100) * 4999;
    const at = (p: number) => {
      const i = Math.floor(pos(p));
      return sortedClose[i]! + (sortedClose[i + 1]! - sortedClose[i]!) * (pos(p) - i);
    };
    expect(r).toEqual({ low: at(0.5), high: at(99.5) });
  });
});
