import type { Axis } from '@duncan-mri/volume';
/**
 * Binary morphology on x-fastest grids, for `brainMask`: Otsu's threshold, exact Euclidean
 * distance transforms in millimetres (so balls of a radius in mm, anisotropic spacing included),
 * 6-connected components and hole filling. Axes of length 1 are ignored (a 2-D image is a
 * 2-D problem). Every function allocates its result; none mutates its inputs.
 */

/** `[nx, ny, nz]`. */
export type Grid = readonly [number, number, number];

/**
 * Otsu's threshold on a 256-bin histogram over `[min, max]` (the between-class variance of
 * scikit-image's `threshold_otsu(image, nbins=256)` on floating-point data), returning the upper
 * edge of the last bin of the lower class, so that every value of that class is `<= t` and
 * voxels `> t` are foreground (scikit-image returns the bin's centre, which leaves the top of the
 * lower class above its threshold). `NaN` when all values are equal.
 */
export function otsuThreshold(data: Float32Array): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return Number.NaN;
  const bins = 256;
  const hist = new Float64Array(bins);
  const scale = bins / (max - min);
  for (let i = 0; i < data.length; i++) {
    let b = Math.floor((data[i]! - min) * scale);
    if (b >= bins) b = bins - 1;
    hist[b]! += 1;
  }
  const width = (max - min) / bins;
  const centre = (b: number): number => min + (b + 0.5) * width;
  // weight1/mean1 over bins [0, b], weight2/mean2 over bins [b + 1, 255].
  let total = 0;
  let totalMoment = 0;
  for (let b = 0; b < bins; b++) {
    total += hist[b]!;
    totalMoment += hist[b]! * centre(b);
  }
  let w1 = 0;
  let m1 = 0;
  let best = -1;
  let bestBin = 0;
  for (let b = 0; b < bins - 1; b++) {
    w1 += hist[b]!;
    m1 += hist[b]! * centre(b);
    const w2 = total - w1;
    if (w1 === 0 || w2 === 0) continue;
    const d = m1 / w1 - (totalMoment - m1) / w2;
    const between = w1 * w2 * d * d;
    if (between > best) {
      best = between;
      bestBin = b;
    }
  }
  return min + (bestBin + 1) * width;
}

/**
 * Squared Euclidean distance (mm^2) from every voxel to the nearest voxel where `feature` is
 * non-zero; `Infinity` when there is none. Felzenszwalb & Huttenlocher's lower-envelope
 * algorithm (Theory of Computing 8, 2012), one pass per axis: O(voxels). Like scipy's
 * `distance_transform_edt`, nothing outside the grid counts as a feature.
 */
export function squaredDistanceTo(
  feature: Uint8Array,
  grid: Grid,
  spacingMm: readonly [number, number, number],
): Float32Array {
  const [nx, ny, nz] = grid;
  const out = new Float32Array(feature.length);
  for (let i = 0; i < feature.length; i++) out[i] = feature[i] ? 0 : Number.POSITIVE_INFINITY;
  const longest = Math.max(nx, ny, nz);
  const f = new Float64Array(longest);
  const d = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  const pass = (n: number, stride: number, starts: Iterable<number>, s: number): void => {
    if (n === 1) return;
    const s2 = s * s;
    for (const start of starts) {
      let any = false;
      for (let q = 0; q < n; q++) {
        const value = out[start + q * stride]!;
        f[q] = value;
        if (value !== Number.POSITIVE_INFINITY) any = true;
      }
      if (!any) continue;
      envelope(f, n, s2, d, v, z);
      for (let q = 0; q < n; q++) out[start + q * stride] = d[q]!;
    }
  };
  pass(nx, 1, lineStarts(grid, 0), spacingMm[0]);
  pass(ny, nx, lineStarts(grid, 1), spacingMm[1]);
  pass(nz, nx * ny, lineStarts(grid, 2), spacingMm[2]);
  return out;
}

/** The first voxel of every line along `axis`. */
function* lineStarts(grid: Grid, axis: Axis): Generator<number> {
  const [nx, ny, nz] = grid;
  if (axis === 0) {
    for (let zz = 0; zz < nz; zz++) for (let y = 0; y < ny; y++) yield nx * (y + ny * zz);
  } else if (axis === 1) {
    for (let zz = 0; zz < nz; zz++) for (let x = 0; x < nx; x++) yield x + nx * ny * zz;
  } else {
    for (let i = 0; i < nx * ny; i++) yield i;
  }
}

/** 1-D squared distance transform `d(q) = min_p f(p) + s2 (q - p)^2` (f may hold Infinity). */
function envelope(
  f: Float64Array,
  n: number,
  s2: number,
  d: Float64Array,
  v: Int32Array,
  z: Float64Array,
): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q]!;
    if (fq === Number.POSITIVE_INFINITY) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = Number.NEGATIVE_INFINITY;
      z[1] = Number.POSITIVE_INFINITY;
      continue;
    }
    // z[0] is -Infinity, so the search stops at k = 0 at the latest.
    let s = 0;
    for (;;) {
      const p = v[k]!;
      s = (fq + s2 * q * q - (f[p]! + s2 * p * p)) / (2 * s2 * (q - p));
      if (s <= z[k]! && k > 0) k--;
      else break;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Number.POSITIVE_INFINITY;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (z[j + 1]! < q) j++;
    const p = v[j]!;
    d[q] = f[p]! + s2 * (q - p) * (q - p);
  }
}

