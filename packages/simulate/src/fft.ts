import { describeValue, MriError } from '@duncan-mri/volume';

/**
 * A complex array in split form: real parts and imaginary parts, float64, same length.
 */
export interface ComplexArray {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/**
 * A precomputed discrete Fourier transform of one length `n`, for any `n >= 1`.
 *
 * The transforms work **in place** on `n` contiguous values starting at `offset` (this is the
 * low-level, allocation-free building block; {@link fft} and {@link fftn} return new arrays).
 * A plan holds scratch buffers, so one plan must not be used by two transforms at once (it
 * never is in single-threaded JavaScript).
 *
 * Conventions as numpy's `numpy.fft`: forward `X[k] = sum_j x[j] exp(-2 pi i j k / n)`;
 * inverse with the factor `1 / n`.
 */
export interface FftPlan {
  /** The transform length. */
  readonly n: number;
  /**
   * `"mixed-radix"` (all prime factors small), `"rader"` (a large prime whose predecessor has
   * small factors) or `"bluestein"` (any other length with a large prime factor).
   */
  readonly algorithm: 'mixed-radix' | 'rader' | 'bluestein';
  /** Forward transform of `re[offset .. offset + n)`, `im[...]`, in place. */
  forward(re: Float64Array, im: Float64Array, offset?: number): void;
  /** Inverse transform (scaled by `1 / n`), in place. */
  inverse(re: Float64Array, im: Float64Array, offset?: number): void;
}

/**
 * Prime factors above this are handled by Rader's or Bluestein's algorithm rather than the
 * generic O(p) butterfly (measured on Node 20: the symmetric generic butterfly beats Bluestein
 * up to p ~ 50, e.g. 11.5 us against 21.7 us for n = 217 = 7 x 31, and loses beyond).
 */
const LARGEST_GENERIC_RADIX = 47;

/** A plan that can also transform `batch` interleaved lines (layout `[n][batch]`) in place. */
interface BatchPlan extends FftPlan {
  transformBatch(re: Float64Array, im: Float64Array, batch: number, inverse: boolean): void;
}

const planCache = new Map<number, BatchPlan>();

/**
 * Creates (or returns the cached) {@link FftPlan} of length `n`: a self-sorting (Stockham)
 * mixed-radix transform with butterflies of radix 2, 3, 4 and 5 and a generic (symmetric)
 * butterfly for other primes up to 47; a larger prime such as 181 uses Rader's algorithm (Rader
 * 1968: a cyclic convolution of length n - 1 by mixed radix), and any other length with a large
 * prime factor Bluestein's chirp-z algorithm (Bluestein 1970) over a 5-smooth padded length.
 * Twiddle factors are computed directly (no recurrences), so the error is a few ulps times
 * `log n`.
 *
 * @example
 * ```ts
 * const plan = createFftPlan(181);
 * const re = new Float64Array(181).fill(1);
 * const im = new Float64Array(181);
 * plan.forward(re, im); // re[0] = 181, everything else ~0
 * plan.inverse(re, im); // back to ones
 * ```
 */
export function createFftPlan(n: number): FftPlan {
  return batchPlan(n);
}

function batchPlan(n: number): BatchPlan {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 27) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `createFftPlan: n must be an integer in [1, 2^27], got ${describeValue(n)}`,
      { argument: 'n' },
    );
  }
  let plan = planCache.get(n);
  if (!plan) {
    plan = buildPlan(n);
    if (planCache.size > 64) planCache.clear();
    planCache.set(n, plan);
  }
  return plan;
}

function buildPlan(n: number): BatchPlan {
  const factors = factorise(n);
  if (factors.every((p) => p <= LARGEST_GENERIC_RADIX)) return stockhamPlan(n, factors);
  if (factors.length === 1 && factorise(n - 1).every((p) => p <= LARGEST_GENERIC_RADIX)) {
    return raderPlan(n);
  }
  return bluesteinPlan(n);
}

/**
 * How many frequencies of a real line of length `n` are cheaper to compute by a direct DFT
 * (2 multiply-adds per sample and frequency) than by a full FFT along the axis. Measured on
 * Node 20 with batched strided transforms: about 5 for n = 256 (radices 2 to 5 only), 18 to 21
 * for 181 (Rader) and 217 (7 x 31, generic radix); the model is `0.6 log2 n` for lengths with
 * factors up to 5 and 20 otherwise.
 */
