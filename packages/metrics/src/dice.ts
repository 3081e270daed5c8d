import type { Volume } from '@duncan-mri/volume';
import { diceOfRange, validateDice } from './internal/dice-core.js';

/** Options of {@link dice}. */
export interface DiceOptions {
  /** Labels 1..classes are compared (0 is background and is not scored). Required; 1 to 255. */
  readonly classes: number;
  /** Compare only voxels where the mask is non-zero. */
  readonly mask?: Uint8Array;
}

/** The result of {@link dice}. */
export interface DiceResult {
  /**
   * Dice of class `k` at index `k - 1`: `2 |A_k ∩ B_k| / (|A_k| + |B_k|)`, in [0, 1]; `NaN` when
   * the class is absent from both (0 / 0).
   */
  readonly perClass: number[];
  /** The mean of the defined (non-NaN) per-class values; `NaN` when there are none. */
  readonly mean: number;
}

const WHERE = 'dice';

/**
 * The Dice similarity coefficient (Dice, Ecology 26(3), 1945) of two label volumes, per class:
 * `2 |A ∩ B| / (|A| + |B|)` for the voxels labelled `k` in each. Labels must be whole numbers
 * in `[0, classes]` (0 = background, not scored), as {@link segmentTissues} returns. Symmetric;
 * 1 for identical labels (for every class present). To compare two binary masks, wrap them as
 * volumes and use `classes: 1`.
 *
 * @throws `MriError` `SHAPE_MISMATCH` for different shapes or a mask of the wrong length;
 *   `INVALID_ARGUMENT` for a missing `classes`, an empty mask, or a voxel that is not a whole
 *   number in `[0, classes]` (the message names the first one).
 *
 * @example
 * ```ts
 * const { perClass, mean } = dice(truth, segmentTissues(t1, { classes: 3 }).labels, { classes: 3 });
 * // perClass: [csf, grey, white]
 * ```
 */
export function dice(reference: Volume, test: Volume, options: DiceOptions): DiceResult {
  const { classes, mask } = validateDice(WHERE, reference, test, options);
  return diceOfRange(reference.data, test.data, classes, mask, 0, reference.data.length);
}