/** Voxels whose distance to the nearest feature voxel is at most `radiusMm` (a dilation by a ball). */
export function dilate(
  mask: Uint8Array,
  grid: Grid,
  spacingMm: readonly [number, number, number],
  radiusMm: number,
): Uint8Array {
  const d2 = squaredDistanceTo(mask, grid, spacingMm);
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = d2[i]! <= r2 ? 1 : 0;
  return out;
}

/**
 * Voxels of `mask` farther than `radiusMm` from every voxel outside it (an erosion by a ball).
 * Beyond the grid is background (scipy's `binary_erosion` default, `border_value=0`), except
 * along axes of length 1: a 2-D image is eroded in-plane.
 */
export function erode(
  mask: Uint8Array,
  grid: Grid,
  spacingMm: readonly [number, number, number],
  radiusMm: number,
): Uint8Array {
  const [nx, ny, nz] = grid;
  const outside = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) outside[i] = mask[i] ? 0 : 1;
  const d2 = squaredDistanceTo(outside, grid, spacingMm);
  const r2 = radiusMm * radiusMm;
  // The nearest voxel beyond the grid lies straight across the nearest face.
  const face = (i: number, n: number, s: number): number =>
    n > 1 ? (Math.min(i + 1, n - i) * s) ** 2 : Number.POSITIVE_INFINITY;
  const out = new Uint8Array(mask.length);
  for (let z = 0, i = 0; z < nz; z++) {
    const fz = face(z, nz, spacingMm[2]);
    for (let y = 0; y < ny; y++) {
      const fyz = Math.min(fz, face(y, ny, spacingMm[1]));
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        const nearest = Math.min(d2[i]!, fyz, face(x, nx, spacingMm[0]));
        out[i] = nearest > r2 ? 1 : 0;
      }
    }
  }
  return out;
}

/**
 * Breadth-first spread from the voxels already in `queue[0..tail)`: each 6-connected neighbour
 * of a queued voxel for which `enter` returns true (having marked it) is queued in turn. Returns
 * the final tail, the number of voxels queued.
 */
function spread(
  queue: Int32Array,
  tail: number,
  grid: Grid,
  enter: (voxel: number) => boolean,
): number {
  const [nx, ny, nz] = grid;
  const plane = nx * ny;
  let head = 0;
  const visit = (j: number): void => {
    if (enter(j)) queue[tail++] = j;
  };
  while (head < tail) {
    const i = queue[head++]!;
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const zz = Math.floor(i / plane);
    if (x > 0) visit(i - 1);
    if (x < nx - 1) visit(i + 1);
    if (y > 0) visit(i - nx);
    if (y < ny - 1) visit(i + nx);
    if (zz > 0) visit(i - plane);
    if (zz < nz - 1) visit(i + plane);
  }
  return tail;
}

/**
 * Flood fill from `seeds` through 6-connected voxels where `allowed` is non-zero. Returns the
 * reached voxels as 1 (seeds that are not allowed are skipped).
 */
function flood(allowed: Uint8Array, grid: Grid, seeds: Iterable<number>): Uint8Array {
  const reached = new Uint8Array(allowed.length);
  const queue = new Int32Array(allowed.length);
  const enter = (j: number): boolean => {
    if (!allowed[j] || reached[j]) return false;
    reached[j] = 1;
    return true;
  };
  let tail = 0;
  for (const s of seeds) if (enter(s)) queue[tail++] = s;
  spread(queue, tail, grid, enter);
  return reached;
}

/**
 * The largest 6-connected component of `mask` (the first one in voxel order on ties); all
 * zeros when `mask` is empty.
 */
export function largestComponent(mask: Uint8Array, grid: Grid): Uint8Array {
  const label = new Int32Array(mask.length);
  const queue = new Int32Array(mask.length);
  let bestLabel = 0;
  let bestSize = 0;
  let next = 0;
  const enter = (j: number): boolean => {
    if (!mask[j] || label[j] !== 0) return false;
    label[j] = next;
    return true;
  };
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start] !== 0) continue;
    next++;
    label[start] = next;
    queue[0] = start;
    const size = spread(queue, 1, grid, enter);
    if (size > bestSize) {
      bestSize = size;
      bestLabel = next;
    }
  }
  const out = new Uint8Array(mask.length);
  if (bestLabel === 0) return out;
  for (let i = 0; i < out.length; i++) out[i] = label[i] === bestLabel ? 1 : 0;
  return out;
}

/**
 * `mask` with its holes filled: background voxels that no 6-connected background path joins to
 * the border of the grid become foreground (scipy's `binary_fill_holes`). Axes of length 1 have
 * no border of their own, so a 2-D image is filled in-plane.
 */
export function fillHoles(mask: Uint8Array, grid: Grid): Uint8Array {
  const [nx, ny, nz] = grid;
  const background = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) background[i] = mask[i] ? 0 : 1;
  const seeds: number[] = [];
  for (let zz = 0; zz < nz; zz++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const border =
          (nx > 1 && (x === 0 || x === nx - 1)) ||
          (ny > 1 && (y === 0 || y === ny - 1)) ||
          (nz > 1 && (zz === 0 || zz === nz - 1));
        if (border) seeds.push(x + nx * (y + ny * zz));
      }
    }
  }
  const outside = flood(background, grid, seeds);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}
