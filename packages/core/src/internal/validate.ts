import { invalidArgument } from '@duncan-mri/volume';

/** A slicing axis: 0, 1 or 2 (x, y, z); `fallback` when undefined. */
export function validateAxis(where: string, value: unknown, fallback: 0 | 1 | 2): 0 | 1 | 2 {
  if (value === undefined) return fallback;
  if (value !== 0 && value !== 1 && value !== 2)
    invalidArgument(where, 'axis', 'must be 0, 1 or 2', value);
  return value;
}

/** An optional callback. */
export function validateFunction<T>(
  where: string,
  argument: string,
  value: unknown,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') invalidArgument(where, argument, 'must be a function', value);
  return value as T;
}
