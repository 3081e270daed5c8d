import { type Affine, validateAffine } from './affine.js';
import { MriError } from './mri-error.js';
import { type Axis, extractPlane, inPlaneAxes, insertPlane, validateAxis } from './slabs.js';
import { invalidArgument } from './validate.js';
import { assertVolume, createVolume, type Volume, validateShape } from './volume.js';

/**
 * Slice `index` along `axis`, as a 2-D volume (`nz = 1`) that keeps its place in world space:
 * every voxel has the same world coordinates in the slice as in `volume`, as nibabel's
 * `img.slicer[k:k+1, :, :]` keeps them.
 *
 * The slice's x and y are the two remaining axes in their order (along axis 2: x and y; along
 * axis 1: x and z; along axis 0: y and z), so its data is x-fastest over them. Its affine's
 * columns are the volume's columns of those two axes, then the sliced axis' column (the
 * slice's normal, which keeps the slice thickness as its third spacing), and its translation
 * is the volume's moved by `index` times the sliced axis' column. Slicing along axis 1 swaps
 * two columns, so that affine is mirrored (a negative determinant) where the volume's was not:
 * same voxels, same world positions.
 *
 * @param volume A volume.
 * @param axis The axis to slice along (0, 1 or 2).
 * @param index The slice, from 0 to `volume.shape[axis] - 1`.
 * @returns A new volume with its own copy of the voxels.
 * @throws MriError `INVALID_ARGUMENT` for a bad volume, axis or index.
 * @example
 * ```ts
 * const middle = sliceVolume(volume, 2, Math.floor(volume.shape[2] / 2)); // the middle axial slice
 * ```
 */
export function sliceVolume(volume: Volume, axis: Axis, index: number): Volume {
  const where = 'sliceVolume';
  assertVolume(volume, where, 'volume');
  validateAxis(where, axis);
  const count = volume.shape[axis];
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    invalidArgument(
      where,
      'index',
      `must be an integer from 0 to ${count - 1} (slices along axis ${axis})`,
      index,
    );
  }
  const [u, v] = inPlaneAxes(axis);
  const data = extractPlane(volume.data, volume.shape, axis, index);
  return createVolume({
    data,
    shape: [volume.shape[u], volume.shape[v]],
    affine: sliceAffine(volume.affine, axis, index),
  });
}

/** The affine of slice `index` along `axis` (see {@link sliceVolume}). */
function sliceAffine(affine: Affine, axis: Axis, index: number): number[] {
  const [u, v] = inPlaneAxes(axis);
  const out = new Array<number>(16).fill(0);
  for (let row = 0; row < 3; row++) {
    const m = 4 * row;
    out[m] = affine[m + u]!;
    out[m + 1] = affine[m + v]!;
    out[m + 2] = affine[m + axis]!;
    // Slice 0 keeps the translation as it is (-0 included), so that stacking restores it exactly.
    out[m + 3] = index === 0 ? affine[m + 3]! : affine[m + 3]! + index * affine[m + axis]!;
  }
  out[15] = 1;
  return out;
}

/** Options of {@link stackSlices}. */
export interface StackSlicesOptions {
  /**
   * The affine of the stack. By default it is the one the slices' own affines give: slice 0's
   * position and in-plane axes, its third column (the slice normal) as the stacking axis; then
   * every slice must lie where that affine puts it. Give it when the slices carry no geometry
   * of their own (2-D images made with the identity affine) or are not consecutive.
   */
  readonly affine?: Affine;
}

