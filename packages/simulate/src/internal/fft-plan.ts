// FFT plans of any length (see createFftPlan): mixed radix for small prime factors, Rader for a
// large prime, Bluestein otherwise; the butterflies are in fft-kernels.ts.
import { invalidArgument } from '@duncan-mri/volume';
import { runStage, type Stage } from './fft-kernels.js';

/**
 * A precomputed discrete Fourier transform of one length `n`, for any `n >= 1`.
 *
 * The transforms work **in place** on `n` contiguous values starting at `offset`, without
 * allocating (`fftAlongAxis` of fft.ts runs them over every line of a volume).
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
export interface BatchPlan extends FftPlan {
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

export function batchPlan(n: number): BatchPlan {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 27) {
    invalidArgument('createFftPlan', 'n', 'must be an integer in [1, 2^27]', n);
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

  /**
   * Runs every stage on `batch` interleaved lines, ping-ponging between x and y; returns the pair
   * of arrays that holds the result.
   */
  const runStages = (
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
    batch: number,
  ): [Float64Array, Float64Array] => {
    for (const stage of stages) {
      runStage(stage, xr, xi, yr, yi, genRe, genIm, batch);
      const sr = xr;
      const si = xi;
      xr = yr;
      xi = yi;
      yr = sr;
      yi = si;
    }
    return [xr, xi];
  };
  const forward = (re: Float64Array, im: Float64Array, offset = 0): void => {
    if (n === 1) return;
    // Copy in, ping-pong between two buffers, copy out.
    for (let i = 0; i < n; i++) {
      bufRe[i] = re[offset + i]!;
      bufIm[i] = im[offset + i]!;
    }
    const [xr, xi] = runStages(bufRe, bufIm, tmpRe, tmpIm, 1);
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
    const [xr, xi] = runStages(re, im, batchRe, batchIm, batch);
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
    multiplyConjugate(bufRe, bufIm, kernelRe, kernelIm);
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
    multiplyConjugate(bufRe, bufIm, filterRe, filterIm);
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

/**
 * `buf = conj(buf * other)`, element by element (Rader and Bluestein both convolve by a
 * transform, this product and a second forward transform, which the conjugate makes an inverse).
 */
function multiplyConjugate(
  bufRe: Float64Array,
  bufIm: Float64Array,
  otherRe: Float64Array,
  otherIm: Float64Array,
): void {
  for (let k = 0; k < bufRe.length; k++) {
    const ar = bufRe[k]!;
    const ai = bufIm[k]!;
    const br = otherRe[k]!;
    const bi = otherIm[k]!;
    bufRe[k] = ar * br - ai * bi;
    bufIm[k] = -(ar * bi + ai * br);
  }
}
