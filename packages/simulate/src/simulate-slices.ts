import {
  type Axis,
  insertPlane,
  type Rng,
  sliceVolume,
  type Volume,
  validateObject,
  withData,
} from '@duncan-mri/volume';
import { validateRng } from './internal/sampling.js';
import { validateChoice, validateVolume } from './internal/validate.js';
import { type AppliedArtefact, type RecipeStep, simulate } from './simulate.js';

/** Options of {@link simulateSlices}. */
export interface SimulateSlicesOptions {
  /** The axis the slices are taken along: 0 (x), 1 (y) or 2 (z). Default 2. */
  readonly axis?: Axis;
}

/** What {@link simulateSlices} returns. */
export interface SliceSimulationResult {
  /** The corrupted volume (same shape and affine as the input). */
  readonly volume: Volume;
  /** Per slice, in order, what {@link simulate} applied to it (one entry for a single slice). */
  readonly applied: readonly (readonly AppliedArtefact[])[];
}

const WHERE = 'simulateSlices';

/**
 * Corrupts a volume slice by slice in 2-D: {@link simulate} with `recipe` on each slice along
 * `axis` in turn, all drawing from the one generator `rng` in slice order, as 2-D MRI is
 * acquired (and as the default model's training and evaluation images are made). Each slice
 * gets its own draw of the recipe's parameters. Each slice is `sliceVolume`'s of
 * `@duncan-mri/volume`: a 2-D image with the volume's voxel sizes in its plane and its slice
 * thickness (the first axis of the image is the faster remaining one). A volume with a single
 * slice along `axis` is simulated as it is, in one call. The input is never modified; the same `rng` state gives the same output.
 *
 * @throws `MriError` `INVALID_ARGUMENT` for a malformed or non-finite volume, a bad `rng` or
 *   `axis`, or a bad recipe (as {@link simulate}).
 *
 * @example
 * ```ts
 * const { volume } = simulateSlices(clean, [{ artefact: 'motion', severity: 'severe' }], createRng(7));
 * ```
 */
export function simulateSlices(
  volume: Volume,
  recipe: readonly RecipeStep[],
  rng: Rng,
  options: SimulateSlicesOptions = {},
): SliceSimulationResult {
  validateVolume(WHERE, volume);
  validateRng(WHERE, rng);
  const opts = validateObject(WHERE, 'options', options);
  const axis = validateChoice<Axis>(WHERE, 'options.axis', opts.axis, [0, 1, 2], 2);
  const n = volume.shape[axis];
  if (n === 1) {
    const result = simulate(volume, recipe, rng);
    return { volume: result.volume, applied: [result.applied] };
  }
  const out = new Float32Array(volume.data.length);
  const applied: (readonly AppliedArtefact[])[] = [];
  for (let k = 0; k < n; k++) {
    const slice = sliceVolume(volume, axis, k);
    const result = simulate(slice, recipe, rng);
    insertPlane(out, volume.shape, axis, k, result.volume.data);
    applied.push(result.applied);
  }
  return { volume: withData(volume, out), applied };
}
