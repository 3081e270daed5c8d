import { invalidArgument, type Volume } from '@duncan-mri/volume';
import { onesKernel } from './internal/kernels.js';
import { type MomentPlanes, streamMoments } from './internal/local-moments.js';
import {
  assertMinimumSize,
  validateMask,
  validateOptions,
  validatePair,
} from './internal/validate.js';

/** Options of {@link uqi}. */
export interface UqiOptions {
  /**
   * Average only the windows whose anchor pixel is inside the mask (one entry per voxel). The
   * anchor of an 8x8 window is the pixel at offset (3, 3) from its first corner, where MATLAB's
   * `filter2(..., 'same')` places the window's value.
   */
  readonly mask?: Uint8Array;
}

const WHERE = 'uqi';
const BLOCK = 8;
const BLOCK_KERNEL = onesKernel(BLOCK);

/**
 * The universal image quality index (Wang & Bovik, "A universal image quality index", IEEE
 * Signal Processing Letters 2002), as the authors' MATLAB `img_qi.m` computes it: over every
 * position of an 8x8 sliding window ('valid'), `Q = 4 cov mu_x mu_y / ((var_x + var_y)(mu_x^2 +
 * mu_y^2))`, evaluated on window sums; a window where both images are flat scores
 * `2 mu_x mu_y / (mu_x^2 + mu_y^2)`, one where the means are also zero scores 1; the result is
 * the mean of the local indices. UQI is SSIM with C1 = C2 = 0 and a uniform 8x8 window.
 * Needs no data range. 3-D volumes: the mean over all windows of all z slices.
 *
 * @example
 * ```ts
 * const q = uqi(clean, corrected); // in [-1, 1], 1 for identical images
 * ```
 */
export function uqi(reference: Volume, test: Volume, options: UqiOptions = {}): number {
  validatePair(WHERE, reference, test);
  const opts = validateOptions(WHERE, options);
  const mask = validateMask(WHERE, opts.mask, reference.data.length);
  assertMinimumSize(WHERE, reference.shape, BLOCK, 2, 'the 8x8 window');
  return uqiCore(WHERE, reference.data, test.data, reference.shape, mask);
}

/** UQI without validation (shared with `compareImages`). */
export function uqiCore(
  where: string,
  x: Float32Array,
  y: Float32Array,
  shape: readonly [number, number, number],
  mask: Uint8Array | undefined,
): number {
  const [nx, ny] = shape;
  const n = BLOCK * BLOCK;
  const anchor = (BLOCK - 1) >> 1;
  let sum = 0;
  let count = 0;
  const visit = (z: number, m: MomentPlanes): void => {
    // 'combined' moments: xx holds the window sum of x^2 + y^2.
    const { mx, my, xx, xy } = m;
    for (let oy = 0; oy < m.ny; oy++) {
      const maskRow = z * nx * ny + (oy + anchor) * nx + anchor;
      for (let ox = 0; ox < m.nx; ox++) {
        if (mask && mask[maskRow + ox] === 0) continue;
        const i = oy * m.nx + ox;
        const s1 = mx[i]!;
        const s2 = my[i]!;
        const s12Mul = s1 * s2;
        const sqMul = s1 * s1 + s2 * s2;
        const numerator = 4 * (n * xy[i]! - s12Mul) * s12Mul;
        const denominator1 = n * xx[i]! - sqMul;
        const denominator = denominator1 * sqMul;
        let q = 1;
        if (denominator !== 0) q = numerator / denominator;
        else if (denominator1 === 0 && sqMul !== 0) q = (2 * s12Mul) / sqMul;
        sum += q;
        count++;
      }
    }
  };
  streamMoments(x, y, shape, BLOCK_KERNEL, 'valid', 'slicewise', 'combined', visit);
  if (count === 0) {
    invalidArgument(
      where,
      'mask',
      'must contain the anchor pixel of at least one 8x8 window (3 pixels from the left/top, 4 from the right/bottom border)',
      undefined,
      { got: 'a mask with none' },
    );
  }
  return sum / count;
}
