// The counting behind dice and sliceDice: validation once, then per-class counts over a range.
import { invalidArgument, type Volume, validateNumber } from '@duncan-mri/volume';
import { validateMask, validateOptions, validatePair } from './validate.js';

/**
 * Validates the arguments of `dice` and `sliceDice` (under `where`): the pair, the
 * options, the mask and the labels of both volumes.
 */
export function validateDice(
  where: string,
  reference: Volume,
  test: Volume,
  options: unknown,
): { classes: number; mask: Uint8Array | undefined } {
  validatePair(where, reference, test);
  const opts = validateOptions(where, options);
  const classes = validateNumber(where, 'classes', opts.classes, {
    integer: true,
    min: 1,
    max: 255,
  });
  const mask = validateMask(where, opts.mask, reference.data.length);
  checkLabels(where, 'reference', reference.data, classes);
  checkLabels(where, 'test', test.data, classes);
  return { classes, mask };
}

/** Dice of the voxels `start` to `end - 1` (valid labels, as {@link validateDice} checks). */
export function diceOfRange(
  a: Float32Array,
  b: Float32Array,
  classes: number,
  mask: Uint8Array | undefined,
  start: number,
  end: number,
): { perClass: number[]; mean: number } {
  const countA = new Float64Array(classes + 1);
  const countB = new Float64Array(classes + 1);
  const both = new Float64Array(classes + 1);
  for (let i = start; i < end; i++) {
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

function checkLabels(where: string, argument: string, data: Float32Array, classes: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v <= classes)) {
      invalidArgument(
        where,
        argument,
        `must hold whole-number labels in [0, ${classes}]`,
        undefined,
        { got: `${v} at index ${i}` },
      );
    }
  }
}
