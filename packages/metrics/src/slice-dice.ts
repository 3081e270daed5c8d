import type { Volume } from '@duncan-mri/volume';
import type { DiceOptions, DiceResult } from './dice.js';
import { diceOfRange, validateDice } from './internal/dice-core.js';

/** Options of {@link sliceDice}: those of {@link dice}. */
export type SliceDiceOptions = DiceOptions;

const WHERE = 'sliceDice';

/**
 * {@link dice} of every z slice on its own: the per-class Dice of the labels of slice `z` of
 * `reference` and `test`, and their mean, for each `z` in order (one entry per slice, empty
 * slices included). A class absent from both labellings of a slice is `NaN` there, and a slice
 * with no labelled voxel in either has mean `NaN`. These are the per-slice samples of a Dice
 * box plot, beside {@link sliceSsim}.
 *
 * @throws `MriError` as {@link dice} (under the name `sliceDice`).
 *
 * @example
 * ```ts
 * const perSlice = sliceDice(cleanLabels, correctedLabels, { classes: 3 });
 * perSlice.map((d) => d.mean); // mean Dice over the classes present, per z slice
 * ```
 */
export function sliceDice(
  reference: Volume,
  test: Volume,
  options: SliceDiceOptions,
): DiceResult[] {
  const { classes, mask } = validateDice(WHERE, reference, test, options);
  const [nx, ny, nz] = reference.shape;
  const plane = nx * ny;
  const out: DiceResult[] = [];
  for (let z = 0; z < nz; z++) {
    out.push(diceOfRange(reference.data, test.data, classes, mask, z * plane, (z + 1) * plane));
  }
  return out;
}
