export {
  type BiasFieldParams,
  type BiasFieldRanges,
  biasField,
  sampleBiasField,
} from './bias-field.js';
export { type BlurParams, type BlurRanges, blur, sampleBlur } from './blur.js';
export { evaluationSeed } from './evaluation-seed.js';
export { type GhostingParams, type GhostingRanges, ghosting, sampleGhosting } from './ghosting.js';
export {
  type MotionJerk,
  type MotionParams,
  type MotionPose,
  type MotionRanges,
  motion,
  motionSchedule,
  sampleMotion,
} from './motion.js';
export { type NoiseKind, type NoiseParams, type NoiseRanges, noise, sampleNoise } from './noise.js';
export {
  ARTEFACT_NAMES,
  type ArtefactName,
  type ArtefactRanges,
  SEVERITIES,
  SEVERITY_PRESETS,
  type Severity,
} from './presets.js';
export { type RingingParams, type RingingRanges, ringing, sampleRinging } from './ringing.js';
export {
  type AppliedArtefact,
  type ArtefactParams,
  type RecipeStep,
  replay,
  type SimulationResult,
  simulate,
} from './simulate.js';
export {
  type SimulateSlicesOptions,
  type SliceSimulationResult,
  simulateSlices,
} from './simulate-slices.js';
export { type SpikeParams, type SpikeRanges, sampleSpike, spike } from './spike.js';
export {
  createTrainingPairs,
  type TrainingPair,
  type TrainingPairOptions,
  type TrainingPairSource,
  type TrainingSource,
} from './training-pairs.js';
