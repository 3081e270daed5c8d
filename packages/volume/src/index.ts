export {
  type Affine,
  type AxisCode,
  affineFromSpacing,
  applyAffine,
  identityAffine,
  invertAffine,
  orientation,
  spacing,
  validateAffine,
} from './affine.js';
export { type IntensityExtremes, intensityRange } from './intensity-range.js';
export {
  describeValue,
  isMriError,
  MriError,
  type MriErrorCode,
  type MriErrorOptions,
} from './mri-error.js';
export { estimateNoiseSigma } from './noise-sigma.js';
export { createRng, type Rng } from './rng.js';
export { type Axis, extractPlane, extractSlab, insertPlane, insertSlab } from './slabs.js';
export { type StackSlicesOptions, sliceVolume, stackSlices } from './slice-volume.js';
export {
  describeNumberRule,
  type InvalidArgumentOptions,
  invalidArgument,
  type NumberRule,
  validateBoolean,
  validateNumber,
  validateObject,
} from './validate.js';
export {
  assertVolume,
  type CreateVolumeOptions,
  createVolume,
  MAX_VOXELS,
  type Shape,
  type Volume,
  voxelCount,
  withData,
} from './volume.js';
export { errorFromWire, errorMessage, errorToWire, type WireError } from './wire-error.js';
