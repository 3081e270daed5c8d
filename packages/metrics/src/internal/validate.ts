import {
  assertVolume,
  invalidArgument,
  MriError,
  type Volume,
  validateBoolean,
  validateObject,
} from '@duncan-mri/volume';

/** Checks the `(reference, test)` pair at a public boundary: volumes, same shape, all finite. */
export function validatePair(
  where: string,
  reference: unknown,
  test: unknown,
): asserts reference is Volume {
  assertVolume(reference, where, 'reference');
  assertVolume(test, where, 'test');
  const a = reference.shape;
  const b = (test as Volume).shape;
  if (a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2]) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${where}: test must have the shape of reference [${a.join(', ')}], got [${b.join(', ')}]`,
      { argument: 'test' },
    );
  }
  assertFinite(where, 'reference', reference.data);
  assertFinite(where, 'test', (test as Volume).data);
}

function assertFinite(where: string, argument: string, data: Float32Array): void {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    // x - x is 0 for finite x and NaN for NaN and +-Infinity.
    const v = data[i]!;
    if (v - v !== 0) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad > 0) {
    invalidArgument(where, argument, 'must contain only finite values', undefined, {
      got: `${bad} NaN or infinite voxel${bad === 1 ? '' : 's'} (first at index ${first})`,
    });
  }
}

/** `dataRange` must be a positive finite number. */
export function validateDataRange(where: string, dataRange: unknown): number {
  if (typeof dataRange !== 'number' || !Number.isFinite(dataRange) || dataRange <= 0) {
    invalidArgument(
      where,
      'dataRange',
      'must be a positive finite number (max - min of the intensity scale, e.g. 255 for 8-bit data)',
      dataRange,
    );
  }
  return dataRange;
}

/** A mask is a `Uint8Array` with one entry per voxel and at least one non-zero entry. */
export function validateMask(where: string, mask: unknown, voxels: number): Uint8Array | undefined {
  if (mask === undefined) return undefined;
  if (!(mask instanceof Uint8Array)) {
    invalidArgument(where, 'mask', 'must be a Uint8Array (non-zero = inside)', mask);
  }
  if (mask.length !== voxels) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${where}: mask must have one entry per voxel (${voxels}), got ${mask.length}`,
      { argument: 'mask' },
    );
  }
  if (mask.every((m) => m === 0)) {
    invalidArgument(where, 'mask', 'must select at least one voxel', undefined, {
      got: 'an empty mask',
    });
  }
  return mask;
}

/**
 * The start of every full-reference score: the `(reference, test)` pair, then the options
 * object and its required `dataRange`, checked in that order.
 */
export function validateScoredPair(
  where: string,
  reference: unknown,
  test: unknown,
  options: unknown,
): { opts: Record<string, unknown>; dataRange: number } {
  validatePair(where, reference, test);
  const opts = validateOptions(where, options);
  return { opts, dataRange: validateDataRange(where, opts.dataRange) };
}

/** Optional boolean option (the shared check of `@duncan-mri/volume`, default `false`). */
export function validateFlag(where: string, name: string, value: unknown): boolean {
  return validateBoolean(where, name, value, false);
}

/** Optional number option within `[min, max]`. */
export function validateNumberOption(
  where: string,
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    invalidArgument(where, name, `must be a number in [${min}, ${max}]`, value);
  }
  return value;
}

/** Options must be an object (they carry the required `dataRange`). */
export function validateOptions(where: string, options: unknown): Record<string, unknown> {
  return validateObject(where, 'options', options);
}

/** The smallest extent a windowed metric needs; throws `INVALID_ARGUMENT` naming the axes. */
export function assertMinimumSize(
  where: string,
  shape: readonly [number, number, number],
  minimum: number,
  axes: 2 | 3,
  why: string,
): void {
  const names = ['nx', 'ny', 'nz'];
  for (let axis = 0; axis < axes; axis++) {
    if (shape[axis]! < minimum) {
      invalidArgument(
        where,
        'reference',
        `must be at least ${minimum} voxels along every ${axes === 2 ? 'in-plane ' : ''}axis (${why})`,
        undefined,
        { got: `${names[axis]} = ${shape[axis]} in [${shape.join(', ')}]` },
      );
    }
  }
}

/** A single volume at a public boundary: a `Volume` whose voxels are all finite. */
export function validateVolume(
  where: string,
  argument: string,
  value: unknown,
): asserts value is Volume {
  assertVolume(value, where, argument);
  assertFinite(where, argument, value.data);
}
