import { describeValue, MriError } from '@duncan-mri/volume';

/** Throws the house-style `INVALID_ARGUMENT` error: `<where>: <argument> <rule>, got <value>`. */
export function fail(where: string, argument: string, rule: string, value: unknown): never {
  throw new MriError(
    'INVALID_ARGUMENT',
    `${where}: ${argument} ${rule}, got ${describeValue(value)}`,
    {
      argument,
    },
  );
}

/** `value` must be a plain object (an options bag); `undefined` gives `{}` when `optional`. */
export function validateObject(
  where: string,
  argument: string,
  value: unknown,
  optional = false,
): Record<string, unknown> {
  if (value === undefined && optional) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, argument, 'must be an object', value);
  }
  return value as Record<string, unknown>;
}

/** Rules of {@link validateNumber}. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
}

/** A finite number (an integer when `rule.integer`) within the rule's bounds; `fallback` when undefined. */
export function validateNumber(
  where: string,
  argument: string,
  value: unknown,
  rule: NumberRule,
  fallback?: number,
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const lo = rule.min === undefined ? '' : `${rule.minExclusive ? '>' : '>='} ${rule.min}`;
  const hi = rule.max === undefined ? '' : `${rule.maxExclusive ? '<' : '<='} ${rule.max}`;
  const text = `must be ${kind}${lo ? ` ${lo}` : ''}${lo && hi ? ' and' : ''}${hi ? ` ${hi}` : ''}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(where, argument, text, value);
  if (rule.integer && !Number.isInteger(value)) fail(where, argument, text, value);
  if (rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min)) {
    fail(where, argument, text, value);
  }
  if (rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max)) {
    fail(where, argument, text, value);
  }
  return value;
}

/** `true`/`false`, or `fallback` when undefined. */
export function validateBoolean(
  where: string,
  argument: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(where, argument, 'must be a boolean', value);
  return value;
}

/** A slicing axis: 0, 1 or 2 (x, y, z); `fallback` when undefined. */
export function validateAxis(where: string, value: unknown, fallback: 0 | 1 | 2): 0 | 1 | 2 {
  if (value === undefined) return fallback;
  if (value !== 0 && value !== 1 && value !== 2) fail(where, 'axis', 'must be 0, 1 or 2', value);
  return value;
}

/** An optional callback. */
export function validateFunction<T>(
  where: string,
  argument: string,
  value: unknown,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') fail(where, argument, 'must be a function', value);
  return value as T;
}
