// Slices of raw x-fastest voxel buffers, out and back, without a Volume per slice: the one
// place where "slice k along an axis" is written. sliceVolume and stackSlices are built on it,
// and so is every loop over slices that needs speed (correction batches, worker runs, training
// crops, slice-wise simulation).
import { describeValue, MriError } from './mri-error.js';
import { type Shape, validateShape } from './volume.js';

/**
 * A voxel axis of a volume: 0 is x (the fastest in `data`), 1 is y, 2 is z. Slicing
 * "along axis 2" gives the `nz` images of `nx * ny` voxels (axial slices of a volume stored
 * axially).
 */
export type Axis = 0 | 1 | 2;

/** The two axes that stay when slicing along `axis`, in increasing order. */
export function inPlaneAxes(axis: Axis): readonly [Axis, Axis] {
  return axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
}

/** `axis` must be 0, 1 or 2. */
export function validateAxis(where: string, axis: unknown): Axis {
  if (axis !== 0 && axis !== 1 && axis !== 2) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: axis must be 0, 1 or 2 (x, y or z), got ${describeValue(axis)}`,
      { argument: 'axis' },
    );
  }
  return axis;
}

/** The checked shape of `data` (x-fastest voxels of `shape`). */
function checkBuffer(where: string, argument: string, data: unknown, shape: unknown): Shape {
  if (!(data instanceof Float32Array)) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: ${argument} must be a Float32Array, got ${describeValue(data)}`,
      { argument },
    );
  }
  const checked = validateShape(shape, where);
  const voxels = checked[0] * checked[1] * checked[2];
  if (data.length !== voxels) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${where}: ${argument} must hold nx*ny*nz = ${voxels} voxels of shape [${checked.join(', ')}], got ${data.length}`,
      { argument },
    );
  }
  return checked;
}

/** `start` and `count` must name slices `start .. start + count - 1` of the `slices` along the axis. */
function checkRange(
  where: string,
  argument: string,
  start: unknown,
  count: unknown,
  slices: number,
): void {
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 0 || start >= slices) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: ${argument} must be an integer from 0 to ${slices - 1} (slices along the axis), got ${describeValue(start)}`,
      { argument },
    );
  }
  if (
    typeof count !== 'number' ||
    !Number.isInteger(count) ||
    count < 1 ||
    start + count > slices
  ) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: count must be an integer from 1 to ${slices - start} (slices from ${start} on), got ${describeValue(count)}`,
      { argument: 'count' },
    );
  }
}

/**
 * Copies slices `start .. start + count - 1` along `axis` between a volume buffer and a slab
 * buffer (the volume's shape with `count` along `axis`, x-fastest too): `toSlab` reads the
 * volume into the slab, otherwise the slab is written into the volume.
 */
function copySlab(
  volume: Float32Array,
  shape: Shape,
  axis: Axis,
  start: number,
  count: number,
  slab: Float32Array,
  toSlab: boolean,
): void {
  const [nx, ny, nz] = shape;
  if (axis === 2) {
    const from = nx * ny * start;
    if (toSlab) slab.set(volume.subarray(from, from + nx * ny * count));
    else volume.set(slab, from);
    return;
  }
  // A row of the slab: `width` consecutive voxels of the volume, from (dx, y + dy, z).
  const width = axis === 0 ? count : nx;
  const rows = axis === 1 ? count : ny;
  const dx = axis === 0 ? start : 0;
  const dy = axis === 1 ? start : 0;
  let k = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < rows; y++) {
      const row = nx * (y + dy + ny * z) + dx;
      if (toSlab) for (let x = 0; x < width; x++) slab[k++] = volume[row + x]!;
      else for (let x = 0; x < width; x++) volume[row + x] = slab[k++]!;
    }
  }
}

/**
 * The voxels of slices `start .. start + count - 1` along `axis` of x-fastest voxels `data` of
 * `shape`, as one x-fastest buffer of their own: a "slab" of the volume's shape with `count`
 * along `axis`. Slice `k` of the slab is slice `start + k` of the volume, laid out as
 * {@link extractPlane} lays it out. For loops over slices that need speed (no `Volume` per
 * slice); {@link sliceVolume} gives a slice with its geometry.
 *
 * @param out Where to write the slab (its length must be the slab's); default a new array.
 * @returns `out`, or a new array.
 * @throws MriError `INVALID_ARGUMENT` for a bad buffer, shape, axis, range or `out`;
 *   `SHAPE_MISMATCH` when `data` or `out` does not hold the voxels of its shape.
 * @example
 * ```ts
 * const slab = extractSlab(volume.data, volume.shape, 2, 8, 4); // z slices 8 to 11
 * ```
 */
export function extractSlab(
  data: Float32Array,
  shape: Shape,
  axis: Axis,
  start: number,
  count: number,
  out?: Float32Array,
): Float32Array {
  return extractChecked('extractSlab', 'start', data, shape, axis, start, count, out);
}

/**
 * Writes a slab (as {@link extractSlab} gives it) back as slices `start ..` along `axis` of
 * `target` (x-fastest voxels of `shape`); the slab's length says how many slices it holds.
 *
 * @throws MriError `INVALID_ARGUMENT` for a bad buffer, shape, axis or start, or a slab that
 *   does not fit from `start`; `SHAPE_MISMATCH` when `target` does not hold the voxels of
 *   `shape` or the slab is not a whole number of slices.
 * @example
 * ```ts
 * insertSlab(out, volume.shape, 2, 8, corrected); // z slices 8 to 8 + n - 1
 * ```
 */
export function insertSlab(
  target: Float32Array,
  shape: Shape,
  axis: Axis,
  start: number,
  slab: Float32Array,
): void {
  insertChecked('insertSlab', 'start', target, shape, axis, start, slab, false);
}

/**
 * Slice `index` along `axis` of x-fastest voxels `data` of `shape`: the two remaining axes in
 * their order, the faster first (along axis 2: `nx * ny` voxels x-fastest; along axis 1: x then
 * z; along axis 0: y then z), as {@link sliceVolume} gives a slice's voxels. Read as a
 * row-major image, that is `[ny, nx]`, `[nz, nx]` or `[nz, ny]` (rows, columns).
 *
 * @param out Where to write the slice (its length must be the slice's); default a new array.
 * @returns `out`, or a new array.
 * @throws MriError as {@link extractSlab}.
 * @example
 * ```ts
 * const plane = extractPlane(volume.data, volume.shape, 0, 10); // ny * nz voxels, y fastest
 * ```
 */
export function extractPlane(
  data: Float32Array,
  shape: Shape,
  axis: Axis,
  index: number,
  out?: Float32Array,
): Float32Array {
  return extractChecked('extractPlane', 'index', data, shape, axis, index, 1, out);
}

/**
 * Writes `plane` (as {@link extractPlane} gives it) as slice `index` along `axis` of `target`.
 *
 * @throws MriError as {@link insertSlab}; `SHAPE_MISMATCH` for a plane that is not one slice.
 * @example
 * ```ts
 * insertPlane(out, volume.shape, 2, z, processed);
 * ```
 */
export function insertPlane(
  target: Float32Array,
  shape: Shape,
  axis: Axis,
  index: number,
  plane: Float32Array,
): void {
  insertChecked('insertPlane', 'index', target, shape, axis, index, plane, true);
}

function extractChecked(
  where: string,
  startName: string,
  data: Float32Array,
  shape: Shape,
  axis: Axis,
  start: number,
  count: number,
  out: Float32Array | undefined,
): Float32Array {
  const checked = checkBuffer(where, 'data', data, shape);
  validateAxis(where, axis);
  checkRange(where, startName, start, count, checked[axis]);
  const plane = data.length / checked[axis];
  const size = plane * count;
  if (out !== undefined && (!(out instanceof Float32Array) || out.length !== size)) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: out must be a Float32Array of ${size} voxels (${count} slice${count === 1 ? '' : 's'} along axis ${axis}), got ${describeValue(out)}`,
      { argument: 'out' },
    );
  }
  if (out === undefined && axis === 2) {
    return data.slice(plane * start, plane * start + size);
  }
  const slab = out ?? new Float32Array(size);
  copySlab(data, checked, axis, start, count, slab, true);
  return slab;
}

function insertChecked(
  where: string,
  startName: string,
  target: Float32Array,
  shape: Shape,
  axis: Axis,
  start: number,
  slab: Float32Array,
  onePlane: boolean,
): void {
  const checked = checkBuffer(where, 'target', target, shape);
  validateAxis(where, axis);
  const slices = checked[axis];
  checkRange(where, startName, start, 1, slices);
  const size = target.length / slices;
  const argument = onePlane ? 'plane' : 'slab';
  if (!(slab instanceof Float32Array)) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: ${argument} must be a Float32Array, got ${describeValue(slab)}`,
      { argument },
    );
  }
  const count = slab.length / size;
  if (onePlane ? count !== 1 : !Number.isInteger(count) || count < 1) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${where}: ${argument} must hold ${onePlane ? 'the' : 'whole slices of'} ${size} voxels of one slice along axis ${axis}, got ${slab.length}`,
      { argument },
    );
  }
  if (start + count > slices) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: slab must fit from slice ${start} along axis ${axis}, where ${slices - start === 1 ? '1 slice remains' : `${slices - start} slices remain`}, got ${count} slices`,
      { argument },
    );
  }
  copySlab(target, checked, axis, start, count, slab, false);
}