export function directDftLimit(n: number): number {
  const factors = factorise(n);
  return factors.every((p) => p <= 5) ? 0.6 * Math.log2(n) : 20;
}

/** Radices in the order the stages use them: 4s first, then 2, 3, 5, then other primes. */
function factorise(n: number): number[] {
  const factors: number[] = [];
  let m = n;
  while (m % 4 === 0) {
    factors.push(4);
    m /= 4;
  }
  for (const p of [2, 3, 5]) {
    while (m % p === 0) {
      factors.push(p);
      m /= p;
    }
  }
  for (let p = 7; p * p <= m; p += 2) {
    while (m % p === 0) {
      factors.push(p);
      m /= p;
    }
  }
  if (m > 1) factors.push(m);
  return factors;
}

interface Stage {
  readonly p: number;
  /** Length of the sub-transform this stage splits. */
  readonly len: number;
  /** Stride (product of the radices of the earlier stages). */
  readonly stride: number;
  /** Twiddles `exp(-2 pi i j r / len)` at `[j * (p - 1) + r - 1]`, j < len / p, 1 <= r < p. */
  readonly twRe: Float64Array;
  readonly twIm: Float64Array;
  /** For the generic butterfly: `exp(-2 pi i k / p)`, k < p. */
  readonly rootRe: Float64Array;
  readonly rootIm: Float64Array;
}

function stockhamPlan(n: number, factors: number[]): BatchPlan {
  const stages: Stage[] = [];
  let stride = 1;
  let len = n;
  for (const p of factors) {
    const m = len / p;
    const twRe = new Float64Array(m * (p - 1));
    const twIm = new Float64Array(m * (p - 1));
    for (let j = 0; j < m; j++) {
      for (let r = 1; r < p; r++) {
        const angle = (-2 * Math.PI * ((j * r) % len)) / len;
        twRe[j * (p - 1) + r - 1] = Math.cos(angle);
        twIm[j * (p - 1) + r - 1] = Math.sin(angle);
      }
    }
    const rootRe = new Float64Array(p);
    const rootIm = new Float64Array(p);
    for (let k = 0; k < p; k++) {
      rootRe[k] = Math.cos((-2 * Math.PI * k) / p);
      rootIm[k] = Math.sin((-2 * Math.PI * k) / p);
    }
    stages.push({ p, len, stride, twRe, twIm, rootRe, rootIm });
    stride *= p;
    len = m;
  }
  const bufRe = new Float64Array(n);
  const bufIm = new Float64Array(n);
  const tmpRe = new Float64Array(n);
  const tmpIm = new Float64Array(n);
  const genRe = new Float64Array(LARGEST_GENERIC_RADIX);
  const genIm = new Float64Array(LARGEST_GENERIC_RADIX);

  const forward = (re: Float64Array, im: Float64Array, offset = 0): void => {
    if (n === 1) return;
    // Copy in, ping-pong between two buffers, copy out.
    let xr = bufRe;
    let xi = bufIm;
    let yr = tmpRe;
    let yi = tmpIm;
    for (let i = 0; i < n; i++) {
      xr[i] = re[offset + i]!;
      xi[i] = im[offset + i]!;
    }
    for (const stage of stages) {
      runStage(stage, xr, xi, yr, yi, genRe, genIm, 1);
      const sr = xr;
      const si = xi;
      xr = yr;
      xi = yi;
      yr = sr;
      yi = si;
    }
    for (let i = 0; i < n; i++) {
      re[offset + i] = xr[i]!;
      im[offset + i] = xi[i]!;
    }
  };
  let batchRe = new Float64Array(0);
  let batchIm = new Float64Array(0);
  const transformBatch = (
    re: Float64Array,
    im: Float64Array,
    batch: number,
    inverse: boolean,
  ): void => {
    if (n === 1) return;
    const size = n * batch;
    if (batchRe.length < size) {
      batchRe = new Float64Array(size);
      batchIm = new Float64Array(size);
    }
    if (inverse) for (let i = 0; i < size; i++) im[i] = -im[i]!;
    let xr: Float64Array = re;
    let xi: Float64Array = im;
    let yr: Float64Array = batchRe;
    let yi: Float64Array = batchIm;
    for (const stage of stages) {
      runStage(stage, xr, xi, yr, yi, genRe, genIm, batch);
      const sr = xr;
      const si = xi;
      xr = yr;
      xi = yi;
      yr = sr;
      yi = si;
    }
    if (xr !== re) {
      re.set(xr.subarray(0, size));
      im.set(xi.subarray(0, size));
    }
    if (inverse) {
      const scale = 1 / n;
      for (let i = 0; i < size; i++) {
        re[i] = re[i]! * scale;
        im[i] = -im[i]! * scale;
      }
    }
  };
  return {
    n,
    algorithm: 'mixed-radix',
    forward,
    inverse: (re, im, offset = 0) => inverseByConjugation(forward, n, re, im, offset),
    transformBatch,
  };
}

