import { SSIM_KERNEL } from './kernels.js';
import { type BorderMode, type MomentPlanes, streamMoments } from './local-moments.js';

export interface SsimCoreOptions {
  readonly kernel: Float64Array;
  readonly c1: number;
  readonly c2: number;
  /** True 3-D windows, or each z slice on its own. */
  readonly threeD: boolean;
  /** Return the full-size map (reflect borders, as scikit-image's `full=True`). */
  readonly wantMap: boolean;
  readonly mask?: Uint8Array | undefined;
  /** Also average the contrast-structure term (MS-SSIM's scale-1 term); costs a division per voxel. */
  readonly wantCs?: boolean;
}

export interface SsimCoreResult {
  /** Mean SSIM over the positions where the window fits (scikit-image crops `radius` at each border). */
  readonly mean: number;
  /** Mean contrast-structure term `(2 cov + C2) / (var_x + var_y + C2)` over the same positions (`NaN` unless `wantCs`). */
  readonly meanCs: number;
  /** Mean of the full map over the mask's voxels (only with a mask). */
  readonly maskedMean?: number;
  /** The full-size map (only with `wantMap`). */
  readonly map?: Float32Array;
}

/**
 * SSIM of two volumes (Wang et al. 2004) from their local moments: the shared engine of `ssim`,
 * `compareImages` and the scale-1 term of `multiScaleSsim`.
 */
export function ssimCore(
  x: Float32Array,
  y: Float32Array,
  shape: readonly [number, number, number],
  options: SsimCoreOptions,
): SsimCoreResult {
  const { kernel, c1, c2, threeD, wantMap, mask } = options;
  const wantCs = options.wantCs === true;
  const [nx, ny, nz] = shape;
  const full = wantMap || mask !== undefined;
  const xyMode: BorderMode = full ? 'reflect' : 'valid';
  const radius = (kernel.length - 1) >> 1;
  const map = wantMap ? new Float32Array(nx * ny * nz) : undefined;
  let sum = 0;
  let sumCs = 0;
  let count = 0;
  let maskedSum = 0;
  let maskedCount = 0;

  const visit = (oz: number, m: MomentPlanes): void => {
    // xx holds E[x^2 + y^2] ('combined' moments).
    const { mx, my, xx, xy } = m;
    if (!full) {
      for (let i = 0; i < mx.length; i++) {
        const ux = mx[i]!;
        const uy = my[i]!;
        const vxy = xy[i]! - ux * uy;
        const a2 = 2 * vxy + c2;
        const d = ux - uy;
        // var_x + var_y = E[x^2 + y^2] - 2 ux uy - (ux - uy)^2: written so that identical
        // inputs give b2 === a2 exactly, hence SSIM exactly 1.
        const b2 = xx[i]! - 2 * ux * uy - d * d + c2;
        sum += ((2 * ux * uy + c1) * a2) / ((ux * ux + uy * uy + c1) * b2);
        if (wantCs) sumCs += a2 / b2;
      }
      count += mx.length;
      return;
    }
    const zInterior = !threeD || (oz >= radius && oz < nz - radius);
    const sliceOffset = oz * nx * ny;
    for (let py = 0; py < ny; py++) {
      const yInterior = zInterior && py >= radius && py < ny - radius;
      for (let px = 0; px < nx; px++) {
        const i = py * nx + px;
        const ux = mx[i]!;
        const uy = my[i]!;
        const vxy = xy[i]! - ux * uy;
        const a2 = 2 * vxy + c2;
        const d = ux - uy;
        // var_x + var_y = E[x^2 + y^2] - 2 ux uy - (ux - uy)^2: written so that identical
        // inputs give b2 === a2 exactly, hence SSIM exactly 1.
        const b2 = xx[i]! - 2 * ux * uy - d * d + c2;
        const s = ((2 * ux * uy + c1) * a2) / ((ux * ux + uy * uy + c1) * b2);
        if (yInterior && px >= radius && px < nx - radius) {
          sum += s;
          if (wantCs) sumCs += a2 / b2;
          count++;
        }
        if (map) map[sliceOffset + i] = s;
        if (mask && mask[sliceOffset + i] !== 0) {
          maskedSum += s;
          maskedCount++;
        }
      }
    }
  };

  const zMode = threeD ? xyMode : 'slicewise';
  streamMoments(x, y, shape, kernel, xyMode, zMode, 'combined', visit);
  return {
    mean: sum / count,
    meanCs: wantCs ? sumCs / count : Number.NaN,
    ...(mask ? { maskedMean: maskedSum / maskedCount } : {}),
    ...(map ? { map } : {}),
  };
}

/**
 * SSIM of one `nx` x `ny` slice pair with the standard settings (11x11 Gaussian window,
 * K1 0.01, K2 0.03): the mean where the window fits and, with `mask`, the mean of the full map
 * inside it. The per-slice engine of `sliceSsim` and `sliceScores`.
 */
export function standardSliceSsim(
  x: Float32Array,
  y: Float32Array,
  nx: number,
  ny: number,
  dataRange: number,
  mask: Uint8Array | undefined,
): SsimCoreResult {
  return ssimCore(x, y, [nx, ny, 1], {
    kernel: SSIM_KERNEL,
    c1: (0.01 * dataRange) ** 2,
    c2: (0.03 * dataRange) ** 2,
    threeD: false,
    wantMap: false,
    mask,
  });
}
