/**
 * The error codes every `@duncan-mri` package uses. A code says what kind of problem it is;
 * the message says what exactly, and where.
 */
export type MriErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT_FILE'
  | 'LIMIT_EXCEEDED'
  | 'BACKEND_UNAVAILABLE'
  | 'IO_ERROR'
  | 'INTERNAL';

const MARKER = Symbol.for('@duncan-mri/MriError');

/** Options of {@link MriError}. */
export interface MriErrorOptions {
  /** The name of the argument (or file, or field) that is wrong, when there is one. */
  readonly argument?: string;
  /** The underlying error, e.g. a third-party throw wrapped at the boundary. */
  readonly cause?: unknown;
}

/**
 * The one error class of duncan-mri. Messages follow `<function>: <argument> <rule>, got <value>`.
 *
 * Use {@link isMriError} rather than `instanceof`: it also recognises errors thrown by another
 * copy of this package (duplicate installs).
 *
 * @example
 * ```ts
 * throw new MriError('INVALID_ARGUMENT', 'ssim: dataRange must be a positive finite number, got -1', {
 *   argument: 'dataRange',
 * });
 * ```
 */
export class MriError extends Error {
  /** What kind of problem this is. */
  readonly code: MriErrorCode;
  /** The name of the offending argument, if any. */
  readonly argument: string | undefined;

  constructor(code: MriErrorCode, message: string, options: MriErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MriError';
    this.code = code;
    this.argument = options.argument;
    Object.defineProperty(this, MARKER, { value: true, enumerable: false });
  }
}

/**
 * True when `value` is an {@link MriError}, from this copy of the package or any other.
 *
 * @example
 * ```ts
 * try { ssim(a, b, { dataRange: 255 }); } catch (e) { if (isMriError(e) && e.code === 'SHAPE_MISMATCH') ... }
 * ```
 */
export function isMriError(value: unknown): value is MriError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[MARKER] === true
  );
}

/**
 * A short, printable description of a value for error messages (`got <value>`): numbers and
 * strings as they are, arrays by length, objects by constructor name. Never throws.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) {
    return value.length <= 4
      ? `[${value.map(describeValue).join(', ')}]`
      : `an array of length ${value.length}`;
  }
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `a ${name} of length ${length}`;
  }
  if (typeof value === 'function') return 'a function';
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
}