/** Batched transform by gathering each interleaved line (for Rader and Bluestein plans). */
function lineByLine(
  n: number,
  forward: (re: Float64Array, im: Float64Array, offset?: number) => void,
): BatchPlan['transformBatch'] {
  const lineRe = new Float64Array(n);
  const lineIm = new Float64Array(n);
  return (re, im, batch, inverse) => {
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < n; k++) {
        lineRe[k] = re[k * batch + b]!;
        lineIm[k] = im[k * batch + b]!;
      }
      if (inverse) inverseByConjugation(forward, n, lineRe, lineIm, 0);
      else forward(lineRe, lineIm, 0);
      for (let k = 0; k < n; k++) {
        re[k * batch + b] = lineRe[k]!;
        im[k * batch + b] = lineIm[k]!;
      }
    }
  };
}

/** `ifft(x) = conj(fft(conj(x))) / n`. */
function inverseByConjugation(
  forward: (re: Float64Array, im: Float64Array, offset?: number) => void,
  n: number,
  re: Float64Array,
  im: Float64Array,
  offset: number,
): void {
  const end = offset + n;
  for (let i = offset; i < end; i++) im[i] = -im[i]!;
  forward(re, im, offset);
  const scale = 1 / n;
  for (let i = offset; i < end; i++) {
    re[i] = re[i]! * scale;
    im[i] = -im[i]! * scale;
  }
}

const SIN_60 = Math.sqrt(3) / 2;
const C5_1 = Math.cos((2 * Math.PI) / 5);
const C5_2 = Math.cos((4 * Math.PI) / 5);
const S5_1 = Math.sin((2 * Math.PI) / 5);
const S5_2 = Math.sin((4 * Math.PI) / 5);

/**
 * One decimation-in-frequency Stockham stage: for j < m = len / p and k < stride,
 * `y[k + stride (p j + r)] = (sum_q x[k + stride (j + q m)] W_p^{q r}) W_len^{j r}`.
 */
