// A small, self-contained complex DFT for shot-corruption.ts. It deliberately shares no code
// with @duncan-mri/simulate's FFT: the shot model exists to test the corrector against a
// corruption written independently of the project's simulator, down to the transform.

/**
 * An exact complex DFT of one fixed length `n`, in place on separate real and imaginary
 * float64 arrays: forward `X_k = sum_j x_j exp(-2 pi i jk / n)`, inverse with the `1/n`
 * factor (so `inverse(forward(x)) = x`). Powers of two use an iterative radix-2
 * Cooley-Tukey transform; every other length uses Bluestein's chirp-z identity
 * `jk = (j^2 + k^2 - (k - j)^2) / 2`, which turns the DFT into a circular convolution computed
 * by radix-2 transforms of a power-of-two length `>= 2n - 1` (exact, not an interpolation).
 */
export interface ShotFft {
  readonly n: number;
  transform(re: Float64Array, im: Float64Array, inverse: boolean): void;
}

/** Creates the {@link ShotFft} of length `n` (a positive integer); twiddles are precomputed. */
export function createShotFft(n: number): ShotFft {
  const isPow2 = (n & (n - 1)) === 0;
  const unscaled = isPow2 ? radix2(n) : bluestein(n);
  return {
    n,
    transform(re, im, inverse) {
      unscaled(re, im, inverse);
      if (inverse) {
        for (let i = 0; i < n; i++) {
          re[i]! /= n;
          im[i]! /= n;
        }
      }
    },
  };
}

type Unscaled = (re: Float64Array, im: Float64Array, inverse: boolean) => void;

/** The smallest power of two `>= n`. */
export function nextPow2(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/** Iterative radix-2 decimation in time: bit-reversal permutation, then log2(n) butterfly passes. */
function radix2(n: number): Unscaled {
  const cos = new Float64Array(n >> 1);
  const sin = new Float64Array(n >> 1);
  for (let k = 0; k < n >> 1; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const rev = new Uint32Array(n);
  for (let i = 1, bits = Math.log2(n); i < n; i++) {
    rev[i] = (rev[i >> 1]! >> 1) | ((i & 1) << (bits - 1));
  }
  return (re, im, inverse) => {
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    const sign = inverse ? 1 : -1;
    for (let size = 2; size <= n; size *= 2) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let j = 0; j < half; j++) {
          const wr = cos[j * step]!;
          const wi = sign * sin[j * step]!;
          const a = start + j;
          const b = a + half;
          const tr = re[b]! * wr - im[b]! * wi;
          const ti = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a]! += tr;
          im[a]! += ti;
        }
      }
    }
  };
}

/**
 * Bluestein: `X_k = w_k sum_j (x_j w_j) conj(w_{k-j})` with the chirp `w_j = exp(-i pi j^2 / n)`.
 * The convolution runs circularly at length `m >= 2n - 1`, so no wrap-around reaches the
 * first `n` outputs. The inverse is `conj(forward(conj(x)))` (scaled by the caller).
 */
function bluestein(n: number): Unscaled {
  const m = nextPow2(2 * n - 1);
  const pow2 = radix2(m);
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // j^2 mod 2n keeps the angle small, so the chirp stays accurate for large j.
    const angle = (Math.PI * ((j * j) % (2 * n))) / n;
    wr[j] = Math.cos(angle);
    wi[j] = -Math.sin(angle);
  }
  // The kernel conj(w) laid out circularly (indices j and m - j), transformed once.
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    br[j] = wr[j]!;
    bi[j] = -wi[j]!;
    if (j > 0) {
      br[m - j] = wr[j]!;
      bi[m - j] = -wi[j]!;
    }
  }
  pow2(br, bi, false);
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  return (re, im, inverse) => {
    const s = inverse ? -1 : 1; // conjugate in and out for the inverse
    ar.fill(0);
    ai.fill(0);
    for (let j = 0; j < n; j++) {
      const xr = re[j]!;
      const xi = s * im[j]!;
      ar[j] = xr * wr[j]! - xi * wi[j]!;
      ai[j] = xr * wi[j]! + xi * wr[j]!;
    }
    pow2(ar, ai, false);
    for (let k = 0; k < m; k++) {
      const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
      ai[k] = ar[k]! * bi[k]! + ai[k]! * br[k]!;
      ar[k] = r;
    }
    pow2(ar, ai, true); // unscaled inverse: divide by m below
    for (let k = 0; k < n; k++) {
      const cr = ar[k]! / m;
      const ci = ai[k]! / m;
      re[k] = cr * wr[k]! - ci * wi[k]!;
      im[k] = s * (cr * wi[k]! + ci * wr[k]!);
    }
  };
}

/**
 * Transforms every line of an `nx` x `ny` complex image (x fastest) along one axis (0 = x,
 * 1 = y), in place. Lines are copied to a contiguous scratch line, transformed and copied back.
 */
export function transformAxis(
  re: Float64Array,
  im: Float64Array,
  nx: number,
  ny: number,
  axis: 0 | 1,
  inverse: boolean,
): void {
  const n = axis === 0 ? nx : ny;
  const lines = axis === 0 ? ny : nx;
  const stride = axis === 0 ? 1 : nx;
  const lineStep = axis === 0 ? nx : 1;
  const fft = createShotFft(n);
  const lr = new Float64Array(n);
  const li = new Float64Array(n);
  for (let line = 0; line < lines; line++) {
    const base = line * lineStep;
    for (let j = 0; j < n; j++) {
      lr[j] = re[base + j * stride]!;
      li[j] = im[base + j * stride]!;
    }
    fft.transform(lr, li, inverse);
    for (let j = 0; j < n; j++) {
      re[base + j * stride] = lr[j]!;
      im[base + j * stride] = li[j]!;
    }
  }
}

/** The 2-D DFT (both axes) of an `nx` x `ny` complex image, x fastest, in place. */
export function transform2d(
  re: Float64Array,
  im: Float64Array,
  nx: number,
  ny: number,
  inverse: boolean,
): void {
  transformAxis(re, im, nx, ny, 0, inverse);
  transformAxis(re, im, nx, ny, 1, inverse);
}
