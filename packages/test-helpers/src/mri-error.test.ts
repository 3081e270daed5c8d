import { invalidArgument, MriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { codeAndArgumentOf, codeOf, expectMriError } from './mri-error.js';

const bad = () => invalidArgument('f', 'options.x', 'must be positive', -1);
const corrupt = () => {
  throw new MriError('CORRUPT_FILE', 'readThing: file is truncated, got 3 bytes');
};

describe('expectMriError', () => {
  it('returns the error that matches, thrown or rejected', async () => {
    expect(expectMriError(bad).message).toBe('f: options.x must be positive, got -1');
    expect(expectMriError(bad, { argument: 'options.x', message: /got -1$/ }).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(expectMriError(corrupt, 'CORRUPT_FILE').code).toBe('CORRUPT_FILE');
    const rejected = expectMriError(async () => bad(), { message: 'must be positive' });
    expect(rejected).toBeInstanceOf(Promise);
    expect((await rejected).argument).toBe('options.x');
  });

  it('fails for another code, argument or message, a plain error, or no error', async () => {
    expect(() => expectMriError(corrupt)).toThrow();
    expect(() => expectMriError(bad, { argument: 'options.y' })).toThrow();
    expect(() => expectMriError(bad, { message: /positive, got 1$/ })).toThrow();
    expect(() =>
      expectMriError(() => {
        throw new Error('plain');
      }),
    ).toThrow();
    expect(() => expectMriError(() => 1)).toThrow();
    await expect(expectMriError(async () => 1)).rejects.toThrow();
    await expect(expectMriError(async () => corrupt())).rejects.toThrow();
  });
});

describe('codeOf and codeAndArgumentOf', () => {
  it('say what was thrown', async () => {
    expect(codeOf(bad)).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => 1)).toBe('none');
    expect(codeOf(() => JSON.parse('{'))).toBe('not an MriError');
    expect(await codeAndArgumentOf(Promise.resolve().then(bad))).toBe('INVALID_ARGUMENT options.x');
    expect(await codeAndArgumentOf(Promise.resolve(1))).toBeUndefined();
    expect(await codeAndArgumentOf(Promise.reject(new Error('boom')))).toBe('Error: boom');
  });
});
