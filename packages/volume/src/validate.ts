import { describeValue, MriError } from './mri-error.js';

/** Options of {@link invalidArgument}, for messages the plain form does not fit. */
export interface InvalidArgumentOptions {
  /**
   * What was given, in words, when `describeValue(value)` would not say enough (`NaN at index
   * 12`, `a terminated one`); `null` for a message without a `got` part, whose rule says it all.
   */
  readonly got?: string | null;
  /**
   * The error's `argument` when it is not the one the message names, e.g. `volume` for a
   * message about `volume.data`.
   */
  readonly argument?: string;
  /** The underlying error, e.g. a third-party throw wrapped at the boundary. */
  readonly cause?: unknown;
}

/**
 * Throws the house-style `INVALID_ARGUMENT` error, `<where>: <argument> <rule>, got <value>`.
 * The one way every package says that an argument is wrong. To hand the error on rather than
 * throw it (a rejected promise, a worker told to stop), catch it.
 *
 * @example `invalidArgument('motion', 'params.maxRotationDeg', 'must be >= 0', -1)`
 * @example `invalidArgument(where, 'volume.data', 'must be finite', x, { got: 'NaN at index 3', argument: 'volume' })`
 */
export function invalidArgument(
  where: string,
  argument: string,
  rule: string,
  value: unknown,
  options: InvalidArgumentOptions = {},
): never {
  const got = options.got === undefined ? describeValue(value) : options.got;
  throw new MriError(
    'INVALID_ARGUMENT',
    `${where}: ${argument} ${rule}${got === null ? '' : `, got ${got}`}`,
    options.cause === undefined
      ? { argument: options.argument ?? argument }
      : { argument: options.argument ?? argument, cause: options.cause },
  );
}

/** `value` must be a plain object (an options or parameter bag); `undefined` gives `{}` when `optional`. */
export function validateObject(
  where: string,
  argument: string,
  value: unknown,
  optional = false,
): Record<string, unknown> {
  if (value === undefined && optional) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalidArgument(where, argument, 'must be an object', value);
  }
  return value as Record<string, unknown>;
}

/** The bounds of {@link validateNumber}. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** Exclude `min` itself. */
  readonly minExclusive?: boolean;
  /** Exclude `max` itself. */
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
}

/**
 * A finite number (an integer with `rule.integer`) within the rule's bounds; `fallback` when
 * `value` is undefined and a fallback is given (otherwise the value is required).
 *
 * @example `validateNumber('blur', 'params.sigmaMm', params.sigmaMm, { min: 0, max: 50 })`
 */
export function validateNumber(
  where: string,
  argument: string,
  value: unknown,
  rule: NumberRule,
  fallback?: number,
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || (rule.maxExclusive ? value < rule.max : value <= rule.max));
  if (!ok) invalidArgument(where, argument, describeNumberRule(rule), value);
  return value as number;
}

/** The rule as message text, e.g. `must be a finite number >= 0 and < 1`. */
export function describeNumberRule(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const lo = rule.min === undefined ? '' : `${rule.minExclusive ? '>' : '>='} ${rule.min}`;
  const hi = rule.max === undefined ? '' : `${rule.maxExclusive ? '<' : '<='} ${rule.max}`;
  return `must be ${kind}${lo ? ` ${lo}` : ''}${lo && hi ? ' and' : ''}${hi ? ` ${hi}` : ''}`;
}

/** `true` or `false`; `fallback` when `value` is undefined. */
export function validateBoolean(
  where: string,
  argument: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalidArgument(where, argument, 'must be a boolean', value);
  return value;
}
