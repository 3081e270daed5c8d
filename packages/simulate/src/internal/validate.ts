import { assertVolume, describeValue, MriError, type Volume } from '@duncan-mri/volume';

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

/** `value` must be a plain object (an options or params bag). */
export function validateObject(
  where: string,
  argument: string,
  value: unknown,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, argument, 'must be an object', value);
  }
  return value as Record<string, unknown>;
}

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** Exclude `min` itself. */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

function ruleText(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const lo = rule.min === undefined ? undefined : `${rule.minExclusive ? '(' : '['}${rule.min}`;
  const hi = rule.max === undefined ? undefined : `${rule.max}]`;
  if (lo !== undefined && hi !== undefined) return `must be ${kind} in ${lo}, ${hi}`;
  if (lo !== undefined) return `must be ${kind} ${rule.minExclusive ? '>' : '>='} ${rule.min}`;
  if (hi !== undefined) return `must be ${kind} <= ${rule.max}`;
  return `must be ${kind}`;
}

/** A number obeying `rule`; `fallback` when `value` is undefined (required when no fallback). */
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
    (rule.max === undefined || value <= rule.max);
  if (!ok) fail(where, argument, ruleText(rule), value);
  return value as number;
}

/** One of a fixed list of values. */
export function validateChoice<T>(
  where: string,
  argument: string,
  value: unknown,
  choices: readonly T[],
  fallback?: T,
): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!choices.includes(value as T)) {
    fail(
      where,
      argument,
      `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`,
      value,
    );
  }
  return value as T;
}

/** A uniform range `[low, high]` with `rule` applied to both ends and `low <= high`. */
export function validateRange(
  where: string,
  argument: string,
  value: unknown,
  rule: NumberRule,
  fallback?: readonly [number, number],
): readonly [number, number] {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'number') {
    const v = validateNumber(where, argument, value, rule);
    return [v, v];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    fail(
      where,
      argument,
      `must be a number or a range [low, high] (${ruleText(rule).slice(8)})`,
      value,
    );
  }
  const low = validateNumber(where, argument, value[0], rule);
  const high = validateNumber(where, argument, value[1], rule);
  if (low > high) fail(where, argument, 'must have low <= high', value);
  return [low, high];
}

/** A volume at a public boundary: well formed and every voxel finite. */
export function validateVolume(where: string, volume: unknown, argument = 'volume'): Volume {
  assertVolume(volume, where, argument);
  const data = volume.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      fail(where, argument, 'must contain only finite voxels', v);
    }
  }
  return volume;
}

/** An optional integer seed for an internal generator. */
export function validateSeed(where: string, argument: string, value: unknown): number {
  return validateNumber(where, argument, value, { min: 0, max: 2 ** 32 - 1, integer: true });
}
