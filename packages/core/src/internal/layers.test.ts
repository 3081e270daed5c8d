import { describe, expect, it } from 'vitest';
import { maxAbsDiff, tf, useBackend } from '../../test/helpers.js';
import { instanceNorm, reflectionPad, upsample2x } from './layers.js';

/** Reflection padding composed of slice/reverse/concat, whose autograd gradient is exact. */
function composedPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const along = (t: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D => {
    const n = t.shape[axis];
    const part = (start: number, len: number) =>
      tf.slice(
        t,
        axis === 1 ? [0, start, 0, 0] : [0, 0, start, 0],
        axis === 1 ? [-1, len, -1, -1] : [-1, -1, len, -1],
      );
    return tf.concat([tf.reverse(part(1, p), axis), t, tf.reverse(part(n - 1 - p, p), axis)], axis);
  };
  return along(along(x, 1), 2);
}

describe.each(['cpu', 'wasm'] as const)('layers on %s', (backend) => {
  it('reflectionPad equals mirrorPad forward and has the exact gradient', async () => {
    await useBackend(backend);
    for (const [p, h, w] of [
      [1, 6, 5],
      [2, 7, 8],
      [3, 9, 7],
    ] as const) {
      tf.tidy(() => {
        const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', p) as tf.Tensor4D;
        const weights = tf.randomNormal(
          [2, h + 2 * p, w + 2 * p, 3],
          0,
          1,
          'float32',
          7,
        ) as tf.Tensor4D;
        const ours = tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(reflectionPad(t as tf.Tensor4D, p), weights)),
        )(x);
        const exact = tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(composedPad(t as tf.Tensor4D, p), weights)),
        )(x);
        expect(maxAbsDiff(reflectionPad(x, p).dataSync(), composedPad(x, p).dataSync())).toBe(0);
        expect(maxAbsDiff(ours.dataSync(), exact.dataSync())).toBeLessThan(1e-5);
      });
    }
  });

  it('upsample2x duplicates pixels and its gradient is the 2x2 block sum, for batch > 1', async () => {
    await useBackend(backend);
    tf.tidy(() => {
      const x = tf.randomNormal([3, 4, 5, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
      const up = upsample2x(x);
      expect(up.shape).toEqual([3, 8, 10, 2]);
      const u = up.arraySync() as number[][][][];
      const xs = x.arraySync() as number[][][][];
      expect(u[2]![7]![9]![1]).toBe(xs[2]![3]![4]![1]);
      const weights = tf.randomNormal([3, 8, 10, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(upsample2x(t as tf.Tensor4D), weights)))(x);
      const blockSum = tf.mul(tf.avgPool(weights, 2, 2, 'valid'), 4);
      expect(maxAbsDiff(g.dataSync(), blockSum.dataSync())).toBeLessThan(1e-5);
    });
  });

  it('instanceNorm gives zero mean and unit variance per image and channel', async () => {
    await useBackend(backend);
    tf.tidy(() => {
      const x = tf.add(
        tf.mul(tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 5), 7),
        3,
      ) as tf.Tensor4D;
      const { mean, variance } = tf.moments(instanceNorm(x), [1, 2]);
      expect(Math.max(...Array.from(mean.dataSync(), Math.abs))).toBeLessThan(1e-5);
      expect(maxAbsDiff(variance.dataSync(), new Float32Array(6).fill(1))).toBeLessThan(1e-3);
    });
  });
});
