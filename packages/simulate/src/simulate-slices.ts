import {
  createVolume,
  type Rng,
  spacing,
  type Volume,
  validateObject,
  withData,
} from '@duncan-mri/volume';
import { readPlane, writePlane } from './internal/planes.js';
import { validateRng } from './internal/sampling.js';
import { validateChoice, validateVolume } from './internal/validate.js';
import { type AppliedArtefact, type RecipeStep, simulate } from './simulate.js';

/** Options of {@link simulateSlices}. */
export interface SimulateSlicesOptions {
  /** The axis the slices are taken along: 0 (x), 1 (y) or 2 (z). Default 2. */
  readonly axis?: 0 | 1 | 2;
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
 * gets its own draw of the recipe's parameters. A z slice keeps the volume's affine; an x or y
 * slice is a 2-D image with the volume's voxel spacing in its plane (the first axis of the
 * image is the faster remaining one). A volume with a single slice along `axis` is simulated as
 * it is, in one call. The input is never modified; the same `rng` state gives the same output.
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
  const axis = validateChoice<0 | 1 | 2>(WHERE, 'options.axis', opts.axis, [0, 1, 2], 2);
  const n = volume.shape[axis];
  if (n === 1) {
    const result = simulate(volume, recipe, rng);
    return { volume: result.volume, applied: [result.applied] };
  }
  const s = spacing(volume.affine);
  const kept = ([0, 1, 2] as const).filter((i) => i !== axis);
  const out = new Float32Array(volume.data.length);
  const applied: (readonly AppliedArtefact[])[] = [];
  for (let k = 0; k < n; k++) {
    const data = readPlane(volume.data, volume.shape, axis, k);
    const slice =
      axis === 2
        ? createVolume({
            data,
            shape: [volume.shape[0], volume.shape[1], 1],
            affine: volume.affine,
          })
        : createVolume({
            data,
            shape: [volume.shape[kept[0]!], volume.shape[kept[1]!]],
            spacing: [s[kept[0]!]!, s[kept[1]!]!, s[axis]!],
          });
    const result = simulate(slice, recipe, rng);
    writePlane(out, volume.shape, axis, k, result.volume.data);
    applied.push(result.applied);
  }
  return { volume: withData(volume, out), applied };
}
