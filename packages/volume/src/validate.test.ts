import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMriError } from './mri-error.js';
import { invalidArgument, validateBoolean, validateNumber, validateObject } from './validate.js';

function errorOf(fn: () => unknown): {
  code?: string;
  message?: string;
  argument?: string | undefined;
} {
  try {
    fn();
  } catch (error) {
    if (isMriError(error))
      return { code: error.code, message: error.message, argument: error.argument };
    return { code: 'not an MriError' };
  }
  return {};
}

describe('boundary validators', () => {
  it('invalidArgument throws the house-style message', () => {
    expect(errorOf(() => invalidArgument('f', 'x', 'must be positive', -2))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'f: x must be positive, got -2',
      argument: 'x',
    });
  });

  it('invalidArgument words the value, names another argument, or leaves the value out', () => {
    const cause = new Error('inner');
    let thrown: unknown;
    try {
      invalidArgument('f', 'volume.data', 'must be finite', Number.NaN, {
        got: 'NaN at index 3',
        argument: 'volume',
        cause,
      });
    } catch (error) {
      thrown = error;
    }
    expect(isMriError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe('f: volume.data must be finite, got NaN at index 3');
    expect((thrown as { argument?: string }).argument).toBe('volume');
    expect((thrown as Error).cause).toBe(cause);
    expect(
      errorOf(() => invalidArgument('f', 'the corrector', 'is closed', undefined, { got: null })),
    ).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'f: the corrector is closed',
      argument: 'the corrector',
    });
  });

  it('validateNumber accepts exactly the numbers within the rule', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -10, max: 10 }), (v) => {
        const inside = v > 0 && v <= 5;
        const result = errorOf(() =>
          validateNumber('f', 'x', v, { min: 0, minExclusive: true, max: 5 }),
        );
        expect(result.code === undefined).toBe(inside);
      }),
    );
    expect(validateNumber('f', 'x', undefined, { min: 0 }, 3)).toBe(3);
    expect(errorOf(() => validateNumber('f', 'x', 1.5, { integer: true })).message).toBe(
      'f: x must be an integer, got 1.5',
    );
    expect(
      errorOf(() => validateNumber('f', 'b', 1, { min: 0, max: 1, maxExclusive: true })).message,
    ).toBe('f: b must be a finite number >= 0 and < 1, got 1');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '1', null, undefined]) {
      expect(errorOf(() => validateNumber('f', 'x', bad, {})).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('validateObject and validateBoolean', () => {
    expect(validateObject('f', 'o', undefined, true)).toEqual({});
    expect(errorOf(() => validateObject('f', 'o', undefined)).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => validateObject('f', 'o', [1])).code).toBe('INVALID_ARGUMENT');
    expect(validateBoolean('f', 'b', undefined, true)).toBe(true);
    expect(errorOf(() => validateBoolean('f', 'b', 'yes', false)).message).toBe(
      'f: b must be a boolean, got "yes"',
    );
  });
});
