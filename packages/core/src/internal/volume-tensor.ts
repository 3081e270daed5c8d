/**
 * The one place where `Volume` voxels become tensors and back: slice geometry, robust
 * percentile normalisation, and NHWC batches (slices themselves come from `extractPlane` of
 * `@duncan-mri/volume`). Tensors never leave the package.
 */

import type { Shape } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Slice count and in-plane size along `axis` (rows, columns): the slice `extractPlane` of
 * `@duncan-mri/volume` gives, read as a row-major `[height, width]` image.
 */
export function sliceGeometry(
  shape: Shape,
  axis: 0 | 1 | 2,
): { count: number; height: number; width: number } {
  const [nx, ny, nz] = shape;
  if (axis === 2) return { count: nz, height: ny, width: nx };
  if (axis === 1) return { count: ny, height: nz, width: nx };
  return { count: nx, height: nz, width: ny };
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
  const n = data.length;
  const ranks = (p: number) => {
    const pos = (p / 100) * (n - 1);
    const i = Math.floor(pos);
    return { i, next: Math.min(i + 1, n - 1), frac: pos - i };
  };
  const lo = ranks(lowPercentile);
  const hi = ranks(highPercentile);
  const [a0, a1, b0, b1] = orderStatistics(data, [lo.i, lo.next, hi.i, hi.next]);
  const low = a0! + (a1! - a0!) * lo.frac;
  let high = b0! + (b1! - b0!) * hi.frac;
  if (!(high > low)) high = low + 1;
  return { low, high };
}

/**
 * The order-preserving unsigned key of a float32's bits: keys compare as the values sort in a
 * `Float32Array.prototype.sort` (-0 before +0; every NaN last, as the largest key).
 */
function sortKey(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) return 0xffffffff;
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

const keyBits = new Uint32Array(1);
const keyValue = new Float32Array(keyBits.buffer);

/** The float32 value of a {@link sortKey} (NaN for the NaN key). */
function valueOfKey(key: number): number {
  if (key === 0xffffffff) return Number.NaN;
  keyBits[0] = key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  return keyValue[0]!;
}

/**
 * The values at the given ranks (0-based) of `data` in sorted order, exactly as sorting a copy
 * would give them, in two passes and 65,536-bin histograms of the order-preserving keys (the
 * high 16 bits, then the low 16 bits within the bins the ranks fall in) instead of a sorted copy:
 * a 512x512x300 volume took ~18 s and 315 MB more to sort.
 */
export function orderStatistics(data: Float32Array, wanted: readonly number[]): number[] {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const high = new Uint32Array(65_536);
  for (let i = 0; i < bits.length; i++) high[sortKey(bits[i]!) >>> 16]!++;
  // The high bin of each rank, and the rank within that bin.
  const bins = wanted.map((rank) => {
    let bin = 0;
    let below = 0;
    while (below + high[bin]! <= rank) below += high[bin++]!;
    return { bin, rank: rank - below };
  });
  const slotOf = new Int8Array(65_536).fill(-1);
  const lows: Uint32Array[] = [];
  for (const { bin } of bins) {
    if (slotOf[bin] === -1) {
      slotOf[bin] = lows.length;
      lows.push(new Uint32Array(65_536));
    }
  }
  for (let i = 0; i < bits.length; i++) {
    const key = sortKey(bits[i]!);
    const slot = slotOf[key >>> 16]!;
    if (slot >= 0) lows[slot]![key & 0xffff]!++;
  }
  return bins.map(({ bin, rank }) => {
    const low = lows[slotOf[bin]!]!;
    let at = 0;
    let below = 0;
    while (below + low[at]! <= rank) below += low[at++]!;
    return valueOfKey(((bin << 16) | at) >>> 0);
  });
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