function runStage(
  stage: Stage,
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  genRe: Float64Array,
  genIm: Float64Array,
  batch: number,
): void {
  const { p, len, twRe, twIm } = stage;
  // A batch of interleaved transforms ([n][batch] layout) is the same stage with a wider stride.
  const s = stage.stride * batch;
  const m = len / p;
  const sm = s * m;
  if (p === 2) {
    for (let j = 0; j < m; j++) {
      const wr = twRe[j]!;
      const wi = twIm[j]!;
      const in0 = s * j;
      const out0 = s * 2 * j;
      for (let k = 0; k < s; k++) {
        const a = in0 + k;
        const b = a + sm;
        const ar = xr[a]!;
        const ai = xi[a]!;
        const br = xr[b]!;
        const bi = xi[b]!;
        const o = out0 + k;
        yr[o] = ar + br;
        yi[o] = ai + bi;
        const dr = ar - br;
        const di = ai - bi;
        yr[o + s] = dr * wr - di * wi;
        yi[o + s] = dr * wi + di * wr;
      }
    }
  } else if (p === 4) {
    for (let j = 0; j < m; j++) {
      const t = 3 * j;
      const w1r = twRe[t]!;
      const w1i = twIm[t]!;
      const w2r = twRe[t + 1]!;
      const w2i = twIm[t + 1]!;
      const w3r = twRe[t + 2]!;
      const w3i = twIm[t + 2]!;
      const in0 = s * j;
      const out0 = s * 4 * j;
      for (let k = 0; k < s; k++) {
        const i0 = in0 + k;
        const i1 = i0 + sm;
        const i2 = i1 + sm;
        const i3 = i2 + sm;
        const x0r = xr[i0]!;
        const x0i = xi[i0]!;
        const x1r = xr[i1]!;
        const x1i = xi[i1]!;
        const x2r = xr[i2]!;
        const x2i = xi[i2]!;
        const x3r = xr[i3]!;
        const x3i = xi[i3]!;
        const s02r = x0r + x2r;
        const s02i = x0i + x2i;
        const d02r = x0r - x2r;
        const d02i = x0i - x2i;
        const s13r = x1r + x3r;
        const s13i = x1i + x3i;
        const d13r = x1r - x3r;
        const d13i = x1i - x3i;
        // X1 = d02 - i d13, X3 = d02 + i d13 (forward, W_4 = -i).
        const y1r = d02r + d13i;
        const y1i = d02i - d13r;
        const y2r = s02r - s13r;
        const y2i = s02i - s13i;
        const y3r = d02r - d13i;
        const y3i = d02i + d13r;
        const o = out0 + k;
        yr[o] = s02r + s13r;
        yi[o] = s02i + s13i;
        yr[o + s] = y1r * w1r - y1i * w1i;
        yi[o + s] = y1r * w1i + y1i * w1r;
        yr[o + 2 * s] = y2r * w2r - y2i * w2i;
        yi[o + 2 * s] = y2r * w2i + y2i * w2r;
        yr[o + 3 * s] = y3r * w3r - y3i * w3i;
        yi[o + 3 * s] = y3r * w3i + y3i * w3r;
      }
    }
  } else if (p === 3) {
    for (let j = 0; j < m; j++) {
      const t = 2 * j;
      const w1r = twRe[t]!;
      const w1i = twIm[t]!;
      const w2r = twRe[t + 1]!;
      const w2i = twIm[t + 1]!;
      const in0 = s * j;
      const out0 = s * 3 * j;
      for (let k = 0; k < s; k++) {
        const i0 = in0 + k;
        const i1 = i0 + sm;
        const i2 = i1 + sm;
        const x0r = xr[i0]!;
        const x0i = xi[i0]!;
        const sr = xr[i1]! + xr[i2]!;
        const si = xi[i1]! + xi[i2]!;
        const dr = xr[i1]! - xr[i2]!;
        const di = xi[i1]! - xi[i2]!;
        const mr = x0r - 0.5 * sr;
        const mi = x0i - 0.5 * si;
        // W_3 = -1/2 - i sqrt(3)/2.
        const y1r = mr + SIN_60 * di;
        const y1i = mi - SIN_60 * dr;
        const y2r = mr - SIN_60 * di;
        const y2i = mi + SIN_60 * dr;
        const o = out0 + k;
        yr[o] = x0r + sr;
        yi[o] = x0i + si;
        yr[o + s] = y1r * w1r - y1i * w1i;
        yi[o + s] = y1r * w1i + y1i * w1r;
        yr[o + 2 * s] = y2r * w2r - y2i * w2i;
        yi[o + 2 * s] = y2r * w2i + y2i * w2r;
      }
    }
  } else if (p === 5) {
    for (let j = 0; j < m; j++) {
      const t = 4 * j;
      const w1r = twRe[t]!;
      const w1i = twIm[t]!;
      const w2r = twRe[t + 1]!;
      const w2i = twIm[t + 1]!;
      const w3r = twRe[t + 2]!;
      const w3i = twIm[t + 2]!;
      const w4r = twRe[t + 3]!;
      const w4i = twIm[t + 3]!;
      const in0 = s * j;
      const out0 = s * 5 * j;
      for (let k = 0; k < s; k++) {
        const i0 = in0 + k;
        const x0r = xr[i0]!;
        const x0i = xi[i0]!;
        const x1r = xr[i0 + sm]!;
        const x1i = xi[i0 + sm]!;
        const x2r = xr[i0 + 2 * sm]!;
        const x2i = xi[i0 + 2 * sm]!;
        const x3r = xr[i0 + 3 * sm]!;
        const x3i = xi[i0 + 3 * sm]!;
        const x4r = xr[i0 + 4 * sm]!;
        const x4i = xi[i0 + 4 * sm]!;
        const a1r = x1r + x4r;
        const a1i = x1i + x4i;
        const b1r = x1r - x4r;
        const b1i = x1i - x4i;
        const a2r = x2r + x3r;
        const a2i = x2i + x3i;
        const b2r = x2r - x3r;
        const b2i = x2i - x3i;
        const c1r = x0r + C5_1 * a1r + C5_2 * a2r;
        const c1i = x0i + C5_1 * a1i + C5_2 * a2i;
        const c2r = x0r + C5_2 * a1r + C5_1 * a2r;
        const c2i = x0i + C5_2 * a1i + C5_1 * a2i;
        // -i (S1 b1 + S2 b2) and -i (S2 b1 - S1 b2).
        const e1r = S5_1 * b1i + S5_2 * b2i;
        const e1i = -(S5_1 * b1r + S5_2 * b2r);
        const e2r = S5_2 * b1i - S5_1 * b2i;
        const e2i = -(S5_2 * b1r - S5_1 * b2r);
        const y1r = c1r + e1r;
        const y1i = c1i + e1i;
        const y4r = c1r - e1r;
        const y4i = c1i - e1i;
        const y2r = c2r + e2r;
        const y2i = c2i + e2i;
        const y3r = c2r - e2r;
        const y3i = c2i - e2i;
        const o = out0 + k;
        yr[o] = x0r + a1r + a2r;
        yi[o] = x0i + a1i + a2i;
        yr[o + s] = y1r * w1r - y1i * w1i;
        yi[o + s] = y1r * w1i + y1i * w1r;
        yr[o + 2 * s] = y2r * w2r - y2i * w2i;
        yi[o + 2 * s] = y2r * w2i + y2i * w2r;
        yr[o + 3 * s] = y3r * w3r - y3i * w3i;
        yi[o + 3 * s] = y3r * w3i + y3i * w3r;
        yr[o + 4 * s] = y4r * w4r - y4i * w4i;
        yi[o + 4 * s] = y4r * w4i + y4i * w4r;
      }
    }
  } else {
    // Generic odd radix, using the symmetry of the DFT matrix: with s_q = v_q + v_{p-q} and
    // d_q = v_q - v_{p-q}, X_r = v_0 + A_r - i B_r and X_{p-r} = v_0 + A_r + i B_r where
    // A_r = sum_q s_q cos(2 pi q r / p), B_r = sum_q d_q sin(2 pi q r / p), q, r = 1..(p-1)/2.
    const { rootRe, rootIm } = stage;
    const h = (p - 1) >> 1;
    const sumRe = genRe;
    const sumIm = genIm;
    const difRe = new Float64Array(h + 1);
    const difIm = new Float64Array(h + 1);
    for (let j = 0; j < m; j++) {
      const t = (p - 1) * j;
      const in0 = s * j;
      const out0 = s * p * j;
      for (let k = 0; k < s; k++) {
        const base = in0 + k;
        const v0r = xr[base]!;
        const v0i = xi[base]!;
        let totalRe = v0r;
        let totalIm = v0i;
        for (let q = 1; q <= h; q++) {
          const a = base + q * sm;
          const b = base + (p - q) * sm;
          const ar = xr[a]!;
          const ai = xi[a]!;
          const br = xr[b]!;
          const bi = xi[b]!;
          sumRe[q] = ar + br;
          sumIm[q] = ai + bi;
          difRe[q] = ar - br;
          difIm[q] = ai - bi;
          totalRe += ar + br;
          totalIm += ai + bi;
        }
        const o = out0 + k;
        yr[o] = totalRe;
        yi[o] = totalIm;
        for (let r = 1; r <= h; r++) {
          let aRe = 0;
          let aIm = 0;
          let bRe = 0;
          let bIm = 0;
          let idx = 0;
          for (let q = 1; q <= h; q++) {
            idx += r;
            if (idx >= p) idx -= p;
            const c = rootRe[idx]!;
            const sn = -rootIm[idx]!;
            aRe += sumRe[q]! * c;
            aIm += sumIm[q]! * c;
            bRe += difRe[q]! * sn;
            bIm += difIm[q]! * sn;
          }
          const x1r = v0r + aRe + bIm;
          const x1i = v0i + aIm - bRe;
          const x2r = v0r + aRe - bIm;
          const x2i = v0i + aIm + bRe;
          const w1r = twRe[t + r - 1]!;
          const w1i = twIm[t + r - 1]!;
          const w2r = twRe[t + p - r - 1]!;
          const w2i = twIm[t + p - r - 1]!;
          yr[o + r * s] = x1r * w1r - x1i * w1i;
          yi[o + r * s] = x1r * w1i + x1i * w1r;
          yr[o + (p - r) * s] = x2r * w2r - x2i * w2i;
          yi[o + (p - r) * s] = x2r * w2i + x2i * w2r;
        }
      }
    }
  }
}

