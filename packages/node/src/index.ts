export {
  CHECKPOINT_FILES,
  defaultModelDirectory,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint-files.js';
export {
  type CompareVolumeFilesOptions,
  compareVolumeFiles,
  type VolumeFilesComparison,
} from './compare-volume-files.js';
export {
  type CreateCorrectorOptions,
  createCorrector,
  type NodeCorrectOptions,
  type NodeCorrector,
} from './create-corrector.js';
export {
  type CorrectorEvaluation,
  type DiceScores,
  type EvaluateCorrectorOptions,
  type EvaluationCase,
  type EvaluationCaseInput,
  type EvaluationExample,
  type EvaluationRow,
  type EvaluationVariant,
  evaluateCorrector,
  type ImageScores,
  MIN_SEGMENTATION_VOXELS,
} from './evaluate-corrector.js';
export {
  type ReadVolumeFileOptions,
  readVolumeFile,
  type SeriesSummary,
  type VolumeFile,
} from './read-volume-file.js';
export {
  type BackendAttempt,
  type InstalledNodeBackend,
  installedNodeBackends,
  NODE_BACKENDS,
  type NodeBackendInfo,
  type NodeBackendName,
  type UseNodeBackendOptions,
  useNodeBackend,
} from './use-node-backend.js';
export {
  type CheckVolumeFileTargetOptions,
  checkVolumeFileTarget,
  type WriteVolumeFileOptions,
  type WrittenVolumeFile,
  writeVolumeFile,
} from './write-volume-file.js';
