import { invalidArgument } from './validate.js';

/**
 * A seeded pseudo-random number generator: the only source of randomness in duncan-mri's
 * library code (no `Math.random`). The same seed gives the same sequence on every platform.
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, as in
 * PractRand), seeded through SplitMix32 so that nearby seeds give unrelated streams.
 */
export interface Rng {
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform float in `[0, 1)` with 32 bits of randomness. */
  float(): number;
  /** A uniform integer in `[0, n)`, without modulo bias. `n` must be a positive integer <= 2^32. */
  int(n: number): number;
  /** A normal deviate with the given mean and standard deviation (Marsaglia's polar method). */
  normal(mean?: number, std?: number): number;
  /** A new, independent generator derived from this one's stream (for parallel streams). */
  fork(): Rng;
}

const TWO_POW_32 = 4294967296;

/**
 * Creates a seeded {@link Rng}. The seed is any integer in `[0, 2^53)` (a safe integer).
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * const noise = Float32Array.from({ length: 16 }, () => rng.normal(0, 5));
 * ```
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    invalidArgument('createRng', 'seed', 'must be a non-negative safe integer', seed);
  }
  let s = (seed >>> 0) ^ Math.floor(seed / TWO_POW_32);
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return sfc32(splitmix(), splitmix(), splitmix(), 1);
}

function sfc32(a0: number, b0: number, c0: number, d0: number): Rng {
  let a = a0 | 0;
  let b = b0 | 0;
  let c = c0 | 0;
  let d = d0 | 0;
  let spare: number | undefined;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to mix.
  for (let i = 0; i < 12; i++) next();
  const rng: Rng = {
    nextUint32: next,
    float: () => next() / TWO_POW_32,
    int(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
        invalidArgument('Rng.int', 'n', 'must be an integer in [1, 2^32]', n);
      }
      // Rejection sampling: accept only values below the largest multiple of n.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let value = next();
      while (value >= limit) value = next();
      return value % n;
    },
    normal(mean = 0, std = 1): number {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return mean + std * value;
      }
      let u = 0;
      let v = 0;
      let q = 0;
      do {
        u = 2 * (next() / TWO_POW_32) - 1;
        v = 2 * (next() / TWO_POW_32) - 1;
        q = u * u + v * v;
      } while (q >= 1 || q === 0);
      const factor = Math.sqrt((-2 * Math.log(q)) / q);
      spare = v * factor;
      return mean + std * u * factor;
    },
    fork: () => sfc32(next(), next(), next(), next()),
  };
  return rng;
}
