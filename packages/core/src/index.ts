export { assertSliceSize } from './assert-slice-size.js';
export {
  type Checkpoint,
  type CheckpointManifest,
  type CheckpointTraining,
  type LoadCheckpointOptions,
  loadCheckpoint,
  type SaveCheckpointOptions,
  saveCheckpoint,
  type WeightSpec,
} from './checkpoint.js';
export {
  type CorrectionResult,
  type CorrectOptions,
  type CorrectorPass,
  correct,
  DEFAULT_SHRINKAGE,
} from './correct.js';
export {
  type CorrectionStatistics,
  type CorrectionStatisticsOptions,
  correctionStatistics,
} from './correction-statistics.js';
export type { Corrector, CorrectorCorrectOptions } from './corrector.js';
export {
  type CorrectorWeight,
  type CorrectorWeights,
  correctorWeights,
} from './corrector-weights.js';
export { type CreateModelOptions, createModel, type DuncanModel } from './create-model.js';
export type { NonFinitePolicy } from './internal/correction-input.js';
export { PAIRED_LOSS_NAMES } from './internal/paired-loss.js';
export { SEMI_LOSS_NAMES } from './internal/run-semi-step.js';
export type { SliceRun } from './internal/slice-runs.js';
export {
  type IntensityRange,
  robustRange as robustIntensityRange,
} from './internal/volume-tensor.js';
export {
  defaultModelConfig,
  LOSS_NAMES,
  type LossWeights,
  type ModelConfig,
  type ModelConfigOverrides,
  type PairedLossWeights,
  RESUMABLE_CONFIG_KEYS,
  UNPAIRED_RECIPE,
} from './model-config.js';
export {
  type RunCorrectOptions,
  type RunVoxels,
  type SplitCorrection,
  type SplitCorrectionOptions,
  splitCorrection,
} from './split-correction.js';
export {
  type PairedTrainingData,
  type PairedTrainingLosses,
  type PairedTrainOptions,
  type SemiTrainingLosses,
  type SemiTrainOptions,
  type TrainingData,
  type TrainingMode,
  type TrainingPairImages,
  type TrainingProgress,
  type TrainingResult,
  type TrainOptions,
  type TrainOptionsBase,
  train,
} from './train.js';
export {
  type TrainingBatch,
  type TrainingLosses,
  type TrainStepOptions,
  trainStep,
} from './train-step.js';
