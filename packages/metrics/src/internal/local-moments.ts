/**
 * Local weighted moments of two images: for every output position, the windowed sums
 * `E[x], E[y], E[x^2], E[y^2], E[xy]` under a separable kernel. SSIM, MS-SSIM, UQI and VIF are
 * all functions of these five numbers, so this is the one hot loop of the package.
 *
 * Filtering is correlation (kernel not flipped), as in scipy.ndimage and MATLAB's `filter2`.
 * Borders: `'valid'` keeps only positions where the window fits; `'reflect'` keeps the input
 * size and mirrors the border with the edge sample repeated (`d c b a | a b c d`), as
 * scipy.ndimage's `mode='reflect'`. 3-D volumes are streamed slice by slice through a ring of
 * `taps` in-plane-filtered slices, so memory stays a few slices, never whole volumes.
 */

export type BorderMode = 'valid' | 'reflect';

/** The five moment planes of one output slice (row-major, `nx` fastest). */
export interface MomentPlanes {
  readonly nx: number;
  readonly ny: number;
  readonly mx: Float64Array;
  readonly my: Float64Array;
  readonly xx: Float64Array;
  readonly yy: Float64Array;
  readonly xy: Float64Array;
}

type Samples = Float32Array | Float64Array;

/** scipy's `reflect` (half-sample symmetric) boundary, for any integer `i`. */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/** The number of outputs along an axis of length `n`. */
export function outputLength(n: number, taps: number, mode: BorderMode): number {
  return mode === 'valid' ? n - taps + 1 : n;
}

/**
 * For output `o` and tap `k`, the input index is `table[o + k]`. Length `nOut + taps - 1`.
 */
export function sourceTable(n: number, taps: number, mode: BorderMode): Int32Array {
  const nOut = outputLength(n, taps, mode);
  const table = new Int32Array(nOut + taps - 1);
  const shift = mode === 'valid' ? 0 : (taps - 1) >> 1;
  for (let j = 0; j < table.length; j++) table[j] = reflectIndex(j - shift, n);
  return table;
}

export function createMomentPlanes(nx: number, ny: number): MomentPlanes {
  const size = nx * ny;
  return {
    nx,
    ny,
    mx: new Float64Array(size),
    my: new Float64Array(size),
    xx: new Float64Array(size),
    yy: new Float64Array(size),
    xy: new Float64Array(size),
  };
}

function isSymmetric(w: Float64Array): boolean {
  for (let k = 0; k < w.length >> 1; k++) if (w[k] !== w[w.length - 1 - k]) return false;
  return (w.length & 1) === 1;
}

/** `dst[dstOffset + o] = sum_k w[k] * src[o + k]` for `o < nOut`. */
function correlateRow(
  src: Float64Array,
  w: Float64Array,
  symmetric: boolean,
  dst: Float64Array,
  dstOffset: number,
  nOut: number,
): void {
  const taps = w.length;
  if (taps === 11 && symmetric) {
    // The SSIM window: unrolled, symmetric taps folded (as scipy.ndimage does).
    const w0 = w[0]!;
    const w1 = w[1]!;
    const w2 = w[2]!;
    const w3 = w[3]!;
    const w4 = w[4]!;
    const w5 = w[5]!;
    for (let o = 0; o < nOut; o++) {
      dst[dstOffset + o] =
        w0 * (src[o]! + src[o + 10]!) +
        w1 * (src[o + 1]! + src[o + 9]!) +
        w2 * (src[o + 2]! + src[o + 8]!) +
        w3 * (src[o + 3]! + src[o + 7]!) +
        w4 * (src[o + 4]! + src[o + 6]!) +
        w5 * src[o + 5]!;
    }
    return;
  }
  if (symmetric) {
    const r = taps >> 1;
    const wr = w[r]!;
    for (let o = 0; o < nOut; o++) {
      let s = wr * src[o + r]!;
      for (let k = 0; k < r; k++) s += w[k]! * (src[o + k]! + src[o + taps - 1 - k]!);
      dst[dstOffset + o] = s;
    }
    return;
  }
  for (let o = 0; o < nOut; o++) {
    let s = 0;
    for (let k = 0; k < taps; k++) s += w[k]! * src[o + k]!;
    dst[dstOffset + o] = s;
  }
}

