import { isMriError, type MriError, type MriErrorCode } from '@duncan-mri/volume';
import { expect } from 'vitest';

/** What {@link expectMriError} checks of the error; a field left out is not checked. */
export interface ExpectedMriError {
  readonly code?: MriErrorCode;
  /** The error's `argument`; the message must name it too. */
  readonly argument?: string;
  /** A pattern the message must match, or text it must contain. */
  readonly message?: RegExp | string;
}

function check(thrown: unknown, expected: MriErrorCode | ExpectedMriError): MriError {
  expect(isMriError(thrown), `expected an MriError, got ${String(thrown)}`).toBe(true);
  const error = thrown as MriError;
  const { code, argument, message } =
    typeof expected === 'string' ? { code: expected } : (expected as ExpectedMriError);
  if (code !== undefined) expect(error.code, error.message).toBe(code);
  if (argument !== undefined) {
    expect(error.argument, error.message).toBe(argument);
    expect(error.message).toContain(argument);
  }
  if (typeof message === 'string') expect(error.message).toContain(message);
  else if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

const NOTHING = Symbol('nothing thrown');

/** What {@link expectMriError} returns for a `fn` returning `R`: a promise when `R` is one. */
export type MriErrorOf<R> = [R] extends [never]
  ? MriError
  : [R] extends [PromiseLike<unknown>]
    ? Promise<MriError>
    : MriError;

/**
 * Expects `fn` to throw an `MriError` (or, when it returns a promise, the promise to reject with
 * one) matching `expected`: a code, or the fields of {@link ExpectedMriError}. The default is
 * `INVALID_ARGUMENT`. Returns the error, or a promise of it for a promise-returning `fn`.
 *
 * @example `expectMriError(() => blur(v, { sigmaMm: -1 }), { argument: 'params.sigmaMm' })`
 * @example `const error = await expectMriError(() => loadCheckpoint(bad), 'CORRUPT_FILE')`
 */
export function expectMriError<R>(
  fn: () => R,
  expected: MriErrorCode | ExpectedMriError = 'INVALID_ARGUMENT',
): MriErrorOf<R> {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return check(error, expected) as MriErrorOf<R>;
  }
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
    return Promise.resolve(result).then(
      () => check(NOTHING, expected),
      (error: unknown) => check(error, expected),
    ) as MriErrorOf<R>;
  }
  return check(NOTHING, expected) as MriErrorOf<R>;
}

/** The code of the `MriError` a call throws; `'none'` when it returns, `'not an MriError'` otherwise. */
export function codeOf(fn: () => unknown): MriErrorCode | 'none' | 'not an MriError' {
  try {
    fn();
    return 'none';
  } catch (error) {
    return isMriError(error) ? error.code : 'not an MriError';
  }
}

/**
 * `<code> <argument>` of the `MriError` a promise rejects with (the message of anything else),
 * `undefined` when it resolves: one string to compare in a table of cases.
 */
export async function codeAndArgumentOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isMriError(error) ? `${error.code} ${error.argument}` : String(error);
  }
  return undefined;
}
