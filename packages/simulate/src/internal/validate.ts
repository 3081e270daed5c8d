import {
  assertVolume,
  describeNumberRule,
  invalidArgument,
  type NumberRule,
  type Volume,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';

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
    invalidArgument(
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
    invalidArgument(
      where,
      argument,
      `must be a number or a range [low, high] (${describeNumberRule(rule).slice('must be '.length)})`,
      value,
    );
  }
  const low = validateNumber(where, argument, value[0], rule);
  const high = validateNumber(where, argument, value[1], rule);
  if (low > high) invalidArgument(where, argument, 'must have low <= high', value);
  return [low, high];
}

/** A volume at a public boundary: well formed and every voxel finite. */
export function validateVolume(where: string, volume: unknown, argument = 'volume'): Volume {
  assertVolume(volume, where, argument);
  const data = volume.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      invalidArgument(where, argument, 'must contain only finite voxels', v);
    }
  }
  return volume;
}

/** An optional integer seed for an internal generator. */
export function validateSeed(where: string, argument: string, value: unknown): number {
  return validateNumber(where, argument, value, { min: 0, max: 2 ** 32 - 1, integer: true });
}

/** Reads the fields of an object argument; see {@link fieldReader}. */
export interface FieldReader<K extends string> {
  /** The object itself, for the fields that are not numbers (axes, kinds, lists). */
  readonly fields: Record<string, unknown>;
  /** The number `name`, checked against its rule; `fallback` when it is not given. */
  number(name: K, fallback?: number): number;
  /** The range `name` (see {@link validateRange}), checked against its rule. */
  range(name: K, fallback?: readonly [number, number]): readonly [number, number];
  /** The field `name`, one of `choices` (see {@link validateChoice}). */
  choice<T>(name: string, choices: readonly T[], fallback?: T): T;
}

/**
 * Checks that `value` (the argument `argument`) is an object and reads its numeric fields, each
 * checked against its entry of `rules` and reported under its own name. An artefact keeps one
 * table of rules for its parameters and its ranges, so that the two cannot drift apart.
 */
export function fieldReader<K extends string>(
  where: string,
  argument: string,
  value: unknown,
  rules: Readonly<Record<K, NumberRule>>,
): FieldReader<K> {
  const fields = validateObject(where, argument, value);
  return {
    fields,
    number: (name, fallback) => validateNumber(where, name, fields[name], rules[name], fallback),
    range: (name, fallback) => validateRange(where, name, fields[name], rules[name], fallback),
    choice: (name, choices, fallback) =>
      validateChoice(where, name, fields[name], choices, fallback),
  };
}
