import type { Volume } from '@duncan-mri/volume';
import { SSIM_KERNEL } from './internal/kernels.js';
import { ssimCore } from './internal/ssim-core.js';
import {
  assertMinimumSize,
  validateFlag,
  validateMask,
  validateScoredPair,
} from './internal/validate.js';
import {
  MS_SSIM_WEIGHTS,
  multiScaleSsimMinimumSize,
  multiScaleSsimVolume,
} from './multi-scale-ssim.js';
import { meanSquaredError, psnrFromMse } from './psnr.js';
import { uqiCore } from './uqi.js';
import { VIF_MINIMUM_SIZE, vifSums } from './vif.js';

/** Options of {@link compareImages}. */
export interface CompareImagesOptions {
  /** The dynamic range of the intensity scale (e.g. 255 for 8-bit data). Required. */
  readonly dataRange: number;
  /** Restrict SSIM, UQI and PSNR to the voxels where the mask is non-zero (MS-SSIM and VIF ignore it). */
  readonly mask?: Uint8Array;
  /** For a 3-D volume, SSIM as the mean of 2-D slice scores instead of 3-D windows. */
  readonly slicewise?: boolean;
}

/** The five metrics of {@link compareImages}. */
export interface ImageComparison {
  /** {@link ssim} (masked when a mask is given). */
  readonly ssim: number;
  /** {@link @duncan-mri/metrics!multiScaleSsim | multiScaleSsim}, or `null` when a slice is smaller than 176x176 pixels. */
  readonly msssim: number | null;
  /** {@link vif}, or `null` when a slice is smaller than 41x41 pixels. */
  readonly vif: number | null;
  /** {@link uqi} (masked when a mask is given). */
  readonly uqi: number;
  /** {@link psnr} in dB (masked when a mask is given). */
  readonly psnr: number;
}

const WHERE = 'compareImages';

/**
 * All five metrics in one call, with the defaults of their papers: the inputs are validated
 * once, and on 2-D images SSIM's local statistics also give MS-SSIM's finest scale. Each value
 * equals the one of the single-metric function with the same options. Metrics that need a
 * larger image than given are `null` rather than an error, so one call can score any slice.
 *
 * @example
 * ```ts
 * const { ssim, msssim, vif, uqi, psnr } = compareImages(clean, corrected, { dataRange: 255 });
 * ```
 */
export function compareImages(
  reference: Volume,
  test: Volume,
  options: CompareImagesOptions,
): ImageComparison {
  const { opts, dataRange } = validateScoredPair(WHERE, reference, test, options);
  const mask = validateMask(WHERE, opts.mask, reference.data.length);
  const slicewise = validateFlag(WHERE, 'slicewise', opts.slicewise);
  const { shape } = reference;
  const [nx, ny, nz] = shape;
  const threeD = nz > 1 && !slicewise;
  assertMinimumSize(WHERE, shape, SSIM_KERNEL.length, threeD ? 3 : 2, 'the 11-voxel SSIM window');
  const constants = { c1: (0.01 * dataRange) ** 2, c2: (0.03 * dataRange) ** 2 };
  const ssimResult = ssimCore(reference.data, test.data, shape, {
    kernel: SSIM_KERNEL,
    ...constants,
    threeD,
    wantMap: false,
    mask,
    wantCs: nz === 1,
  });

  let msssim: number | null = null;
  const msMinimum = multiScaleSsimMinimumSize(MS_SSIM_WEIGHTS.length);
  if (nx >= msMinimum && ny >= msMinimum) {
    // In 2-D, scale 1 of MS-SSIM is exactly SSIM's window over the same pixels.
    msssim = multiScaleSsimVolume(reference, test, MS_SSIM_WEIGHTS, constants, ssimResult.meanCs);
  }

  let vifValue: number | null = null;
  if (nx >= VIF_MINIMUM_SIZE && ny >= VIF_MINIMUM_SIZE) {
    const sums = vifSums(reference, test, 255 / dataRange, 2);
    vifValue = sums.numerator / sums.denominator;
  }

  return {
    ssim: mask ? ssimResult.maskedMean! : ssimResult.mean,
    msssim,
    vif: vifValue,
    uqi: uqiCore(WHERE, reference.data, test.data, shape, mask),
    psnr: psnrFromMse(dataRange, meanSquaredError(reference.data, test.data, mask)),
  };
}
