import {
  invalidArgument,
  type Rng,
  spacing,
  type Volume,
  validateNumber,
  withData,
} from '@duncan-mri/volume';
import { drawUniform, readRanges } from './internal/sampling.js';
import { fieldReader, validateVolume } from './internal/validate.js';

/** Explicit parameters of {@link blur}. */
export interface BlurParams {
  /**
   * Standard deviation of the Gaussian kernel in millimetres, one for all axes or `[sx, sy, sz]`,
   * each in [0, 50]; converted to voxels with the affine's spacing. 0 is no artefact.
   */
  readonly sigmaMm: number | readonly [number, number, number];
}

/** Ranges of {@link sampleBlur}. */
export interface BlurRanges {
  /** Default `[0.5, 1.5]` mm (the same draw for every axis). */
  readonly sigmaMm?: number | readonly [number, number];
}

interface Resolved {
  readonly sigmaMm: readonly [number, number, number];
}

/** The bounds of each parameter, and of each range that {@link sampleBlur} draws it from. */
const RULES = { sigmaMm: { min: 0, max: 50 } };

/** Validates and completes the parameters of {@link blur} (shared with `simulate` and `replay`). */
export function resolveBlurParams(where: string, params: unknown): Resolved {
  const p = fieldReader(where, 'params', params, RULES);
  const s = p.fields.sigmaMm;
  if (Array.isArray(s)) {
    if (s.length !== 3) invalidArgument(where, 'sigmaMm', 'must be a number or [sx, sy, sz]', s);
    return {
      sigmaMm: s.map((v) => validateNumber(where, 'sigmaMm', v, RULES.sigmaMm)) as unknown as [
        number,
        number,
        number,
      ],
    };
  }
  const v = p.number('sigmaMm');
  return { sigmaMm: [v, v, v] };
}

/** Gaussian taps for `sigma` voxels, truncated at 4 sigma (as scipy's `gaussian_filter`). */
function kernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.round(4 * sigma));
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/** scipy's `mode='reflect'`: `d c b a | a b c d | d c b a`. */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

/**
 * Gaussian blur with the standard deviation in millimetres (TorchIO's `Blur`), separable,
 * truncated at 4 sigma, mirrored borders (`scipy.ndimage.gaussian_filter(..., mode='reflect')`
 * with `sigma = sigmaMm / spacing`). Zero sigma returns a copy of the input.
 *
 * @example
 * ```ts
 * const soft = blur(slice, { sigmaMm: 1.2 });
 * ```
 */
export function blur(volume: Volume, params: BlurParams): Volume {
  const v = validateVolume('blur', volume);
  return applyBlur(v, resolveBlurParams('blur', params));
}

/** {@link blur} without validation (shared with `simulate` and `replay`). */
export function applyBlur(volume: Volume, p: Resolved): Volume {
  const shape = volume.shape;
  const sp = spacing(volume.affine);
  let current = Float64Array.from(volume.data);
  let next = new Float64Array(current.length);
  const strides = [1, shape[0], shape[0] * shape[1]];
  for (let axis = 0; axis < 3; axis++) {
    const n = shape[axis]!;
    const sigma = p.sigmaMm[axis]! / sp[axis]!;
    if (n === 1 || sigma === 0) continue;
    const k = kernel(sigma);
    const radius = (k.length - 1) / 2;
    const stride = strides[axis]!;
    const line = new Float64Array(n + 2 * radius);
    const lines = current.length / n;
    for (let l = 0; l < lines; l++) {
      const inner = l % stride;
      const base = inner + Math.floor(l / stride) * stride * n;
      for (let i = -radius; i < n + radius; i++)
        line[i + radius] = current[base + reflect(i, n) * stride]!;
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let t = 0; t < k.length; t++) acc += k[t]! * line[i + t]!;
        next[base + i * stride] = acc;
      }
    }
    const swap = current;
    current = next;
    next = swap;
  }
  return withData(volume, Float32Array.from(current));
}

/**
 * Draws {@link BlurParams} (TorchIO's `RandomBlur`: `std` in mm).
 *
 * @example `const params = sampleBlur(createRng(9), { sigmaMm: [0.5, 1] });`
 */
export function sampleBlur(rng: Rng, ranges: BlurRanges = {}): BlurParams {
  const sigma = readRanges('sampleBlur', rng, ranges, RULES).range('sigmaMm', [0.5, 1.5]);
  return { sigmaMm: drawUniform(rng, sigma) };
}