/** The smallest primitive root modulo the prime `p`. */
function primitiveRoot(p: number): number {
  const phi = p - 1;
  const primes = [...new Set(factorise(phi).flatMap((f) => (f === 4 ? [2] : [f])))];
  const power = (base: number, exp: number): number => {
    let result = 1;
    let b = base % p;
    let e = exp;
    while (e > 0) {
      if (e & 1) result = (result * b) % p;
      b = (b * b) % p;
      e = Math.floor(e / 2);
    }
    return result;
  };
  for (let g = 2; g < p; g++) if (primes.every((q) => power(g, phi / q) !== 1)) return g;
  return 1;
}

/**
 * Rader's algorithm for a prime `n`: with a primitive root `g`, `X[g^-m] = x[0] + (a * b)[m]`,
 * the cyclic convolution of `a[q] = x[g^q]` and `b[q] = exp(-2 pi i g^-q / n)`, length `n - 1`.
 */
function raderPlan(n: number): BatchPlan {
  const m = n - 1;
  const inner = stockhamPlan(m, factorise(m));
  const g = primitiveRoot(n);
  // gather[q] = g^q mod n (input order); scatter[q] = g^-q mod n (output order).
  const gather = new Int32Array(m);
  const scatter = new Int32Array(m);
  let power = 1;
  for (let q = 0; q < m; q++) {
    gather[q] = power;
    scatter[(m - q) % m] = power;
    power = (power * g) % n;
  }
  const kernelRe = new Float64Array(m);
  const kernelIm = new Float64Array(m);
  for (let q = 0; q < m; q++) {
    const angle = (-2 * Math.PI * scatter[q]!) / n;
    kernelRe[q] = Math.cos(angle) / m; // 1/m of the inverse transform folded in
    kernelIm[q] = Math.sin(angle) / m;
  }
  inner.forward(kernelRe, kernelIm);
  const bufRe = new Float64Array(m);
  const bufIm = new Float64Array(m);
  const forward = (re: Float64Array, im: Float64Array, offset = 0): void => {
    const x0r = re[offset]!;
    const x0i = im[offset]!;
    let sumRe = x0r;
    let sumIm = x0i;
    for (let q = 0; q < m; q++) {
      const j = offset + gather[q]!;
      bufRe[q] = re[j]!;
      bufIm[q] = im[j]!;
      sumRe += re[j]!;
      sumIm += im[j]!;
    }
    inner.forward(bufRe, bufIm);
    // Multiply by the kernel and conjugate: the next forward transform is then an inverse.
    for (let q = 0; q < m; q++) {
      const ar = bufRe[q]!;
      const ai = bufIm[q]!;
      const br = kernelRe[q]!;
      const bi = kernelIm[q]!;
      bufRe[q] = ar * br - ai * bi;
      bufIm[q] = -(ar * bi + ai * br);
    }
    inner.forward(bufRe, bufIm);
    re[offset] = sumRe;
    im[offset] = sumIm;
    for (let q = 0; q < m; q++) {
      const k = offset + scatter[q]!;
      re[k] = x0r + bufRe[q]!;
      im[k] = x0i - bufIm[q]!;
    }
  };
  return {
    n,
    algorithm: 'rader',
    forward,
    inverse: (re, im, offset = 0) => inverseByConjugation(forward, n, re, im, offset),

    transformBatch: lineByLine(n, forward),
  };
}

