/**
 * A normalised 1-D Gaussian kernel of `2 * radius + 1` taps, `exp(-x^2 / (2 sigma^2))` divided
 * by its sum: scipy's `_gaussian_kernel1d` and MATLAB's `fspecial('gaussian')` (whose 2-D
 * kernel is the outer product of this one with itself).
 */
export function gaussianKernel(sigma: number, radius: number): Float64Array {
  const kernel = new Float64Array(2 * radius + 1);
  const denominator = 2 * sigma * sigma;
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const value = Math.exp(-(i * i) / denominator);
    kernel[i + radius] = value;
    sum += value;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / sum;
  return kernel;
}

/**
 * The 11-tap Gaussian of sigma 1.5 used by SSIM and MS-SSIM (Wang et al. 2004): scikit-image
 * builds it with `truncate = 3.5`, radius `int(3.5 * 1.5 + 0.5) = 5`.
 */
export const SSIM_KERNEL: Float64Array = gaussianKernel(1.5, 5);

/** A kernel of `size` ones: local sums rather than means (UQI's `filter2(ones(8), x)`). */
export function onesKernel(size: number): Float64Array {
  return new Float64Array(size).fill(1);
}
