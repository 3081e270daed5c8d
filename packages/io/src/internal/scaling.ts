import { corrupt } from './errors.js';

/**
 * The error for a finite stored value that `value * slope + intercept` carries past float32's
 * range (about ±3.4e38), which would otherwise become a silent `Infinity` voxel.
 *
 * Refused rather than clamped: no scanner or converter writes a scale that overflows float32
 * (MR values are far below 1e38), so such a slope or intercept is a corrupt or hostile header,
 * and a volume clamped to ±3.4e38 would look valid while holding no real value. Files whose
 * stored data are themselves non-finite (float NaN or Infinity voxels) are not affected.
 */
export function scaledOverflow(
  where: string,
  names: readonly [slope: string, intercept: string],
  slope: number,
  intercept: number,
  stored: number,
  place: string,
): Error {
  return corrupt(
    where,
    `${names[0]} and ${names[1]} must keep every scaled voxel within float32 (|value| <= 3.4028235e38), got ${stored} * ${slope} + ${intercept} = ${stored * slope + intercept} at ${place}`,
  );
}