/** The smallest 5-smooth number (only factors 2, 3, 5) that is >= n. */
function nextSmooth(n: number): number {
  for (let m = n; ; m++) {
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/**
 * Bluestein's algorithm: `X[k] = w[k] sum_j (x[j] w[j]) conj(w[k - j])` with the chirp
 * `w[k] = exp(-i pi k^2 / n)`, the convolution done by a mixed-radix FFT of a 5-smooth length
 * `M >= 2n - 1`.
 */
function bluesteinPlan(n: number): BatchPlan {
  const m = nextSmooth(2 * n - 1);
  const inner = stockhamPlan(m, factorise(m));
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // k^2 mod 2n keeps the angle exact for large k.
    const k2 = (k * k) % (2 * n);
    const angle = (-Math.PI * k2) / n;
    chirpRe[k] = Math.cos(angle);
    chirpIm[k] = Math.sin(angle);
  }
  // The filter conj(w) wrapped around, transformed once; 1/M folded in for the inverse.
  const filterRe = new Float64Array(m);
  const filterIm = new Float64Array(m);
  filterRe[0] = chirpRe[0]!;
  filterIm[0] = -chirpIm[0]!;
  for (let k = 1; k < n; k++) {
    filterRe[k] = chirpRe[k]!;
    filterIm[k] = -chirpIm[k]!;
    filterRe[m - k] = chirpRe[k]!;
    filterIm[m - k] = -chirpIm[k]!;
  }
  inner.forward(filterRe, filterIm);
  const bufRe = new Float64Array(m);
  const bufIm = new Float64Array(m);
  const forward = (re: Float64Array, im: Float64Array, offset = 0): void => {
    for (let k = 0; k < n; k++) {
      const xr = re[offset + k]!;
      const xi = im[offset + k]!;
      const wr = chirpRe[k]!;
      const wi = chirpIm[k]!;
      bufRe[k] = xr * wr - xi * wi;
      bufIm[k] = xr * wi + xi * wr;
    }
    bufRe.fill(0, n);
    bufIm.fill(0, n);
    inner.forward(bufRe, bufIm);
    // Multiply by the filter and inverse-transform by conjugation: conj(fft(conj(A B))) / M.
    for (let k = 0; k < m; k++) {
      const ar = bufRe[k]!;
      const ai = bufIm[k]!;
      const br = filterRe[k]!;
      const bi = filterIm[k]!;
      bufRe[k] = ar * br - ai * bi;
      bufIm[k] = -(ar * bi + ai * br);
    }
    inner.forward(bufRe, bufIm);
    const scale = 1 / m;
    for (let k = 0; k < n; k++) {
      const cr = bufRe[k]! * scale;
      const ci = -bufIm[k]! * scale;
      const wr = chirpRe[k]!;
      const wi = chirpIm[k]!;
      re[offset + k] = cr * wr - ci * wi;
      im[offset + k] = cr * wi + ci * wr;
    }
  };
  return {
    n,
    algorithm: 'bluestein',
    forward,
    inverse: (re, im, offset = 0) => inverseByConjugation(forward, n, re, im, offset),

    transformBatch: lineByLine(n, forward),
  };
}

/** Options of {@link fft} and {@link fftn}. */
export interface FftOptions {
  /** The inverse transform (with the factor `1 / n`, as `numpy.fft.ifft`). Default false. */
  readonly inverse?: boolean;
}

/**
 * The discrete Fourier transform of a complex array of any length, as `numpy.fft.fft` (or
 * `ifft` with `inverse: true`). Returns new arrays; the input is not modified.
 *
 * @example
 * ```ts
 * const { re, im } = fft({ re: Float64Array.of(1, 2, 3), im: new Float64Array(3) });
 * // re = [6, -1.5, -1.5], im = [0, 0.866..., -0.866...]
 * ```
 */
export function fft(input: ComplexArray, options: FftOptions = {}): ComplexArray {
  const { re, im } = validateComplex('fft', input);
  const out = { re: Float64Array.from(re), im: Float64Array.from(im) };
  if (re.length === 0) return out;
  const plan = createFftPlan(re.length);
  if (options.inverse === true) plan.inverse(out.re, out.im);
  else plan.forward(out.re, out.im);
  return out;
}

/** Options of {@link fftn}. */
export interface FftnOptions extends FftOptions {
  /** The axes to transform (0 = x, 1 = y, 2 = z). Default: every axis. */
  readonly axes?: readonly number[];
}

/**
 * The N-dimensional (up to 3-D) discrete Fourier transform of an x-fastest complex array of
 * shape `[nx, ny, nz]`, by 1-D transforms along each axis (`numpy.fft.fftn` of the `[nz, ny,
 * nx]` array). Returns new arrays.
 *
 * @example
 * ```ts
 * const k = fftn({ re: image, im: new Float64Array(image.length) }, [256, 256, 1]);
 * const back = fftn(k, [256, 256, 1], { inverse: true });
 * ```
 */
export function fftn(
  input: ComplexArray,
  shape: readonly [number, number, number],
  options: FftnOptions = {},
): ComplexArray {
  const { re, im } = validateComplex('fftn', input);
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((d) => Number.isInteger(d) && d >= 1) ||
    shape[0] * shape[1] * shape[2] !== re.length
  ) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `fftn: shape must be three positive integers [nx, ny, nz] with nx*ny*nz = ${re.length}, got ${describeValue(shape)}`,
      { argument: 'shape' },
    );
  }
  const axes = options.axes ?? [0, 1, 2];
  for (const axis of axes) {
    if (axis !== 0 && axis !== 1 && axis !== 2) {
      throw new MriError(
        'INVALID_ARGUMENT',
        `fftn: axes must contain only 0, 1 or 2, got ${describeValue(axes)}`,
        { argument: 'axes' },
      );
    }
  }
  const out = { re: Float64Array.from(re), im: Float64Array.from(im) };
  for (const axis of new Set(axes)) {
    fftAlongAxis(out.re, out.im, shape, axis as 0 | 1 | 2, options.inverse === true);
  }
  return out;
}

