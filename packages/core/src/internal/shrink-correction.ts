import { estimateNoiseSigma, validateNumber } from '@duncan-mri/volume';

/**
 * The residual shrinkage `correct` applies when none is given (its `shrinkage`): each slice's
 * correction soft-thresholded at 1 times the slice's noise level. The bindings and the CLI
 * take their default from here.
 */
export const DEFAULT_SHRINKAGE = 1;

/** `options.shrinkage` of `where`: a finite number >= 0, {@link DEFAULT_SHRINKAGE} when undefined. */
export function validateShrinkage(where: string, value: unknown): number {
  return validateNumber(where, 'options.shrinkage', value, { min: 0 }, DEFAULT_SHRINKAGE);
}

/**
 * Residual shrinkage of one corrected slice, in place: the correction `r = input - corrected`
 * of every voxel is soft-thresholded at `k` times the input slice's noise level
 * (`estimateNoiseSigma` of `input`, its non-finite voxels left out), `r' = sign(r) max(|r| - kσ,
 * 0)`, and `corrected` becomes `input - r'` (rounded to float32). A voxel whose input is not
 * finite is left as it is (the correction's result gives it NaN). With `k` 0, or a slice whose
 * noise level is 0, nothing is touched: `corrected` stays bit for bit as it was.
 *
 * @param input The slice as given (the input's units, non-finite voxels included), `height`
 *   rows of `width`, as `extractPlane` lays it out.
 * @param corrected The same slice corrected: mapped back to the input's units and clipped.
 */
export function shrinkCorrection(
  input: Float32Array,
  corrected: Float32Array,
  height: number,
  width: number,
  k: number,
): void {
  if (k === 0) return;
  const threshold = k * estimateNoiseSigma(input, height, width);
  if (!(threshold > 0)) return;
  for (let p = 0; p < corrected.length; p++) {
    const x = input[p]!;
    if (!Number.isFinite(x)) continue;
    const r = x - corrected[p]!;
    const excess = Math.abs(r) - threshold;
    corrected[p] = excess > 0 ? x - Math.sign(r) * excess : x;
  }
}
