import { invalidArgument, type Volume } from '@duncan-mri/volume';
import { SSIM_KERNEL } from './internal/kernels.js';
import { createMomentPlanes, PlaneMomentFilter } from './internal/local-moments.js';
import { averagePool2, type Plane, slicePlane } from './internal/planes.js';
import { validateNumberOption, validateScoredPair } from './internal/validate.js';

/** The five scale weights of Wang, Simoncelli & Bovik (2003), finest first. */
export const MS_SSIM_WEIGHTS: readonly number[] = Object.freeze([
  0.0448, 0.2856, 0.3001, 0.2363, 0.1333,
]);

/** Options of {@link multiScaleSsim}. */
export interface MultiScaleSsimOptions {
  /** The dynamic range of the intensity scale (e.g. 255 for 8-bit data). Required. */
  readonly dataRange: number;
  /** One exponent per scale, finest first (default {@link MS_SSIM_WEIGHTS}, five scales). */
  readonly weights?: readonly number[];
  /** Luminance constant K1 (default 0.01). */
  readonly k1?: number;
  /** Contrast constant K2 (default 0.03). */
  readonly k2?: number;
}

const WHERE = 'multiScaleSsim';

/**
 * Multi-scale SSIM (Wang, Simoncelli & Bovik, "Multiscale structural similarity for image
 * quality assessment", Asilomar 2003), following the authors' MATLAB `msssim.m`:
 * at each of 5 scales, local statistics under the 11-tap Gaussian window (sigma 1.5) with
 * 'valid' borders; the mean contrast-structure term at scales 1-4 and the mean full SSIM at
 * scale 5, each clamped at 0 and raised to its weight (0.0448, 0.2856, 0.3001, 0.2363, 0.1333),
 * multiplied together. Between scales, 2x2 average pooling; **an odd row or column is dropped**
 * (TensorFlow's and pytorch_msssim's rule; the MATLAB code mirrors it instead, so results
 * differ from it only on odd sizes).
 *
 * 3-D volumes are scored slice by slice (axial z slices), and the slice scores averaged.
 * Each side must stay at least 11 pixels after four halvings, i.e. at least 176 pixels.
 *
 * @example
 * ```ts
 * const score = multiScaleSsim(clean, corrected, { dataRange: 255 }); // 256x256 slice
 * ```
 * @throws MriError `INVALID_ARGUMENT` when an image is too small for the number of scales.
 */
export function multiScaleSsim(
  reference: Volume,
  test: Volume,
  options: MultiScaleSsimOptions,
): number {
  const { opts, dataRange } = validateScoredPair(WHERE, reference, test, options);
  const weights = validateWeights(opts.weights);
  const k1 = validateNumberOption(WHERE, 'k1', opts.k1, 0.01, 0, 1);
  const k2 = validateNumberOption(WHERE, 'k2', opts.k2, 0.03, 0, 1);
  assertMultiScaleSize(WHERE, reference.shape, weights.length);
  const constants = { c1: (k1 * dataRange) ** 2, c2: (k2 * dataRange) ** 2 };
  return multiScaleSsimVolume(reference, test, weights, constants);
}

/**
 * MS-SSIM of a validated pair, slice by slice, averaged over z. `scale1Cs` (2-D only) is an
 * already computed scale-1 contrast-structure mean (shared with SSIM by `compareImages`).
 */
export function multiScaleSsimVolume(
  reference: Volume,
  test: Volume,
  weights: readonly number[],
  constants: { readonly c1: number; readonly c2: number },
  scale1Cs?: number,
): number {
  const [nx, ny, nz] = reference.shape;
  let total = 0;
  for (let z = 0; z < nz; z++) {
    total += multiScaleSsimPlane(
      slicePlane(reference.data, nx, ny, z),
      slicePlane(test.data, nx, ny, z),
      weights,
      constants,
      nz === 1 ? scale1Cs : undefined,
    );
  }
  return total / nz;
}

/** The smallest side that survives `scales - 1` halvings with 11 pixels left. */
export function multiScaleSsimMinimumSize(scales: number): number {
  return SSIM_KERNEL.length * 2 ** (scales - 1);
}

/** Throws when a slice is too small for the given number of scales. */
export function assertMultiScaleSize(
  where: string,
  shape: readonly [number, number, number],
  scales: number,
): void {
  const minimum = multiScaleSsimMinimumSize(scales);
  if (shape[0] < minimum || shape[1] < minimum) {
    invalidArgument(
      where,
      'reference slices',
      `must be at least ${minimum}x${minimum} pixels for ${scales} scales (the 11-pixel window must fit after ${scales - 1} halvings)`,
      undefined,
      { got: `${shape[0]}x${shape[1]}`, argument: 'reference' },
    );
  }
}

function validateWeights(weights: unknown): readonly number[] {
  if (weights === undefined) return MS_SSIM_WEIGHTS;
  if (
    !Array.isArray(weights) ||
    weights.length < 1 ||
    weights.length > 8 ||
    !weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0)
  ) {
    invalidArgument(WHERE, 'weights', 'must be 1 to 8 non-negative finite numbers', weights);
  }
  return weights;
}

/**
 * MS-SSIM of one plane pair. `scale1Cs`, when given, is the already computed mean
 * contrast-structure term of scale 1 (shared with SSIM by `compareImages`).
 */
export function multiScaleSsimPlane(
  a: Plane,
  b: Plane,
  weights: readonly number[],
  constants: { readonly c1: number; readonly c2: number },
  scale1Cs?: number,
): number {
  const { c1, c2 } = constants;
  const levels = weights.length;
  let x = a;
  let y = b;
  let product = 1;
  for (let level = 0; level < levels; level++) {
    const last = level === levels - 1;
    let value: number;
    if (level === 0 && !last && scale1Cs !== undefined) {
      value = scale1Cs;
    } else {
      const filter = new PlaneMomentFilter(x.nx, x.ny, SSIM_KERNEL, 'valid', 'combined');
      const m = createMomentPlanes(filter.nxOut, filter.nyOut, 'combined');
      filter.run(x.data, y.data, 0, m);
      let sum = 0;
      for (let i = 0; i < m.mx.length; i++) {
        const ux = m.mx[i]!;
        const uy = m.my[i]!;
        // m.xx is E[x^2 + y^2] ('combined' moments).
        const d = ux - uy;
        const cs = (2 * (m.xy[i]! - ux * uy) + c2) / (m.xx[i]! - 2 * ux * uy - d * d + c2);
        sum += last ? (cs * (2 * ux * uy + c1)) / (ux * ux + uy * uy + c1) : cs;
      }
      value = sum / m.mx.length;
    }
    product *= Math.max(value, 0) ** weights[level]!;
    if (!last) {
      x = averagePool2(x);
      y = averagePool2(y);
    }
  }
  return product;
}
