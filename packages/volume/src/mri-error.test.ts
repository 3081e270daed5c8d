import { describe, expect, it } from 'vitest';
import { describeValue, isMriError, MriError } from './mri-error.js';

describe('MriError', () => {
  it('carries code, argument, cause and name', () => {
    const cause = 'a string thrown by a parser';
    const error = new MriError('CORRUPT_FILE', 'readNifti: bytes truncated', {
      argument: 'bytes',
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MriError');
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.argument).toBe('bytes');
    expect(error.cause).toBe(cause);
    expect(isMriError(error)).toBe(true);
  });

  it('isMriError recognises a copy from another install by its Symbol.for marker', () => {
    const foreign = Object.assign(new Error('x'), { code: 'INVALID_ARGUMENT' });
    expect(isMriError(foreign)).toBe(false);
    Object.defineProperty(foreign, Symbol.for('@duncan-mri/MriError'), { value: true });
    expect(isMriError(foreign)).toBe(true);
    for (const value of [null, undefined, 3, 'MriError', {}]) expect(isMriError(value)).toBe(false);
  });

  it('describeValue prints short, safe descriptions', () => {
    expect(describeValue(-1)).toBe('-1');
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue([1, 2])).toBe('[1, 2]');
    expect(describeValue(new Array(10).fill(0))).toBe('an array of length 10');
    expect(describeValue(new Float32Array(7))).toBe('a Float32Array of length 7');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(new Map())).toBe('a Map');
  });
});