/**
 * Stacks 2-D volumes (`nz = 1`, all of one shape) along `axis` into a 3-D volume: the inverse
 * of {@link sliceVolume}. Slice `k` becomes index `k` along `axis`; its x and y become the two
 * other axes in their order, as `sliceVolume` takes them apart. Stacking every slice of a volume
 * gives the volume back, voxels and affine; stacking slices `a..b` gives nibabel's
 * `img.slicer[a:b+1]` (here along axis 0).
 *
 * Unless `options.affine` is given, each slice's affine must be the one `sliceVolume` would
 * give it (the same in-plane columns and normal, the translation moved by `k` normals, to
 * within 1e-5 relative): slices from different volumes, or out of order, are refused rather
 * than stacked into a wrong geometry.
 *
 * @param slices The slices, in order along `axis`; at least one.
 * @param axis The axis of the stack (0, 1 or 2).
 * @param options `affine`: the stack's geometry, instead of the one the slices give.
 * @throws MriError `INVALID_ARGUMENT` for a bad argument or a slice whose affine does not fit,
 * `SHAPE_MISMATCH` when the slices' shapes differ or a slice is not 2-D.
 * @example
 * ```ts
 * const slices = Array.from({ length: volume.shape[2] }, (_, z) => sliceVolume(volume, 2, z));
 * const back = stackSlices(slices.map(process2d), 2); // same grid and affine as volume
 * ```
 */
export function stackSlices(
  slices: readonly Volume[],
  axis: Axis,
  options: StackSlicesOptions = {},
): Volume {
  const where = 'stackSlices';
  if (!Array.isArray(slices) || slices.length === 0) {
    invalidArgument(where, 'slices', 'must be a non-empty array of 2-D volumes', slices);
  }
  validateAxis(where, axis);
  if (typeof options !== 'object' || options === null) {
    invalidArgument(where, 'options', 'must be an object', options);
  }
  const first = slices[0];
  for (const [k, slice] of slices.entries()) assertVolume(slice, where, `slices[${k}]`);
  const [width, height] = first!.shape;
  for (const [k, slice] of slices.entries()) {
    const [sx, sy, sz] = slice.shape;
    if (sx !== width || sy !== height || sz !== 1) {
      throw new MriError(
        'SHAPE_MISMATCH',
        `${where}: slices[${k}] must be a 2-D volume of ${width}x${height}x1 voxels like slices[0], got ${sx}x${sy}x${sz}`,
        { argument: 'slices' },
      );
    }
  }
  const [u, v] = inPlaneAxes(axis);
  const shape: [number, number, number] = [0, 0, 0];
  shape[u] = width;
  shape[v] = height;
  shape[axis] = slices.length;
  let affine: Affine;
  if (options.affine !== undefined) {
    affine = validateAffine(options.affine, where);
  } else {
    affine = stackAffine(first!.affine, axis);
    for (let k = 1; k < slices.length; k++)
      checkSliceAffine(where, slices[k]!.affine, affine, axis, k);
  }
  validateShape(shape, where, 'the stack');
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (const [index, slice] of slices.entries()) insertPlane(data, shape, axis, index, slice.data);
  return createVolume({ data, shape, affine });
}

/** The 3-D affine whose slice 0 along `axis` has `sliceAffine` (the inverse of {@link sliceAffine}). */
function stackAffine(sliceAffine: Affine, axis: Axis): number[] {
  const [u, v] = inPlaneAxes(axis);
  const out = new Array<number>(16).fill(0);
  for (let row = 0; row < 3; row++) {
    const m = 4 * row;
    out[m + u] = sliceAffine[m]!;
    out[m + v] = sliceAffine[m + 1]!;
    out[m + axis] = sliceAffine[m + 2]!;
    out[m + 3] = sliceAffine[m + 3]!;
  }
  out[15] = 1;
  return out;
}

function checkSliceAffine(
  where: string,
  actual: Affine,
  stack: Affine,
  axis: Axis,
  index: number,
): void {
  const expected = sliceAffine(stack, axis, index);
  for (let i = 0; i < 12; i++) {
    const e = expected[i]!;
    if (!(Math.abs(actual[i]! - e) <= 1e-5 * Math.max(1, Math.abs(e)))) {
      invalidArgument(
        where,
        `slices[${index}].affine`,
        `must place it ${index} slice${index === 1 ? '' : 's'} after slices[0] along axis ${axis} (give options.affine for slices without their own geometry)`,
        undefined,
        { got: `affine[${i}] = ${actual[i]} where ${e} was expected`, argument: 'slices' },
      );
    }
  }
}
