import { invalidArgument, type Volume } from '@duncan-mri/volume';
import { SSIM_KERNEL } from './internal/kernels.js';
import { standardSliceSsim } from './internal/ssim-core.js';
import { assertMinimumSize, validateMask, validateScoredPair } from './internal/validate.js';
import { meanSquaredError, psnrFromMse } from './psnr.js';

/** Options of {@link sliceScores}. */
export interface SliceScoresOptions {
  /** The dynamic range of the intensity scale (max - min), for SSIM's constants and PSNR's peak. Required. */
  readonly dataRange: number;
  /**
   * Where the anatomy is (one entry per voxel, non-zero = inside), e.g. {@link headMask} of the
   * reference. Required: slices without a mask voxel are skipped.
   */
  readonly mask: Uint8Array;
}

/** SSIM, PSNR and NRMSE of one slice, over one region. */
export interface SliceMetrics {
  /** Mean SSIM (2-D, Wang et al. 2004 defaults); higher is better, at most 1. */
  readonly ssim: number;
  /** PSNR in dB, `Infinity` for identical voxels; higher is better. */
  readonly psnr: number;
  /**
   * RMSE divided by the reference's max - min over the same voxels (scikit-image's
   * `normalized_root_mse(normalization='min-max')`); lower is better, 0 for identical voxels.
   * `Infinity` (or `NaN` with no error) where the reference is constant over the region.
   */
  readonly nrmse: number;
}

/** The scores of one z slice in {@link sliceScores}. */
export interface SliceScore {
  /** The slice index (z). */
  readonly z: number;
  /** Mask voxels in this slice (> 0: empty slices are skipped). */
  readonly maskVoxels: number;
  /** Inside the mask. */
  readonly inMask: SliceMetrics;
  /** Over the whole slice (SSIM over the positions where the window fits, as {@link ssim}). */
  readonly whole: SliceMetrics;
}

const WHERE = 'sliceScores';

/**
 * Per z slice, SSIM, PSNR and NRMSE of `test` against `reference` inside the mask and over the
 * whole slice: the slice-level samples behind an honest comparison of corrections, where the
 * dark background around the head cannot dominate (see {@link evaluateCorrection}).
 *
 * Each slice is scored as a 2-D image (`nz = 1`) on its own:
 * - **SSIM** (Wang, Bovik, Sheikh & Simoncelli, IEEE TIP 2004; Gaussian sigma 1.5, K1 0.01,
 *   K2 0.03): in the mask, the mean of the slice's full SSIM map over the mask's voxels (as
 *   `ssim(refSlice, testSlice, { dataRange, mask })`); whole, the mean over the positions where
 *   the 11x11 window fits (as `ssim(refSlice, testSlice, { dataRange })`, scikit-image's
 *   `structural_similarity`). Both come from one pass of the same SSIM engine as {@link ssim}.
 * - **PSNR**: `10 log10(dataRange^2 / MSE)` over the region's voxels (as {@link psnr} with and
 *   without the mask).
 * - **NRMSE**: `sqrt(MSE) / (max - min of the reference over the region)`: scikit-image's
 *   `normalized_root_mse(reference, test, normalization='min-max')`, restricted to the region
 *   (the mask's voxels of the slice, or the whole slice). Note the normaliser is the
 *   reference's range in the region, not `dataRange`.
 *
 * Slices where the mask has no voxel are skipped (not returned): they have no in-mask score,
 * and for a head mask they are slices without anatomy. The whole-slice values of the kept
 * slices are computed on the same slices, so the two regions compare like with like.
 *
 * @returns one entry per slice with at least one mask voxel, in increasing z.
 * @throws `MriError` `SHAPE_MISMATCH` for different shapes or a mask of the wrong length;
 *   `INVALID_ARGUMENT` for non-finite voxels, a missing or non-positive `dataRange`, a missing
 *   or empty mask, or slices smaller than 11x11.
 *
 * @example
 * ```ts
 * const mask = headMask(clean);
 * const scores = sliceScores(clean, corrected, { dataRange: 255, mask });
 * const meanInHeadSsim = scores.reduce((s, x) => s + x.inMask.ssim, 0) / scores.length;
 * ```
 */
export function sliceScores(
  reference: Volume,
  test: Volume,
  options: SliceScoresOptions,
): SliceScore[] {
  const { opts, dataRange } = validateScoredPair(WHERE, reference, test, options);
  if (opts.mask === undefined) {
    invalidArgument(WHERE, 'mask', 'is required (a Uint8Array, one entry per voxel)', undefined);
  }
  const mask = validateMask(WHERE, opts.mask, reference.data.length)!;
  assertMinimumSize(WHERE, reference.shape, SSIM_KERNEL.length, 2, 'the 11x11 Gaussian window');
  const [nx, ny, nz] = reference.shape;
  const plane = nx * ny;
  const out: SliceScore[] = [];
  for (let z = 0; z < nz; z++) {
    const start = z * plane;
    const m = mask.subarray(start, start + plane);
    let maskVoxels = 0;
    for (let i = 0; i < plane; i++) if (m[i] !== 0) maskVoxels++;
    if (maskVoxels === 0) continue;
    const x = reference.data.subarray(start, start + plane);
    const y = test.data.subarray(start, start + plane);
    const s = standardSliceSsim(x, y, nx, ny, dataRange, m);
    const mseIn = meanSquaredError(x, y, m);
    const mseWhole = meanSquaredError(x, y, undefined);
    out.push({
      z,
      maskVoxels,
      inMask: {
        ssim: s.maskedMean!,
        psnr: psnrFromMse(dataRange, mseIn),
        nrmse: Math.sqrt(mseIn) / rangeOf(x, m),
      },
      whole: {
        ssim: s.mean,
        psnr: psnrFromMse(dataRange, mseWhole),
        nrmse: Math.sqrt(mseWhole) / rangeOf(x, undefined),
      },
    });
  }
  return out;
}

/** max - min of `x` over the mask's voxels (all voxels without a mask). */
function rangeOf(x: Float32Array, mask: Uint8Array | undefined): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    if (mask && mask[i] === 0) continue;
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}
