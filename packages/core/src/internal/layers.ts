import * as tf from '@tensorflow/tfjs-core';

type PadFn = (x: tf.Tensor4D) => tf.Tensor4D;
const reflectionPads = new Map<number, PadFn>();

/**
 * Sums the reflected border gradients of a `p`-wide reflection pad back into the interior,
 * along one spatial axis (1 = height, 2 = width) of an NHWC gradient.
 */
function foldAxis(dy: tf.Tensor4D, axis: 1 | 2, n: number, p: number): tf.Tensor4D {
  const begin = (at: number): [number, number, number, number] =>
    axis === 1 ? [0, at, 0, 0] : [0, 0, at, 0];
  const size = (len: number): [number, number, number, number] =>
    axis === 1 ? [-1, len, -1, -1] : [-1, -1, len, -1];
  const pads = (a: number, b: number): Array<[number, number]> =>
    axis === 1
      ? [
          [0, 0],
          [a, b],
          [0, 0],
          [0, 0],
        ]
      : [
          [0, 0],
          [0, 0],
          [a, b],
          [0, 0],
        ];
  const centre = tf.slice(dy, begin(p), size(n));
  const top = tf.reverse(tf.slice(dy, begin(0), size(p)), axis);
  const bottom = tf.reverse(tf.slice(dy, begin(p + n), size(p)), axis);
  return tf.addN([centre, tf.pad(top, pads(1, n - 1 - p)), tf.pad(bottom, pads(n - 1 - p, 1))]);
}

/**
 * Reflection padding by `p` pixels on every side of the height and width of an NHWC tensor,
 * with an exact gradient. tfjs 4.22's `MirrorPad` gradient drops the reflected copies (it is a
 * plain slice), so the gradient here folds them back (`docs/notes/core-research.md`, Q3).
 */
export function reflectionPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p === 0) return x;
  let fn = reflectionPads.get(p);
  if (fn === undefined) {
    const padded = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const t = args[0] as tf.Tensor4D;
      const [, h, w] = t.shape;
      (args[1] as tf.GradSaveFunc)([]);
      const value = tf.mirrorPad(
        t,
        [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ],
        'reflect',
      );
      const gradFunc = (dy: tf.Tensor): tf.Tensor =>
        foldAxis(foldAxis(dy as tf.Tensor4D, 1, h, p), 2, w, p);
      return { value, gradFunc };
    });
    fn = (t: tf.Tensor4D) => padded(t) as tf.Tensor4D;
    reflectionPads.set(p, fn);
  }
  return fn(x);
}

const upsampleFn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const t = args[0] as tf.Tensor4D;
  (args[1] as tf.GradSaveFunc)([]);
  const value = tf.image.resizeNearestNeighbor(t, [t.shape[1] * 2, t.shape[2] * 2]);
  const gradFunc = (dy: tf.Tensor): tf.Tensor =>
    tf.mul(tf.avgPool(dy as tf.Tensor4D, 2, 2, 'valid'), 4);
  return { value, gradFunc };
});

/**
 * Nearest-neighbour x2 upsampling of an NHWC tensor. The gradient is the exact 2x2 block sum
 * (`4 * avgPool`): the cpu backend's `ResizeNearestNeighborGrad` is wrong for batch > 1 in
 * tfjs 4.22, and this is also faster on wasm.
 */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  return upsampleFn(x) as tf.Tensor4D;
}

/** Instance normalisation (Ulyanov et al. 2017) without affine parameters, epsilon 1e-5. */
export function instanceNorm(x: tf.Tensor4D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [1, 2], true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
}

/**
 * A convolution preceded by padding: reflection by `(k - 1) / 2` for odd kernels at stride 1,
 * by 1 for the 4x4 stride-2 kernels; zero padding by 1 when `zeroPad` (PatchGAN).
 */
export function conv(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: 1 | 2,
  bias?: tf.Tensor1D,
  zeroPad = false,
): tf.Tensor4D {
  const k = w.shape[0];
  let padded: tf.Tensor4D;
  if (zeroPad) {
    padded = tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
  } else {
    padded = reflectionPad(x, k % 2 === 1 ? (k - 1) / 2 : 1);
  }
  const y = tf.conv2d(padded, w, stride, 'valid');
  return bias === undefined ? y : tf.add(y, bias);
}
