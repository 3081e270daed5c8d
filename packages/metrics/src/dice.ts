import { MriError, type Volume, validateNumber } from '@duncan-mri/volume';
import { validateMask, validateOptions, validatePair } from './internal/validate.js';

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
  validatePair(WHERE, reference, test);
  const opts = validateOptions(WHERE, options);
  const classes = validateNumber(WHERE, 'classes', opts.classes, {
    integer: true,
    min: 1,
    max: 255,
  });
  const mask = validateMask(WHERE, opts.mask, reference.data.length);
  const a = reference.data;
  const b = test.data;
  checkLabels('reference', a, classes);
  checkLabels('test', b, classes);
  const countA = new Float64Array(classes + 1);
  const countB = new Float64Array(classes + 1);
  const both = new Float64Array(classes + 1);
  for (let i = 0; i < a.length; i++) {
    if (mask && mask[i] === 0) continue;
    const la = a[i]!;
    const lb = b[i]!;
    countA[la]! += 1;
    countB[lb]! += 1;
    if (la === lb) both[la]! += 1;
  }
  const perClass: number[] = [];
  let sum = 0;
  let defined = 0;
  for (let k = 1; k <= classes; k++) {
    const denominator = countA[k]! + countB[k]!;
    const value = denominator === 0 ? Number.NaN : (2 * both[k]!) / denominator;
    perClass.push(value);
    if (!Number.isNaN(value)) {
      sum += value;
      defined++;
    }
  }
  return { perClass, mean: defined === 0 ? Number.NaN : sum / defined };
}

function checkLabels(argument: string, data: Float32Array, classes: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v <= classes)) {
      throw new MriError(
        'INVALID_ARGUMENT',
        `${WHERE}: ${argument} must hold whole-number labels in [0, ${classes}], got ${v} at index ${i}`,
        { argument },
      );
    }
  }
}
