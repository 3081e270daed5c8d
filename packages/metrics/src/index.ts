export { type BrainMaskOptions, brainMask } from './brain-mask.js';
export {
  type CompareImagesOptions,
  compareImages,
  type ImageComparison,
} from './compare-images.js';
export { type DiceOptions, type DiceResult, dice } from './dice.js';
export { type EvaluateCorrectionOptions, evaluateCorrection } from './evaluate-correction.js';
export {
  type FormatCorrectionReportOptions,
  formatCorrectionReport,
} from './format-correction-report.js';
export { type HeadMaskOptions, headMask } from './head-mask.js';
export { MS_SSIM_WEIGHTS, type MultiScaleSsimOptions, multiScaleSsim } from './multi-scale-ssim.js';
export {
  type PairedBootstrapOptions,
  type PairedBootstrapResult,
  pairedBootstrap,
} from './paired-bootstrap.js';
export { type PsnrOptions, psnr } from './psnr.js';
export {
  CORRECTION_METHODS,
  type CorrectionBaseline,
  type CorrectionCase,
  type CorrectionCaseScores,
  type CorrectionLabels,
  type CorrectionMethod,
  scoreCorrectionCase,
} from './score-correction-case.js';
export {
  type SegmentTissuesOptions,
  segmentTissues,
  type TissueSegmentation,
} from './segment-tissues.js';
export { type SliceDiceOptions, sliceDice } from './slice-dice.js';
export {
  type SliceMetrics,
  type SliceScore,
  type SliceScoresOptions,
  sliceScores,
} from './slice-scores.js';
export { type SliceSsimOptions, sliceSsim } from './slice-ssim.js';
export { type SsimMapResult, type SsimOptions, ssim } from './ssim.js';
export {
  type CorrectionGain,
  type CorrectionGains,
  type CorrectionGroup,
  type CorrectionGroupKind,
  type CorrectionRegion,
  type CorrectionReport,
  type SummariseCorrectionOptions,
  summariseCorrection,
} from './summarise-correction.js';
export { type UqiOptions, uqi } from './uqi.js';
export { type VifOptions, vif } from './vif.js';
