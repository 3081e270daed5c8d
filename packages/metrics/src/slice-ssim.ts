import type { Volume } from '@duncan-mri/volume';
import { SSIM_KERNEL } from './internal/kernels.js';
import { standardSliceSsim } from './internal/ssim-core.js';
import { assertMinimumSize, validateScoredPair } from './internal/validate.js';

/** Options of {@link sliceSsim}. */
export interface SliceSsimOptions {
  /** The dynamic range of the intensity scale (max - min), for SSIM's constants. Required. */
  readonly dataRange: number;
}

const WHERE = 'sliceSsim';

/**
 * The 2-D SSIM of every z slice on its own (Wang, Bovik, Sheikh & Simoncelli, IEEE TIP 2004;
 * Gaussian sigma 1.5, K1 0.01, K2 0.03), in order, one value per slice: each is exactly
 * `ssim(referenceSlice, testSlice, { dataRange })`, the mean over the positions where the 11x11
 * window fits. Their mean is `ssim(reference, test, { dataRange, slicewise: true })` (up to rounding). These are
 * the per-slice samples of an SSIM box plot; for in-mask scores and PSNR and NRMSE beside them,
 * use {@link sliceScores}.
 *
 * @throws `MriError` `SHAPE_MISMATCH` for different shapes; `INVALID_ARGUMENT` for non-finite
 *   voxels, a missing or non-positive `dataRange`, or slices smaller than 11x11.
 *
 * @example
 * ```ts
 * const perSlice = sliceSsim(clean, corrected, { dataRange: 255 });
 * const worst = Math.min(...perSlice);
 * ```
 */
export function sliceSsim(reference: Volume, test: Volume, options: SliceSsimOptions): number[] {
  const { dataRange } = validateScoredPair(WHERE, reference, test, options);
  assertMinimumSize(WHERE, reference.shape, SSIM_KERNEL.length, 2, 'the 11x11 Gaussian window');
  const [nx, ny, nz] = reference.shape;
  const plane = nx * ny;
  const out: number[] = [];
  for (let z = 0; z < nz; z++) {
    const start = z * plane;
    const x = reference.data.subarray(start, start + plane);
    const y = test.data.subarray(start, start + plane);
    out.push(standardSliceSsim(x, y, nx, ny, dataRange, undefined).mean);
  }
  return out;
}
