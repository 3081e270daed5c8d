import type { Volume } from '@duncan-mri/volume';
import { validateMask, validateScoredPair } from './internal/validate.js';

/** Options of {@link psnr}. */
export interface PsnrOptions {
  /** The dynamic range of the intensity scale (e.g. 255 for 8-bit data): the peak of PSNR. Required. */
  readonly dataRange: number;
  /** Compute the mean squared error only over voxels where the mask is non-zero. */
  readonly mask?: Uint8Array;
}

const WHERE = 'psnr';

/**
 * Peak signal-to-noise ratio in decibels: `10 log10(dataRange^2 / MSE)`, with the mean squared
 * error accumulated in float64, as scikit-image's `peak_signal_noise_ratio(reference, test,
 * data_range=R)`. Identical inputs (MSE = 0) give `Infinity`. Symmetric in its arguments.
 *
 * @example
 * ```ts
 * const db = psnr(clean, corrected, { dataRange: 255 });
 * const inBrain = psnr(clean, corrected, { dataRange: 255, mask: brainMask });
 * ```
 */
export function psnr(reference: Volume, test: Volume, options: PsnrOptions): number {
  const { opts, dataRange } = validateScoredPair(WHERE, reference, test, options);
  const mask = validateMask(WHERE, opts.mask, reference.data.length);
  return psnrFromMse(dataRange, meanSquaredError(reference.data, test.data, mask));
}

/** The mean squared error in float64, over the mask's voxels when there is one. */
export function meanSquaredError(
  x: Float32Array,
  y: Float32Array,
  mask: Uint8Array | undefined,
): number {
  let sum = 0;
  let count = 0;
  if (mask) {
    for (let i = 0; i < x.length; i++) {
      if (mask[i] === 0) continue;
      const d = x[i]! - y[i]!;
      sum += d * d;
      count++;
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - y[i]!;
      sum += d * d;
    }
    count = x.length;
  }
  return sum / count;
}

/** `10 log10(R^2 / mse)`; `Infinity` for a zero error. */
export function psnrFromMse(dataRange: number, mse: number): number {
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((dataRange * dataRange) / mse);
}
