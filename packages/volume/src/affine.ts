import { invalidArgument } from './validate.js';

/**
 * A voxel-to-world transform: 16 numbers, a 4x4 matrix in row-major order, mapping voxel
 * indices `(i, j, k)` to RAS+ world coordinates in millimetres. The last row is `0 0 0 1`.
 */
export type Affine = readonly number[];

/** The three axis codes of an orientation, e.g. `['R', 'A', 'S']`. */
export type AxisCode = 'R' | 'L' | 'A' | 'P' | 'S' | 'I';

/** A 4x4 identity affine (1 mm isotropic voxels, RAS+). */
export function identityAffine(): Affine {
  return Object.freeze([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
}

/**
 * A diagonal affine with the given voxel sizes in millimetres and the origin at voxel 0.
 *
 * @example `affineFromSpacing([0.9, 0.9, 3])`
 */
export function affineFromSpacing(spacingMm: readonly [number, number, number]): Affine {
  const [sx, sy, sz] = spacingMm;
  for (const [index, value] of spacingMm.entries()) {
    if (!(Number.isFinite(value) && value > 0)) {
      invalidArgument(
        'affineFromSpacing',
        `spacingMm[${index}]`,
        'must be a positive finite number of millimetres',
        value,
        { argument: 'spacingMm' },
      );
    }
  }
  return Object.freeze([sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1]);
}

/**
 * Checks that `affine` is a usable voxel-to-world transform: 16 finite numbers, last row
 * `0 0 0 1`, an invertible 3x3 part. Returns a frozen copy.
 */
export function validateAffine(affine: unknown, where: string): Affine {
  if (
    !Array.isArray(affine) &&
    !(affine instanceof Float64Array || affine instanceof Float32Array)
  ) {
    invalidArgument(where, 'affine', 'must be an array of 16 numbers (4x4, row-major)', affine);
  }
  const values = Array.from(affine as ArrayLike<unknown>);
  if (values.length !== 16) {
    invalidArgument(where, 'affine', 'must have 16 elements (4x4, row-major)', undefined, {
      got: String(values.length),
    });
  }
  for (const [index, value] of values.entries()) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      invalidArgument(where, `affine[${index}]`, 'must be a finite number', value, {
        argument: 'affine',
      });
    }
  }
  const numbers = values as number[];
  if (numbers[12] !== 0 || numbers[13] !== 0 || numbers[14] !== 0 || numbers[15] !== 1) {
    invalidArgument(where, 'affine last row', 'must be 0 0 0 1', undefined, {
      got: numbers.slice(12).join(' '),
      argument: 'affine',
    });
  }
  if (determinant3(numbers) === 0) {
    invalidArgument(where, 'affine rotation-zoom part', 'must be invertible', undefined, {
      got: 'a singular matrix',
      argument: 'affine',
    });
  }
  return Object.freeze(numbers);
}

type Linear3 = [number, number, number, number, number, number, number, number, number];

/** The 3x3 linear part of a row-major 4x4 affine, row by row. */
function linearPart(m: readonly number[]): Linear3 {
  return [m[0]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!, m[10]!];
}

function determinant3(m: readonly number[]): number {
  const [a, b, c, d, e, f, g, h, i] = linearPart(m);
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}

/**
 * Voxel sizes in millimetres: the lengths of the affine's first three columns, as nibabel's
 * `header.get_zooms()` / `nibabel.affines.voxel_sizes` give them.
 */
export function spacing(affine: Affine): [number, number, number] {
  const m = validateAffine(affine, 'spacing');
  const out: [number, number, number] = [0, 0, 0];
  for (let col = 0; col < 3; col++) {
    const x = m[col]!;
    const y = m[4 + col]!;
    const z = m[8 + col]!;
    out[col] = Math.hypot(x, y, z);
  }
  return out;
}

const POSITIVE: readonly AxisCode[] = ['R', 'A', 'S'];
const NEGATIVE: readonly AxisCode[] = ['L', 'P', 'I'];

/**
 * The orientation codes of the voxel axes: for each voxel axis, the world direction it runs
 * towards, as nibabel's `aff2axcodes` gives it (`'RAS'` for an identity affine, `'LPS'` for a
 * DICOM-like one). Oblique axes take the closest world axis; each world axis is used once
 * (greedy on the largest direction cosine, like nibabel's `io_orientation`).
 *
 * @example `orientation(volume.affine).join('') === 'RAS'`
 */
export function orientation(affine: Affine): [AxisCode, AxisCode, AxisCode] {
  const m = validateAffine(affine, 'orientation');
  const sizes = spacing(m);
  const cosines: number[][] = [0, 1, 2].map((row) =>
    [0, 1, 2].map((col) => m[row * 4 + col]! / sizes[col]!),
  );
  const result: AxisCode[] = ['R', 'A', 'S'];
  const usedRows = new Set<number>();
  const usedCols = new Set<number>();
  for (let step = 0; step < 3; step++) {
    let best = -1;
    let bestRow = 0;
    let bestCol = 0;
    for (let row = 0; row < 3; row++) {
      if (usedRows.has(row)) continue;
      for (let col = 0; col < 3; col++) {
        if (usedCols.has(col)) continue;
        const value = Math.abs(cosines[row]![col]!);
        if (value > best) {
          best = value;
          bestRow = row;
          bestCol = col;
        }
      }
    }
    usedRows.add(bestRow);
    usedCols.add(bestCol);
    result[bestCol] = cosines[bestRow]![bestCol]! >= 0 ? POSITIVE[bestRow]! : NEGATIVE[bestRow]!;
  }
  return result as [AxisCode, AxisCode, AxisCode];
}

/**
 * The inverse transform (world -> voxel). Throws `INVALID_ARGUMENT` for a singular affine.
 */
export function invertAffine(affine: Affine): Affine {
  const m = validateAffine(affine, 'invertAffine');
  const [a, b, c, d, e, f, g, h, i] = linearPart(m);
  const det = determinant3(m);
  const r = [
    (e * i - f * h) / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    (f * g - d * i) / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    (d * h - e * g) / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ] as const;
  const tx = m[3]!;
  const ty = m[7]!;
  const tz = m[11]!;
  return Object.freeze([
    r[0],
    r[1],
    r[2],
    -(r[0] * tx + r[1] * ty + r[2] * tz),
    r[3],
    r[4],
    r[5],
    -(r[3] * tx + r[4] * ty + r[5] * tz),
    r[6],
    r[7],
    r[8],
    -(r[6] * tx + r[7] * ty + r[8] * tz),
    0,
    0,
    0,
    1,
  ]);
}

/**
 * Applies `affine` to a point: voxel indices to world millimetres (or, with the inverse,
 * world to voxel). Indices may be fractional.
 *
 * @example `applyAffine(volume.affine, [0, 0, 0])` is the world position of the first voxel.
 */
export function applyAffine(
  affine: Affine,
  point: readonly [number, number, number],
): [number, number, number] {
  const m = validateAffine(affine, 'applyAffine');
  const [x, y, z] = point;
  return [
    m[0]! * x + m[1]! * y + m[2]! * z + m[3]!,
    m[4]! * x + m[5]! * y + m[6]! * z + m[7]!,
    m[8]! * x + m[9]! * y + m[10]! * z + m[11]!,
  ];
}
