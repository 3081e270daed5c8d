import { describeValue, MriError } from './mri-error.js';
import { invalidArgument } from './validate.js';

/**
 * The 0.75 quantile of the standard normal distribution, rounded as Donoho and Johnstone give
 * it: the median of `|X|` for `X ~ N(0, σ²)` is `0.6745 σ`.
 */
const MAD_TO_SIGMA = 0.6745;

/**
 * The standard deviation of the noise of one 2-D image, from its finest diagonal detail:
 * `median(|a - b - c + d| / 2) / 0.6745` over the non-overlapping 2x2 blocks `[[a, b], [c, d]]`
 * that start at row 0 and column 0 (an odd last row or column is left out). `(a - b - c + d) / 2`
 * is the diagonal (HH) coefficient of one level of the orthonormal Haar wavelet transform; it
 * cancels the image's constant and linear parts and keeps white noise of standard deviation σ
 * at σ, so the median of its magnitude over the image estimates σ robustly against the edges
 * that a few blocks straddle (Donoho & Johnstone, "Ideal spatial adaptation by wavelet
 * shrinkage", Biometrika 1994). `skimage.restoration.estimate_sigma` does the same with the
 * Daubechies-2 wavelet, boundary extension and `norm.ppf(0.75)` in place of 0.6745.
 *
 * The result is in the image's own intensity units. Blocks with a voxel that is not finite are
 * left out; an image without a whole finite block (fewer than 2 rows or columns) gives 0. The
 * median of an even count is the mean of the two middle values, as numpy's. On an image whose
 * blocks are mostly exactly equal voxels (a zero-filled background over more than half the
 * slice) the estimate is 0.
 *
 * @param image `height` rows of `width` voxels, row-major (as `extractPlane` gives a slice).
 * @throws MriError `INVALID_ARGUMENT` for a bad image or size; `SHAPE_MISMATCH` when `image`
 *   does not hold `height * width` voxels.
 * @example
 * ```ts
 * const sigma = estimateNoiseSigma(extractPlane(volume.data, volume.shape, 2, z), ny, nx);
 * ```
 */
export function estimateNoiseSigma(image: Float32Array, height: number, width: number): number {
  const where = 'estimateNoiseSigma';
  if (!(image instanceof Float32Array)) {
    invalidArgument(where, 'image', 'must be a Float32Array', image);
  }
  for (const [argument, n] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      invalidArgument(where, argument, 'must be a positive integer', n);
    }
  }
  if (image.length !== height * width) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${where}: image must hold height*width = ${height * width} voxels, got ${describeValue(image)}`,
      { argument: 'image' },
    );
  }
  const rows = height >> 1;
  const columns = width >> 1;
  const details = new Float64Array(rows * columns);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const top = 2 * r * width;
    const bottom = top + width;
    for (let c = 0; c < columns; c++) {
      const x = 2 * c;
      const d =
        Math.abs(
          image[top + x]! - image[top + x + 1]! - image[bottom + x]! + image[bottom + x + 1]!,
        ) / 2;
      if (Number.isFinite(d)) details[n++] = d;
    }
  }
  if (n === 0) return 0;
  const sorted = details.subarray(0, n).sort();
  const half = n >> 1;
  const median = n % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
  return median / MAD_TO_SIGMA;
}
