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

/**
 * The moment planes of one output slice (row-major, `nx` fastest): `E[x]`, `E[y]`, `E[xy]` and
 * either `E[x^2]` and `E[y^2]` (`'separate'`), or only their sum `E[x^2 + y^2]` in `xx` with
 * `yy` empty (`'combined'`: all SSIM and UQI need, one channel less to filter).
 */
export interface MomentPlanes {
  readonly nx: number;
  readonly ny: number;
  readonly mx: Float64Array;
  readonly my: Float64Array;
  readonly xx: Float64Array;
  readonly yy: Float64Array;
  readonly xy: Float64Array;
}

/** Whether the second moments are kept apart (VIF) or summed (SSIM, UQI). */
export type SquareMoments = 'separate' | 'combined';

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

export function createMomentPlanes(
  nx: number,
  ny: number,
  squares: SquareMoments = 'separate',
): MomentPlanes {
  const size = nx * ny;
  return {
    nx,
    ny,
    mx: new Float64Array(size),
    my: new Float64Array(size),
    xx: new Float64Array(size),
    yy: new Float64Array(squares === 'separate' ? size : 0),
    xy: new Float64Array(size),
  };
}

function isOnes(w: Float64Array): boolean {
  return w.every((v) => v === 1);
}

function isSymmetric(w: Float64Array): boolean {
  for (let k = 0; k < w.length >> 1; k++) if (w[k] !== w[w.length - 1 - k]) return false;
  return (w.length & 1) === 1;
}

/**
 * `dst[dstOffset + o * dstStride] = sum_k w[k] * src[srcOffset + (o + k) * srcStride]` for
 * `o < nOut`: one 1-D correlation along a strided line. The 11-tap symmetric case (the SSIM
 * window) slides the window through local variables, so each output loads one new sample.
 */
