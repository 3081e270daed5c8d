import { type Volume, withData } from '@duncan-mri/volume';
import { SSIM_KERNEL } from './internal/kernels.js';
import { ssimCore } from './internal/ssim-core.js';
import {
  assertMinimumSize,
  validateFlag,
  validateMask,
  validateNumberOption,
  validateScoredPair,
} from './internal/validate.js';

/** Options of {@link ssim}. */
export interface SsimOptions {
  /**
   * The dynamic range of the intensity scale (max - min possible value), e.g. 255 for 8-bit
   * data. Required: SSIM's stabilising constants are `(K1 * dataRange)^2` and `(K2 * dataRange)^2`.
   */
  readonly dataRange: number;
  /** Average the SSIM map over the voxels where the mask is non-zero (one entry per voxel). */
  readonly mask?: Uint8Array;
  /** For a 3-D volume: the mean of the 2-D SSIM of each z slice instead of 3-D windows. */
  readonly slicewise?: boolean;
  /** Also return the full-size SSIM map as a volume. */
  readonly map?: boolean;
  /** Luminance constant K1 (default 0.01, Wang et al. 2004). */
  readonly k1?: number;
  /** Contrast constant K2 (default 0.03, Wang et al. 2004). */
  readonly k2?: number;
}

/** What {@link ssim} returns with `map: true`. */
export interface SsimMapResult {
  /** The mean SSIM (inside the mask when one is given). */
  readonly ssim: number;
  /** The SSIM of every voxel's window, same shape and affine as the reference. */
  readonly map: Volume;
}

const WHERE = 'ssim';

/**
 * The structural similarity index (Wang, Bovik, Sheikh & Simoncelli, "Image quality
 * assessment: from error visibility to structural similarity", IEEE TIP 2004): Gaussian window
 * of sigma 1.5 truncated to 11 taps, K1 = 0.01, K2 = 0.03, population (biased) covariances.
 *
 * 2-D on 2-D inputs (`nz = 1`) and true 3-D (11x11x11 windows) on 3-D inputs, unless
 * `slicewise`. The mean is taken over the voxels at least 5 voxels from every border (where
 * the window fits), which equals scikit-image's
 * `structural_similarity(reference, test, data_range=R, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False)`. The map (and the masked mean) covers every voxel, with
 * mirrored borders (`mode='reflect'`), as scikit-image's `full=True` map.
 *
 * `ssim(x, x) = 1`; the index is symmetric in its arguments and at most 1.
 *
 * @example
 * ```ts
 * const score = ssim(clean, corrected, { dataRange: 255 });
 * const { ssim: inBrain, map } = ssim(clean, corrected, { dataRange: 255, mask: brainMask, map: true });
 * ```
 * @throws MriError `SHAPE_MISMATCH` when shapes differ, `INVALID_ARGUMENT` for non-finite
 * voxels, a bad option, or an image smaller than 11 voxels along an axis.
 */
export function ssim(
  reference: Volume,
  test: Volume,
  options: SsimOptions & { map: true },
): SsimMapResult;
export function ssim(reference: Volume, test: Volume, options: SsimOptions): number;
export function ssim(
  reference: Volume,
  test: Volume,
  options: SsimOptions,
): number | SsimMapResult {
  const { opts, dataRange } = validateScoredPair(WHERE, reference, test, options);
  const mask = validateMask(WHERE, opts.mask, reference.data.length);
  const slicewise = validateFlag(WHERE, 'slicewise', opts.slicewise);
  const wantMap = validateFlag(WHERE, 'map', opts.map);
  const k1 = validateNumberOption(WHERE, 'k1', opts.k1, 0.01, 0, 1);
  const k2 = validateNumberOption(WHERE, 'k2', opts.k2, 0.03, 0, 1);
  const threeD = reference.shape[2] > 1 && !slicewise;
  assertMinimumSize(
    WHERE,
    reference.shape,
    SSIM_KERNEL.length,
    threeD ? 3 : 2,
    threeD
      ? 'the 11x11x11 Gaussian window; use slicewise: true for thin stacks'
      : 'the 11x11 Gaussian window',
  );
  const result = ssimCore(reference.data, test.data, reference.shape, {
    kernel: SSIM_KERNEL,
    c1: (k1 * dataRange) ** 2,
    c2: (k2 * dataRange) ** 2,
    threeD,
    wantMap,
    mask,
  });
  const value = mask ? result.maskedMean! : result.mean;
  return wantMap ? { ssim: value, map: withData(reference, result.map!) } : value;
}
