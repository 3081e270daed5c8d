import { describe, expect, it } from 'vitest';
import { useBackend } from '../../test/helpers.js';
import {
  denormalise,
  extractSlice,
  imagesToTensor,
  insertSlice,
  normalise,
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
    const z = extractSlice(data, shape, 2, 2);
    expect(z.data[1 * 3 + 2]).toBe(at(2, 1, 2)); // row y = 1, column x = 2
    const y = extractSlice(data, shape, 1, 3);
    expect(y.data[4 * 3 + 1]).toBe(at(1, 3, 4)); // row z = 4, column x = 1
    const x = extractSlice(data, shape, 0, 2);
    expect(x.data[3 * 4 + 1]).toBe(at(2, 1, 3)); // row z = 3, column y = 1
  });

  it('insertSlice inverts extractSlice on every axis', () => {
    for (const axis of [0, 1, 2] as const) {
      const out = new Float32Array(60);
      for (let s = 0; s < sliceGeometry(shape, axis).count; s++) {
        insertSlice(out, shape, axis, s, extractSlice(data, shape, axis, s).data);
      }
      expect(out).toEqual(data);
    }
  });

  it('the x-fastest buffer of a 2-D slice is the row-major [height, width] NHWC image', async () => {
    await useBackend('cpu');
    const image = extractSlice(data, shape, 2, 0);
    const t = imagesToTensor([image.data], image.height, image.width);
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
});