function correlateLine(
  src: Float64Array,
  srcOffset: number,
  srcStride: number,
  w: Float64Array,
  symmetric: boolean,
  dst: Float64Array,
  dstOffset: number,
  dstStride: number,
  nOut: number,
): void {
  const taps = w.length;
  if (taps === 11 && symmetric) {
    const w0 = w[0]!;
    const w1 = w[1]!;
    const w2 = w[2]!;
    const w3 = w[3]!;
    const w4 = w[4]!;
    const w5 = w[5]!;
    let s0 = src[srcOffset]!;
    let s1 = src[srcOffset + 1 * srcStride]!;
    let s2 = src[srcOffset + 2 * srcStride]!;
    let s3 = src[srcOffset + 3 * srcStride]!;
    let s4 = src[srcOffset + 4 * srcStride]!;
    let s5 = src[srcOffset + 5 * srcStride]!;
    let s6 = src[srcOffset + 6 * srcStride]!;
    let s7 = src[srcOffset + 7 * srcStride]!;
    let s8 = src[srcOffset + 8 * srcStride]!;
    let s9 = src[srcOffset + 9 * srcStride]!;
    let p = srcOffset + 10 * srcStride;
    let q = dstOffset;
    for (let o = 0; o < nOut; o++) {
      const s10 = src[p]!;
      p += srcStride;
      // Symmetric taps folded, as scipy.ndimage does.
      dst[q] =
        w0 * (s0 + s10) +
        w1 * (s1 + s9) +
        w2 * (s2 + s8) +
        w3 * (s3 + s7) +
        w4 * (s4 + s6) +
        w5 * s5;
      q += dstStride;
      s0 = s1;
      s1 = s2;
      s2 = s3;
      s3 = s4;
      s4 = s5;
      s5 = s6;
      s6 = s7;
      s7 = s8;
      s8 = s9;
      s9 = s10;
    }
    return;
  }
  if (taps === 8 && isOnes(w)) {
    // UQI's 8x8 window sums: direct sums (no running sum, so flat windows stay exactly flat).
    let s0 = src[srcOffset]!;
    let s1 = src[srcOffset + 1 * srcStride]!;
    let s2 = src[srcOffset + 2 * srcStride]!;
    let s3 = src[srcOffset + 3 * srcStride]!;
    let s4 = src[srcOffset + 4 * srcStride]!;
    let s5 = src[srcOffset + 5 * srcStride]!;
    let s6 = src[srcOffset + 6 * srcStride]!;
    let p = srcOffset + 7 * srcStride;
    let q = dstOffset;
    for (let o = 0; o < nOut; o++) {
      const s7 = src[p]!;
      p += srcStride;
      dst[q] = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
      q += dstStride;
      s0 = s1;
      s1 = s2;
      s2 = s3;
      s3 = s4;
      s4 = s5;
      s5 = s6;
      s6 = s7;
    }
    return;
  }
  if (symmetric) {
    const r = taps >> 1;
    const wr = w[r]!;
    for (let o = 0; o < nOut; o++) {
      const base = srcOffset + o * srcStride;
      let s = wr * src[base + r * srcStride]!;
      for (let k = 0; k < r; k++)
        s += w[k]! * (src[base + k * srcStride]! + src[base + (taps - 1 - k) * srcStride]!);
      dst[dstOffset + o * dstStride] = s;
    }
    return;
  }
  for (let o = 0; o < nOut; o++) {
    const base = srcOffset + o * srcStride;
    let s = 0;
    for (let k = 0; k < taps; k++) s += w[k]! * src[base + k * srcStride]!;
    dst[dstOffset + o * dstStride] = s;
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

const CHANNELS = {
  separate: ['mx', 'my', 'xx', 'yy', 'xy'],
  combined: ['mx', 'my', 'xx', 'xy'],
} as const;

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
  /** Row-filtered channels, transposed (`[nxOut][ny]`) so that columns are contiguous. */
  private readonly transposed: MomentPlanes;
  private readonly column: Float64Array;
  private readonly symmetric: boolean;
  private outputPlanes: MomentPlanes | undefined;

  constructor(
    readonly nx: number,
    readonly ny: number,
    readonly kernel: Float64Array,
    readonly mode: BorderMode,
    readonly squares: SquareMoments = 'separate',
  ) {
    const taps = kernel.length;
    this.nxOut = outputLength(nx, taps, mode);
    this.nyOut = outputLength(ny, taps, mode);
    this.colTable = sourceTable(nx, taps, mode);
    this.rowTable = sourceTable(ny, taps, mode);
    this.padded = Array.from({ length: 5 }, () => new Float64Array(this.colTable.length));
    this.transposed = createMomentPlanes(ny, this.nxOut, squares);
    this.column = new Float64Array(this.rowTable.length);
    this.symmetric = isSymmetric(kernel);
  }

  /** Output planes of this filter's size, allocated once and reused. */
  output(): MomentPlanes {
    this.outputPlanes ??= createMomentPlanes(this.nxOut, this.nyOut, this.squares);
    return this.outputPlanes;
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
    const t = this.transposed;
    const width = colTable.length;
    const combined = this.squares === 'combined';
    // Pass 1: along x, into the transposed planes (output column-major).
    for (let row = 0; row < ny; row++) {
      const base = offset + row * nx;
      if (combined) {
        for (let j = 0; j < width; j++) {
          const i = base + colTable[j]!;
          const a = x[i]!;
          const b = y[i]!;
          pa[j] = a;
          pb[j] = b;
          paa[j] = a * a + b * b;
          pab[j] = a * b;
        }
      } else {
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
        correlateLine(pbb, 0, 1, kernel, symmetric, t.yy, row, ny, nxOut);
      }
      correlateLine(pa, 0, 1, kernel, symmetric, t.mx, row, ny, nxOut);
      correlateLine(pb, 0, 1, kernel, symmetric, t.my, row, ny, nxOut);
      correlateLine(paa, 0, 1, kernel, symmetric, t.xx, row, ny, nxOut);
      correlateLine(pab, 0, 1, kernel, symmetric, t.xy, row, ny, nxOut);
    }
    // Pass 2: along y, over the now contiguous columns, back into row-major output.
    const column = this.column;
    const direct = this.mode === 'valid';
    for (const channel of CHANNELS[this.squares]) {
      const src = t[channel];
      const dst = out[channel];
      for (let ox = 0; ox < nxOut; ox++) {
        const start = ox * ny;
        if (direct) {
          correlateLine(src, start, 1, kernel, symmetric, dst, outOffset + ox, nxOut, nyOut);
        } else {
          for (let j = 0; j < column.length; j++) column[j] = src[start + rowTable[j]!]!;
          correlateLine(column, 0, 1, kernel, symmetric, dst, outOffset + ox, nxOut, nyOut);
        }
      }
    }
  }
}

let lastFilter: PlaneMomentFilter | undefined;

/**
 * A filter for planes of this size, kernel and mode, reusing the last one when it matches:
 * pipelines score many same-sized images, and the scratch planes are the costly part to
 * allocate. (JavaScript is single-threaded and the filter is not re-entered while in use.)
 */
export function planeFilter(
  nx: number,
  ny: number,
  kernel: Float64Array,
  mode: BorderMode,
  squares: SquareMoments,
): PlaneMomentFilter {
  const f = lastFilter;
  if (
    f &&
    f.nx === nx &&
    f.ny === ny &&
    f.kernel === kernel &&
    f.mode === mode &&
    f.squares === squares
  ) {
    return f;
  }
  lastFilter = new PlaneMomentFilter(nx, ny, kernel, mode, squares);
  return lastFilter;
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
  squares: SquareMoments,
  visit: (oz: number, planes: MomentPlanes) => void,
): void {
  const [nx, ny, nz] = shape;
  const plane = planeFilter(nx, ny, kernel, xyMode, squares);
  const { nxOut, nyOut } = plane;
  if (zMode === 'slicewise') {
    const out = plane.output();
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
  const ring = createMomentPlanes(nxOut, nyOut * ringSize, squares);
  const out = createMomentPlanes(nxOut, nyOut, squares);
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
    for (const channel of CHANNELS[squares])
      combineRows(ring[channel], offsets, kernel, symmetric, out[channel], 0, size);
    visit(oz, out);
  }
}
