import { type Affine, affineFromSpacing, identityAffine, validateAffine } from './affine.js';
import { MriError } from './mri-error.js';
import { invalidArgument } from './validate.js';

/** `[nx, ny, nz]`: voxels along x, y and z. A 2-D image has `nz = 1`. */
export type Shape = readonly [number, number, number];

/**
 * The one data type every duncan-mri package exchanges: a scalar image of float32 voxels.
 *
 * - `data` is x-fastest: voxel `(x, y, z)` is `data[x + nx * (y + ny * z)]`, which is exactly a
 *   row-major array of shape `[nz, ny, nx]`.
 * - `affine` maps voxel indices to RAS+ world millimetres (4x4, row-major); spacing and
 *   orientation are derived from it ({@link spacing}, {@link orientation}).
 *
 * Volumes are treated as immutable: functions return new volumes and never write into an
 * input's `data`.
 */
export interface Volume {
  readonly data: Float32Array;
  readonly shape: Shape;
  readonly affine: Affine;
}

/** Options of {@link createVolume}. Give `affine` or `spacing`, not both; neither means 1 mm, RAS. */
export interface CreateVolumeOptions {
  /** Voxel values, x fastest. A `Float32Array` is used as it is (not copied); other arrays are copied. */
  readonly data: Float32Array | ArrayLike<number>;
  /** `[nx, ny, nz]`, or `[nx, ny]` for a 2-D image (then `nz = 1`). */
  readonly shape: readonly [number, number, number] | readonly [number, number];
  /** Voxel-to-world transform, 16 numbers, row-major, RAS+ millimetres. */
  readonly affine?: Affine;
  /** Voxel sizes in millimetres `[sx, sy, sz]`; builds a diagonal affine. */
  readonly spacing?: readonly [number, number, number];
}

/** The largest number of voxels a volume may have (2^31 - 1, the limit of a typed array index). */
export const MAX_VOXELS = 2 ** 31 - 1;

/**
 * Creates a {@link Volume}, validating everything once: the shape (positive integers), the
 * data length (`nx * ny * nz`), the affine (16 finite numbers, last row `0 0 0 1`, invertible).
 * The result is frozen.
 *
 * @example
 * ```ts
 * const slice = createVolume({ data: new Float32Array(256 * 256), shape: [256, 256], spacing: [0.9, 0.9, 5] });
 * ```
 */
export function createVolume(options: CreateVolumeOptions): Volume {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createVolume', 'options', 'must be an object', options);
  }
  const shape = validateShape(options.shape, 'createVolume');
  const data = toFloat32(options.data, 'createVolume');
  const expected = shape[0] * shape[1] * shape[2];
  if (data.length !== expected) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `createVolume: data must have nx*ny*nz = ${expected} elements for shape [${shape.join(', ')}], got ${data.length}`,
      { argument: 'data' },
    );
  }
  if (options.affine !== undefined && options.spacing !== undefined) {
    invalidArgument('createVolume', 'give affine or spacing,', 'not both', undefined, {
      got: 'both',
      argument: 'spacing',
    });
  }
  let affine: Affine;
  if (options.affine !== undefined) affine = validateAffine(options.affine, 'createVolume');
  else if (options.spacing !== undefined) affine = affineFromSpacing(options.spacing);
  else affine = identityAffine();
  return Object.freeze({ data, shape, affine });
}

/**
 * A new volume with the same shape and affine as `volume` and the given voxel values.
 *
 * @example `const scaled = withData(volume, volume.data.map((v) => v * 2));`
 */
export function withData(volume: Volume, data: Float32Array | ArrayLike<number>): Volume {
  assertVolume(volume, 'withData', 'volume');
  const values = toFloat32(data, 'withData');
  if (values.length !== volume.data.length) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `withData: data must have ${volume.data.length} elements to match shape [${volume.shape.join(', ')}], got ${values.length}`,
      { argument: 'data' },
    );
  }
  return Object.freeze({ data: values, shape: volume.shape, affine: volume.affine });
}

/** The number of voxels of a shape. */
export function voxelCount(shape: Shape): number {
  return shape[0] * shape[1] * shape[2];
}

/**
 * Checks that `value` looks like a {@link Volume} (a Float32Array of the right length, a valid
 * shape); throws `INVALID_ARGUMENT` naming `argument` otherwise. For use at public boundaries.
 */
export function assertVolume(
  value: unknown,
  where: string,
  argument: string,
): asserts value is Volume {
  if (typeof value !== 'object' || value === null) {
    invalidArgument(where, argument, 'must be a Volume', value);
  }
  const v = value as Partial<Volume>;
  if (!(v.data instanceof Float32Array)) {
    invalidArgument(where, `${argument}.data`, 'must be a Float32Array', v.data, { argument });
  }
  const shape = validateShape(v.shape, where, `${argument}.shape`);
  if (shape[0] * shape[1] * shape[2] !== v.data.length) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${where}: ${argument}.data must have nx*ny*nz = ${shape[0] * shape[1] * shape[2]} elements, got ${v.data.length}`,
      { argument },
    );
  }
}

/** A shape argument: `[nx, ny, nz]` or `[nx, ny]` of positive integers, as a frozen `[nx, ny, nz]`. */
export function validateShape(shape: unknown, where: string, argument = 'shape'): Shape {
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3)) {
    invalidArgument(where, argument, 'must be [nx, ny, nz] or [nx, ny]', shape);
  }
  const dims = shape.length === 2 ? [shape[0], shape[1], 1] : [shape[0], shape[1], shape[2]];
  for (const [index, n] of dims.entries()) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      invalidArgument(where, `${argument}[${index}]`, 'must be a positive integer', n, {
        argument,
      });
    }
  }
  const [nx, ny, nz] = dims as [number, number, number];
  if (nx * ny * nz > MAX_VOXELS) {
    throw new MriError(
      'LIMIT_EXCEEDED',
      `${where}: ${argument} must have at most ${MAX_VOXELS} voxels, got ${nx}x${ny}x${nz}`,
      { argument },
    );
  }
  return Object.freeze([nx, ny, nz] as const);
}

function toFloat32(data: unknown, where: string): Float32Array {
  if (data instanceof Float32Array) return data;
  if (
    data === null ||
    typeof data !== 'object' ||
    typeof (data as { length?: unknown }).length !== 'number'
  ) {
    invalidArgument(where, 'data', 'must be a Float32Array or an array of numbers', data);
  }
  return Float32Array.from(data as ArrayLike<number>);
}
