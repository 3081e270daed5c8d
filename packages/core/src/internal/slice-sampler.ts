import {
  assertVolume,
  extractPlane,
  invalidArgument,
  type Rng,
  type Volume,
} from '@duncan-mri/volume';
import type { ModelConfig } from '../model-config.js';
import { normalise, robustRange, sliceGeometry } from './volume-tensor.js';

/** The usable (foreground-rich) slices of one normalised volume. */
interface SliceSource {
  readonly data: Float32Array;
  readonly volume: Volume;
  readonly slices: readonly number[];
}

/** Slices of an unpaired collection, normalised per volume, ready for random crops. */
export interface SlicePool {
  readonly sources: readonly SliceSource[];
  readonly axis: 0 | 1 | 2;
  /** Total usable slices. */
  readonly count: number;
}

/**
 * Normalises every volume by its robust percentiles and lists the slices along `axis` whose
 * foreground fraction (normalised intensity above the threshold) reaches the minimum.
 */
export function prepareSlices(
  where: string,
  argument: string,
  volumes: unknown,
  config: ModelConfig,
  axis: 0 | 1 | 2,
): SlicePool {
  if (!Array.isArray(volumes) || volumes.length === 0) {
    invalidArgument(where, argument, 'must be a non-empty array of volumes', volumes);
  }
  const sources: SliceSource[] = [];
  let count = 0;
  volumes.forEach((v, i) => {
    assertVolume(v, where, `${argument}[${i}]`);
    const range = robustRange(v.data, config.lowPercentile, config.highPercentile);
    const data = normalise(v.data, range);
    const { count: n } = sliceGeometry(v.shape, axis);
    const slices: number[] = [];
    for (let s = 0; s < n; s++) {
      const image = extractPlane(data, v.shape, axis, s);
      let fg = 0;
      for (const x of image) if (x > config.foregroundThreshold) fg++;
      if (fg >= config.minForegroundFraction * image.length && fg > 0) slices.push(s);
    }
    count += slices.length;
    sources.push({ data, volume: v, slices });
  });
  if (count === 0) {
    invalidArgument(
      where,
      argument,
      `must contain slices with at least ${config.minForegroundFraction * 100} % foreground`,
      `${volumes.length} volume(s) without any`,
    );
  }
  return { sources, axis, count };
}

/**
 * A random `size`x`size` crop of a random usable slice (smaller slices are zero-padded,
 * centred), with random horizontal and vertical flips when `flips`.
 */
export function sampleCrop(pool: SlicePool, size: number, flips: boolean, rng: Rng): Float32Array {
  let k = rng.int(pool.count);
  let source = pool.sources[0]!;
  for (const s of pool.sources) {
    if (k < s.slices.length) {
      source = s;
      break;
    }
    k -= s.slices.length;
  }
  const shape = source.volume.shape;
  const image = extractPlane(source.data, shape, pool.axis, source.slices[k]!);
  const { height, width } = sliceGeometry(shape, pool.axis);
  const oy = height > size ? rng.int(height - size + 1) : -Math.floor((size - height) / 2);
  const ox = width > size ? rng.int(width - size + 1) : -Math.floor((size - width) / 2);
  const flipY = flips && rng.float() < 0.5;
  const flipX = flips && rng.float() < 0.5;
  const out = new Float32Array(size * size);
  for (let r = 0; r < size; r++) {
    const y = oy + (flipY ? size - 1 - r : r);
    if (y < 0 || y >= height) continue;
    for (let c = 0; c < size; c++) {
      const x = ox + (flipX ? size - 1 - c : c);
      if (x < 0 || x >= width) continue;
      out[r * size + c] = image[y * width + x]!;
    }
  }
  return out;
}