/**
 * `dst[dstOffset + o] = sum_k w[k] * src[offsets[k] + o]` for `o < n`: the second and third
 * passes of the separable filter, combining `taps` rows (or planes) of one array into one.
 * (One array with offsets, not an array per row: V8 keeps one base pointer in a register.)
 */
function combineRows(
  src: Float64Array,
  offsets: Int32Array,
  w: Float64Array,
  symmetric: boolean,
  dst: Float64Array,
  dstOffset: number,
  n: number,
): void {
  const taps = w.length;
  if (taps === 11 && symmetric) {
    const o0 = offsets[0]!;
    const o1 = offsets[1]!;
    const o2 = offsets[2]!;
    const o3 = offsets[3]!;
    const o4 = offsets[4]!;
    const o5 = offsets[5]!;
    const o6 = offsets[6]!;
    const o7 = offsets[7]!;
    const o8 = offsets[8]!;
    const o9 = offsets[9]!;
    const o10 = offsets[10]!;
    const w0 = w[0]!;
    const w1 = w[1]!;
    const w2 = w[2]!;
    const w3 = w[3]!;
    const w4 = w[4]!;
    const w5 = w[5]!;
    for (let o = 0; o < n; o++) {
      dst[dstOffset + o] =
        w0 * (src[o0 + o]! + src[o10 + o]!) +
        w1 * (src[o1 + o]! + src[o9 + o]!) +
        w2 * (src[o2 + o]! + src[o8 + o]!) +
        w3 * (src[o3 + o]! + src[o7 + o]!) +
        w4 * (src[o4 + o]! + src[o6 + o]!) +
        w5 * src[o5 + o]!;
    }
    return;
  }
  for (let o = 0; o < n; o++) dst[dstOffset + o] = 0;
  if (symmetric) {
    const r = taps >> 1;
    for (let k = 0; k < r; k++) {
      const oa = offsets[k]!;
      const ob = offsets[taps - 1 - k]!;
      const wk = w[k]!;
      for (let o = 0; o < n; o++)
        dst[dstOffset + o] = dst[dstOffset + o]! + wk * (src[oa + o]! + src[ob + o]!);
    }
    const oc = offsets[r]!;
    const wr = w[r]!;
    for (let o = 0; o < n; o++) dst[dstOffset + o] = dst[dstOffset + o]! + wr * src[oc + o]!;
    return;
  }
  for (let k = 0; k < taps; k++) {
    const oa = offsets[k]!;
    const wk = w[k]!;
    for (let o = 0; o < n; o++) dst[dstOffset + o] = dst[dstOffset + o]! + wk * src[oa + o]!;
  }
}

const CHANNELS = ['mx', 'my', 'xx', 'yy', 'xy'] as const;

/**
 * Filters 2-D planes of `nx * ny` samples: the in-plane part of {@link streamMoments}, reusable
 * across slices and calls of the same size (it owns its scratch buffers).
 */
export class PlaneMomentFilter {
  readonly nxOut: number;
  readonly nyOut: number;
  private readonly colTable: Int32Array;
  private readonly rowTable: Int32Array;
  private readonly padded: Float64Array[];
  private readonly rowsFiltered: MomentPlanes;
  private readonly symmetric: boolean;
  private readonly rowOffsets: Int32Array;

  constructor(
    readonly nx: number,
    readonly ny: number,
    readonly kernel: Float64Array,
    readonly mode: BorderMode,
  ) {
    const taps = kernel.length;
    this.nxOut = outputLength(nx, taps, mode);
    this.nyOut = outputLength(ny, taps, mode);
    this.colTable = sourceTable(nx, taps, mode);
    this.rowTable = sourceTable(ny, taps, mode);
    this.padded = Array.from({ length: 5 }, () => new Float64Array(this.colTable.length));
    this.rowsFiltered = createMomentPlanes(this.nxOut, ny);
    this.symmetric = isSymmetric(kernel);
    this.rowOffsets = new Int32Array(taps);
  }

