import type { Axis } from '@duncan-mri/volume';
// The FFT of the artefacts that work in k-space (motion, ghosting, ringing, spike, blur): float64,
// any length, numpy's conventions. Plans are in fft-plan.ts, butterflies in fft-kernels.ts.
import { batchPlan } from './fft-plan.js';

export { createFftPlan, directDftLimit, type FftPlan } from './fft-plan.js';

/** Values per batch of interleaved lines for strided axes (about 256 KiB per buffer). */
const BATCH_VALUES = 32768;

/**
 * In-place 1-D transforms of every line along `axis` of an x-fastest `[nx, ny, nz]` array.
 * Lines along x are contiguous and transformed one by one; along y and z, neighbouring lines
 * are contiguous in memory, so batches of them are copied out as `[n][batch]` blocks and
 * transformed together (a Stockham stage on interleaved lines is the same stage with a wider
 * stride), then copied back.
 */
export function fftAlongAxis(
  re: Float64Array,
  im: Float64Array,
  shape: readonly [number, number, number],
  axis: Axis,
  inverse: boolean,
): void {
  const [nx, ny, nz] = shape;
  const n = shape[axis];
  if (n === 1) return;
  const plan = batchPlan(n);
  if (axis === 0) {
    const run = inverse ? plan.inverse : plan.forward;
    const lines = ny * nz;
    for (let line = 0; line < lines; line++) run(re, im, line * nx);
    return;
  }
  const stride = axis === 1 ? nx : nx * ny;
  const outer = axis === 1 ? nz : 1;
  const batch = Math.max(1, Math.min(stride, Math.floor(BATCH_VALUES / n)));
  const bufRe = new Float64Array(n * batch);
  const bufIm = new Float64Array(n * batch);
  for (let o = 0; o < outer; o++) {
    const base = o * n * stride;
    for (let i0 = 0; i0 < stride; i0 += batch) {
      const b = Math.min(batch, stride - i0);
      for (let k = 0; k < n; k++) {
        const src = base + k * stride + i0;
        bufRe.set(re.subarray(src, src + b), k * b);
        bufIm.set(im.subarray(src, src + b), k * b);
      }
      plan.transformBatch(bufRe, bufIm, b, inverse);
      for (let k = 0; k < n; k++) {
        const dst = base + k * stride + i0;
        re.set(bufRe.subarray(k * b, k * b + b), dst);
        im.set(bufIm.subarray(k * b, k * b + b), dst);
      }
    }
  }
}
