import { invalidArgument, type Volume } from '@duncan-mri/volume';
import { gaussianKernel } from './internal/kernels.js';
import { createMomentPlanes, PlaneMomentFilter } from './internal/local-moments.js';
import { filterValidDecimate, type Plane, slicePlane } from './internal/planes.js';
import { validateNumberOption, validateScoredPair } from './internal/validate.js';

/** Options of {@link vif}. */
export interface VifOptions {
  /**
   * The dynamic range of the intensity scale (e.g. 255 for 8-bit data). Required: both images
   * are multiplied by `255 / dataRange` before scoring, because the model's noise variance
   * `sigmaNsq = 2` refers to 0-255 images.
   */
  readonly dataRange: number;
  /** The visual-noise variance on the 0-255 scale (default 2, the authors' code). */
  readonly sigmaNsq?: number;
}

const WHERE = 'vif';
const SCALES = 4;
/** The smallest side for which all four scales have at least one window (see `vifSizes`). */
export const VIF_MINIMUM_SIZE = 41;

/** The information sums of VIF: `vif = numerator / denominator`. */
export interface VifSums {
  numerator: number;
  denominator: number;
}

/**
 * Visual information fidelity in the pixel domain, VIFp (Sheikh & Bovik, "Image information
 * and visual quality", IEEE TIP 2006), as the authors' MATLAB `vifp_mscale.m` computes it:
 * 4 scales; at scale s a Gaussian window of N = 2^(5-s) + 1 taps and sigma N/5 ('valid'
 * borders); between scales the images are filtered with that scale's window and every second
 * pixel kept; `sigma_nsq = 2`; the result is the ratio of the summed information
 * `log10(1 + g^2 var_ref / (var_v + sigma_nsq))` to `log10(1 + var_ref / sigma_nsq)`.
 *
 * **Scale:** `sigma_nsq = 2` is a noise variance on 0-255 images, so VIF depends on the
 * intensity scale. Both inputs are first multiplied by `255 / dataRange`, which makes the
 * result the same as the MATLAB code on the image mapped onto 0-255.
 *
 * 3-D volumes: each z slice is processed in 2-D and the information is summed over all
 * slices before the ratio is taken (so blank slices add nothing instead of 0/0). VIF is
 * `NaN` when the reference has no variance anywhere (0/0). Not symmetric: the first argument
 * is the reference. Each slice must be at least 41x41 pixels.
 *
 * @example
 * ```ts
 * const fidelity = vif(clean, corrected, { dataRange: 255 }); // 1 for identical images
 * ```
 */
export function vif(reference: Volume, test: Volume, options: VifOptions): number {
  const { opts, dataRange } = validateScoredPair(WHERE, reference, test, options);
  const sigmaNsq = validateNumberOption(
    WHERE,
    'sigmaNsq',
    opts.sigmaNsq,
    2,
    Number.MIN_VALUE,
    1e12,
  );
  assertVifSize(WHERE, reference.shape);
  const { numerator, denominator } = vifSums(reference, test, 255 / dataRange, sigmaNsq);
  return numerator / denominator;
}

/** Throws when a slice is too small for the four VIF scales. */
export function assertVifSize(where: string, shape: readonly [number, number, number]): void {
  if (shape[0] < VIF_MINIMUM_SIZE || shape[1] < VIF_MINIMUM_SIZE) {
    invalidArgument(
      where,
      'reference slices',
      `must be at least ${VIF_MINIMUM_SIZE}x${VIF_MINIMUM_SIZE} pixels for the four VIF scales`,
      undefined,
      { got: `${shape[0]}x${shape[1]}`, argument: 'reference' },
    );
  }
}

/** VIF's numerator and denominator summed over all z slices. */
export function vifSums(reference: Volume, test: Volume, scale: number, sigmaNsq: number): VifSums {
  const [nx, ny, nz] = reference.shape;
  const sums: VifSums = { numerator: 0, denominator: 0 };
  for (let z = 0; z < nz; z++) {
    vifPlane(
      slicePlane(reference.data, nx, ny, z, scale),
      slicePlane(test.data, nx, ny, z, scale),
      sigmaNsq,
      sums,
    );
  }
  return sums;
}

function vifPlane(reference: Plane, test: Plane, sigmaNsq: number, sums: VifSums): void {
  let ref = reference;
  let dist = test;
  for (let scale = 1; scale <= SCALES; scale++) {
    const n = 2 ** (SCALES - scale + 1) + 1;
    const window = gaussianKernel(n / 5, (n - 1) / 2);
    if (scale > 1) {
      ref = filterValidDecimate(ref, window);
      dist = filterValidDecimate(dist, window);
    }
    const filter = new PlaneMomentFilter(ref.nx, ref.ny, window, 'valid');
    const m = createMomentPlanes(filter.nxOut, filter.nyOut);
    filter.run(ref.data, dist.data, 0, m);
    let numerator = 0;
    let denominator = 0;
    for (let i = 0; i < m.mx.length; i++) {
      const mu1 = m.mx[i]!;
      const mu2 = m.my[i]!;
      let sigma1Sq = m.xx[i]! - mu1 * mu1;
      let sigma2Sq = m.yy[i]! - mu2 * mu2;
      const sigma12 = m.xy[i]! - mu1 * mu2;
      // The masking statements of vifp_mscale.m, in their order.
      if (sigma1Sq < 0) sigma1Sq = 0;
      if (sigma2Sq < 0) sigma2Sq = 0;
      let g = sigma12 / (sigma1Sq + 1e-10);
      let svSq = sigma2Sq - g * sigma12;
      if (sigma1Sq < 1e-10) {
        g = 0;
        svSq = sigma2Sq;
        sigma1Sq = 0;
      }
      if (sigma2Sq < 1e-10) {
        g = 0;
        svSq = 0;
      }
      if (g < 0) {
        svSq = sigma2Sq;
        g = 0;
      }
      if (svSq <= 1e-10) svSq = 1e-10;
      numerator += Math.log10(1 + (g * g * sigma1Sq) / (svSq + sigmaNsq));
      denominator += Math.log10(1 + sigma1Sq / sigmaNsq);
    }
    sums.numerator += numerator;
    sums.denominator += denominator;
  }
}
