import { describeValue, invalidArgument, isMriError, MriError } from '@duncan-mri/volume';

/** A `CORRUPT_FILE` error: the bytes contradict themselves or the format. */
export function corrupt(where: string, message: string, cause?: unknown): MriError {
  return new MriError('CORRUPT_FILE', `${where}: ${message}`, {
    argument: 'bytes',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** An `UNSUPPORTED_FORMAT` error: valid, but not something this library reads. */
export function unsupported(where: string, message: string): MriError {
  return new MriError('UNSUPPORTED_FORMAT', `${where}: ${message}`, { argument: 'bytes' });
}

/** A `LIMIT_EXCEEDED` error naming the limit. */
export function limitExceeded(where: string, limit: string, max: number, got: number | string) {
  return new MriError(
    'LIMIT_EXCEEDED',
    `${where}: ${limit} must be at most ${max}, got ${got} (raise limits.${limit} to read this file)`,
    { argument: `limits.${limit}` },
  );
}

/**
 * Runs third-party code and turns anything it throws (strings, plain objects, TypeErrors,
 * RangeErrors, wasm aborts) into an {@link MriError} with the original as `cause`.
 * MriErrors pass through unchanged.
 */
export function wrapThirdParty<T>(where: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw asMriError(where, what, error);
  }
}

/** The async twin of {@link wrapThirdParty}. */
export async function wrapThirdPartyAsync<T>(
  where: string,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw asMriError(where, what, error);
  }
}

function asMriError(where: string, what: string, error: unknown): MriError {
  if (isMriError(error)) return error;
  const detail =
    error instanceof Error
      ? error.message
      : typeof error === 'string'
        ? error
        : describeValue(error);
  return corrupt(where, `${what} failed: ${detail}`, error);
}

/** Checks that `bytes` is a Uint8Array (the only input type of the readers). */
export function assertBytes(where: string, bytes: unknown, argument = 'bytes'): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    invalidArgument(where, argument, 'must be a Uint8Array', bytes);
  }
  return bytes;
}

/** Checks an options argument: undefined or a plain object. */
export function assertOptions<T extends object>(where: string, options: unknown): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    invalidArgument(where, 'options', 'must be an object', options);
  }
  return options as Partial<T>;
}

/**
 * The public boundary's safety net: anything that is not already an {@link MriError} (a stack
 * overflow from a user-raised nesting limit, an allocation failure, a bug) becomes one, so that
 * callers only ever see MriErrors. Bugs surface as `INTERNAL` with the original as `cause`.
 */
export function asBoundaryError(where: string, error: unknown): MriError {
  if (isMriError(error)) return error;
  if (error instanceof RangeError) {
    return new MriError(
      'LIMIT_EXCEEDED',
      `${where}: the file needs more memory or stack than is available (${error.message}); lower the limits`,
      {
        cause: error,
      },
    );
  }
  const detail = error instanceof Error ? error.message : describeValue(error);
  return new MriError(
    'INTERNAL',
    `${where}: unexpected failure (${detail}); please report it with the file`,
    { cause: error },
  );
}
