/**
 * The one place where `Volume` voxels become tensors and back: slicing along an axis,
 * robust percentile normalisation, and NHWC batches. Tensors never leave the package.
 */

import type { Shape } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';

/** A 2-D image, row-major `[height, width]`. */
export interface Image2d {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
}

/** Slice count and in-plane size along `axis` (rows, columns). */
export function sliceGeometry(
  shape: Shape,
  axis: 0 | 1 | 2,
): { count: number; height: number; width: number } {
  const [nx, ny, nz] = shape;
  if (axis === 2) return { count: nz, height: ny, width: nx };
  if (axis === 1) return { count: ny, height: nz, width: nx };
  return { count: nx, height: nz, width: ny };
}

/**
 * Slice `index` along `axis` of x-fastest voxels: axis 2 gives `[ny, nx]`, axis 1 `[nz, nx]`,
 * axis 0 `[nz, ny]`.
 */
export function extractSlice(
  data: Float32Array,
  shape: Shape,
  axis: 0 | 1 | 2,
  index: number,
): Image2d {
  const [nx, ny] = shape;
  const { height, width } = sliceGeometry(shape, axis);
  if (axis === 2) {
    const start = nx * ny * index;
    return { data: data.slice(start, start + nx * ny), height, width };
  }
  const out = new Float32Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      out[r * width + c] =
        axis === 1 ? data[c + nx * (index + ny * r)]! : data[index + nx * (c + ny * r)]!;
    }
  }
  return { data: out, height, width };
}

/** Writes an image back as slice `index` along `axis` (the inverse of {@link extractSlice}). */
export function insertSlice(
  target: Float32Array,
  shape: Shape,
  axis: 0 | 1 | 2,
  index: number,
  image: Float32Array,
): void {
  const [nx, ny] = shape;
  const { height, width } = sliceGeometry(shape, axis);
  if (axis === 2) {
    target.set(image, nx * ny * index);
    return;
  }
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const i = axis === 1 ? c + nx * (index + ny * r) : index + nx * (c + ny * r);
      target[i] = image[r * width + c]!;
    }
  }
}

/** The intensity range mapped onto [0, 1]: percentiles `low` and `high` (numpy's linear rule). */
export interface IntensityRange {
  readonly low: number;
  readonly high: number;
}

/**
 * Robust percentiles of the voxels (linear interpolation between order statistics, numpy's
 * rule); `high = low + 1` when they coincide. This is the range `correct` and `train` normalise
 * a volume by (`config.lowPercentile`, `config.highPercentile`); give it to `correct` as
 * `intensityRange` when correcting parts of one volume separately.
 *
 * @example
 * ```ts
 * const range = robustIntensityRange(volume.data, 0.5, 99.5);
 * ```
 */
export function robustRange(
  data: Float32Array,
  lowPercentile: number,
  highPercentile: number,
): IntensityRange {
  const sorted = Float32Array.from(data).sort();
  const at = (p: number): number => {
    const pos = (p / 100) * (sorted.length - 1);
    const i = Math.floor(pos);
    const frac = pos - i;
    const a = sorted[i]!;
    const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
    return a + (b - a) * frac;
  };
  const low = at(lowPercentile);
  let high = at(highPercentile);
  if (!(high > low)) high = low + 1;
  return { low, high };
}

/** `(v - low) / (high - low)` for every voxel. */
export function normalise(data: Float32Array, range: IntensityRange): Float32Array {
  const scale = 1 / (range.high - range.low);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! - range.low) * scale;
  return out;
}

/** `v * (high - low) + low`: back to the input's intensity scale. */
export function denormalise(data: Float32Array, range: IntensityRange): Float32Array {
  const scale = range.high - range.low;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * scale + range.low;
  return out;
}

/** Stacks same-sized images into an NHWC tensor `[n, height, width, 1]`. */
export function imagesToTensor(
  images: readonly Float32Array[],
  height: number,
  width: number,
): tf.Tensor4D {
  const size = height * width;
  const buffer = new Float32Array(images.length * size);
  images.forEach((image, i) => {
    buffer.set(image, i * size);
  });
  return tf.tensor4d(buffer, [images.length, height, width, 1]);
}

/** Splits the values of an `[n, h, w, 1]` batch into one array per image. */
export function splitImages(values: Float32Array, count: number): Float32Array[] {
  const size = values.length / count;
  return Array.from({ length: count }, (_, i) => values.slice(i * size, (i + 1) * size));
}

/** Reads a tensor's values as float32 (async, so that GPU backends do not block). */
export async function readFloat32(t: tf.Tensor): Promise<Float32Array> {
  return Float32Array.from(await t.data());
}