  /**
   * Moments of the plane starting at `offset` in `x` and `y`, written into `out` (nxOut x nyOut
   * values from `outOffset` on).
   */
  run(x: Samples, y: Samples, offset: number, out: MomentPlanes, outOffset = 0): void {
    const { nx, ny, nxOut, nyOut, kernel, colTable, rowTable, symmetric } = this;
    const [pa, pb, paa, pbb, pab] = this.padded as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const h = this.rowsFiltered;
    const width = colTable.length;
    for (let row = 0; row < ny; row++) {
      const base = offset + row * nx;
      for (let j = 0; j < width; j++) {
        const i = base + colTable[j]!;
        const a = x[i]!;
        const b = y[i]!;
        pa[j] = a;
        pb[j] = b;
        paa[j] = a * a;
        pbb[j] = b * b;
        pab[j] = a * b;
      }
      const dst = row * nxOut;
      correlateRow(pa, kernel, symmetric, h.mx, dst, nxOut);
      correlateRow(pb, kernel, symmetric, h.my, dst, nxOut);
      correlateRow(paa, kernel, symmetric, h.xx, dst, nxOut);
      correlateRow(pbb, kernel, symmetric, h.yy, dst, nxOut);
      correlateRow(pab, kernel, symmetric, h.xy, dst, nxOut);
    }
    const taps = kernel.length;
    const offsets = this.rowOffsets;
    for (const channel of CHANNELS) {
      const src = h[channel];
      const dst = out[channel];
      for (let oy = 0; oy < nyOut; oy++) {
        for (let k = 0; k < taps; k++) offsets[k] = rowTable[oy + k]! * nxOut;
        combineRows(src, offsets, kernel, symmetric, dst, outOffset + oy * nxOut, nxOut);
      }
    }
  }
}

/** How the z axis is treated: filtered like x and y (true 3-D), or each slice on its own (2-D). */
export type ZMode = BorderMode | 'slicewise';

/**
 * Calls `visit(oz, planes)` for every output slice of the local moments of the volumes `x` and
 * `y` (both `nx * ny * nz`, x fastest). The planes are reused between calls: read them inside
 * `visit`, do not keep them.
 */
export function streamMoments(
  x: Samples,
  y: Samples,
  shape: readonly [number, number, number],
  kernel: Float64Array,
  xyMode: BorderMode,
  zMode: ZMode,
  visit: (oz: number, planes: MomentPlanes) => void,
): void {
  const [nx, ny, nz] = shape;
  const plane = new PlaneMomentFilter(nx, ny, kernel, xyMode);
  const { nxOut, nyOut } = plane;
  if (zMode === 'slicewise') {
    const out = createMomentPlanes(nxOut, nyOut);
    for (let z = 0; z < nz; z++) {
      plane.run(x, y, z * nx * ny, out);
      visit(z, out);
    }
    return;
  }
  const taps = kernel.length;
  const zTable = sourceTable(nz, taps, zMode);
  const nzOut = outputLength(nz, taps, zMode);
  const ringSize = Math.min(taps, nz);
  const size = nxOut * nyOut;
  // The ring: `ringSize` in-plane-filtered slices, slot `z % ringSize`, in one array per channel.
  const ring = createMomentPlanes(nxOut, nyOut * ringSize);
  const out = createMomentPlanes(nxOut, nyOut);
  const symmetric = isSymmetric(kernel);
  const offsets = new Int32Array(taps);
  let computed = 0; // input slices [0, computed) have been filtered in-plane
  for (let oz = 0; oz < nzOut; oz++) {
    let needed = 0;
    for (let k = 0; k < taps; k++) needed = Math.max(needed, zTable[oz + k]! + 1);
    while (computed < needed) {
      plane.run(x, y, computed * nx * ny, ring, (computed % ringSize) * size);
      computed++;
    }
    for (let k = 0; k < taps; k++) offsets[k] = (zTable[oz + k]! % ringSize) * size;
    for (const channel of CHANNELS)
      combineRows(ring[channel], offsets, kernel, symmetric, out[channel], 0, size);
    visit(oz, out);
  }
}
