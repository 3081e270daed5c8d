export { type BrainMaskOptions, brainMask } from './brain-mask.js';
export {
  type CompareImagesOptions,
  compareImages,
  type ImageComparison,
} from './compare-images.js';
export { type DiceOptions, type DiceResult, dice } from './dice.js';
export { MS_SSIM_WEIGHTS, type MultiScaleSsimOptions, multiScaleSsim } from './multi-scale-ssim.js';
export { type PsnrOptions, psnr } from './psnr.js';
export {
  type SegmentTissuesOptions,
  segmentTissues,
  type TissueSegmentation,
} from './segment-tissues.js';
export { type SsimMapResult, type SsimOptions, ssim } from './ssim.js';
export { type UqiOptions, uqi } from './uqi.js';
export { type VifOptions, vif } from './vif.js';
