export {
  type CompareImagesOptions,
  compareImages,
  type ImageComparison,
} from './compare-images.js';
export { MS_SSIM_WEIGHTS, type MultiScaleSsimOptions, multiScaleSsim } from './multi-scale-ssim.js';
export { type PsnrOptions, psnr } from './psnr.js';
export { type SsimMapResult, type SsimOptions, ssim } from './ssim.js';
export { type UqiOptions, uqi } from './uqi.js';
export { type VifOptions, vif } from './vif.js';