/** Values per batch of interleaved lines for strided axes (about 256 KiB per buffer). */
const BATCH_VALUES = 32768;

/**
 * In-place 1-D transforms of every line along `axis` of an x-fastest `[nx, ny, nz]` array.
 * Lines along x are contiguous and transformed one by one; along y and z, neighbouring lines
 * are contiguous in memory, so batches of them are copied out as `[n][batch]` blocks and
 * transformed together (a Stockham stage on interleaved lines is the same stage with a wider
 * stride), then copied back.
 */
export function fftAlongAxis(
  re: Float64Array,
  im: Float64Array,
  shape: readonly [number, number, number],
  axis: 0 | 1 | 2,
  inverse: boolean,
): void {
  const [nx, ny, nz] = shape;
  const n = shape[axis];
  if (n === 1) return;
  const plan = batchPlan(n);
  if (axis === 0) {
    const run = inverse ? plan.inverse : plan.forward;
    const lines = ny * nz;
    for (let line = 0; line < lines; line++) run(re, im, line * nx);
    return;
  }
  const stride = axis === 1 ? nx : nx * ny;
  const outer = axis === 1 ? nz : 1;
  const batch = Math.max(1, Math.min(stride, Math.floor(BATCH_VALUES / n)));
  const bufRe = new Float64Array(n * batch);
  const bufIm = new Float64Array(n * batch);
  for (let o = 0; o < outer; o++) {
    const base = o * n * stride;
    for (let i0 = 0; i0 < stride; i0 += batch) {
      const b = Math.min(batch, stride - i0);
      for (let k = 0; k < n; k++) {
        const src = base + k * stride + i0;
        bufRe.set(re.subarray(src, src + b), k * b);
        bufIm.set(im.subarray(src, src + b), k * b);
      }
      plan.transformBatch(bufRe, bufIm, b, inverse);
      for (let k = 0; k < n; k++) {
        const dst = base + k * stride + i0;
        re.set(bufRe.subarray(k * b, k * b + b), dst);
        im.set(bufIm.subarray(k * b, k * b + b), dst);
      }
    }
  }
}

function validateComplex(where: string, input: unknown): ComplexArray {
  const c = input as Partial<ComplexArray> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    !(c.re instanceof Float64Array) ||
    !(c.im instanceof Float64Array) ||
    c.re.length !== c.im.length
  ) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: input must be { re, im } of two Float64Arrays of the same length, got ${describeValue(input)}`,
      { argument: 'input' },
    );
  }
  return c as ComplexArray;
}
