import { invalidArgument } from './validate.js';
import { assertVolume, type Volume } from './volume.js';

/** What {@link intensityRange} returns: the extremes of a volume's finite voxels. */
export interface IntensityExtremes {
  /** The smallest finite voxel value. */
  readonly min: number;
  /** The largest finite voxel value. */
  readonly max: number;
  /** `max - min`: the data range that SSIM, PSNR and the other metrics of `@duncan-mri/metrics` take as `dataRange`. */
  readonly range: number;
}

/**
 * The smallest and largest finite voxel values of a volume, and their difference. `range` is
 * the data range to score an image against when it is the reference (`dataRange` of
 * `compareImages`, `ssim`, `psnr`, ...): the convention of scikit-image's
 * `structural_similarity` for float images and of the `duncan metrics`, `evaluate` and `demo`
 * commands. MRI intensities have no fixed scale, so a constant such as 255 (8-bit images)
 * changes SSIM's constants and PSNR's peak arbitrarily; the reference's own range does not.
 *
 * Non-finite voxels (NaN outside the brain of processed images, infinities) are left out. A
 * constant volume has `range` 0, which the metrics refuse; a volume without any finite voxel is
 * an `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * import { compareImages } from '@duncan-mri/metrics';
 * const scores = compareImages(clean, corrected, { dataRange: intensityRange(clean).range });
 * ```
 */
export function intensityRange(volume: Volume): IntensityExtremes {
  assertVolume(volume, 'intensityRange', 'volume');
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const data = volume.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) {
    invalidArgument('intensityRange', 'volume', 'must have at least one finite voxel', undefined, {
      got: `${data.length} voxels, none finite`,
    });
  }
  return { min, max, range: max - min };
}
