import { describeValue, MriError, type Rng } from '@duncan-mri/volume';
import { fractal, noise1, noise2, noise3, permutationFromUniform } from './internal/perlin-core.js';
import { validateNumber, validateObject } from './internal/validate.js';

/**
 * The permutation table that defines one Perlin noise field: a shuffle of 0..255 stored twice
 * (512 bytes). Make one with {@link perlinPermutation}.
 */
export type PerlinPermutation = Uint8Array;

/** The largest absolute value {@link perlin1d} can return. */
export const PERLIN_1D_BOUND = 0.5;
/** The largest absolute value {@link perlin2d} can return. */
export const PERLIN_2D_BOUND = 1;
/** The largest absolute value {@link perlin3d} can return: `sqrt(6) / 2`. */
export const PERLIN_3D_BOUND = Math.sqrt(6) / 2;

/**
 * A Perlin permutation table shuffled (Fisher-Yates) with a seeded generator: the same seed
 * gives the same noise field.
 *
 * @example
 * ```ts
 * const permutation = perlinPermutation(createRng(7));
 * const value = perlin2d(permutation, 3.25, 0.5);
 * ```
 */
export function perlinPermutation(rng: Rng): PerlinPermutation {
  if (typeof rng !== 'object' || rng === null || typeof rng.int !== 'function') {
    throw new MriError(
      'INVALID_ARGUMENT',
      `perlinPermutation: rng must be an Rng (createRng from @duncan-mri/volume), got ${describeValue(rng)}`,
      { argument: 'rng' },
    );
  }
  return permutationFromUniform((n) => rng.int(n));
}

function checkPermutation(where: string, permutation: unknown): Uint8Array {
  if (!(permutation instanceof Uint8Array) || permutation.length !== 512) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: permutation must be a 512-byte table from perlinPermutation, got ${describeValue(permutation)}`,
      { argument: 'permutation' },
    );
  }
  return permutation;
}

function checkCoordinate(where: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: ${name} must be a finite number, got ${describeValue(value)}`,
      { argument: name },
    );
  }
}

/**
 * 1-D gradient noise (Perlin 1985) with the quintic fade curve of Perlin (2002), "Improving
 * noise", SIGGRAPH. Zero at every integer `x`, C2-continuous, in `[-0.5, 0.5]`
 * ({@link PERLIN_1D_BOUND}); the field repeats every 256 units.
 *
 * @example
 * ```ts
 * const p = perlinPermutation(createRng(1));
 * const drift = Array.from({ length: 100 }, (_, i) => perlin1d(p, i / 25)); // 4 lattice cells
 * ```
 */
export function perlin1d(permutation: PerlinPermutation, x: number): number {
  const p = checkPermutation('perlin1d', permutation);
  checkCoordinate('perlin1d', 'x', x);
  return noise1(p, x);
}

/**
 * 2-D gradient noise (Perlin 1985, fade curve of Perlin 2002) with the gradients
 * `(+-1, 0), (0, +-1), (+-1, +-1)`. Zero at integer lattice points, in `[-1, 1]`
 * ({@link PERLIN_2D_BOUND}).
 *
 * @example `const v = perlin2d(perlinPermutation(createRng(1)), 0.5, 1.5);`
 */
export function perlin2d(permutation: PerlinPermutation, x: number, y: number): number {
  const p = checkPermutation('perlin2d', permutation);
  checkCoordinate('perlin2d', 'x', x);
  checkCoordinate('perlin2d', 'y', y);
  return noise2(p, x, y);
}

/**
 * 3-D gradient noise exactly as Perlin's "Improving noise" (2002): the 12 cube-edge gradients
 * and the quintic fade curve. Zero at integer lattice points, bounded by `sqrt(6)/2`
 * ({@link PERLIN_3D_BOUND}).
 *
 * @example `const v = perlin3d(perlinPermutation(createRng(1)), 0.5, 1.5, 2.25);`
 */
export function perlin3d(permutation: PerlinPermutation, x: number, y: number, z: number): number {
  const p = checkPermutation('perlin3d', permutation);
  checkCoordinate('perlin3d', 'x', x);
  checkCoordinate('perlin3d', 'y', y);
  checkCoordinate('perlin3d', 'z', z);
  return noise3(p, x, y, z);
}

/** Options of the fractal sums {@link fractal1d}, {@link fractal2d}, {@link fractal3d}. */
export interface FractalOptions {
  /** Number of noise layers, an integer in [1, 16]. Default 4. */
  readonly octaves?: number;
  /** Amplitude ratio between successive octaves, in [0, 1]. Default 0.5 (1/f noise). */
  readonly persistence?: number;
  /** Frequency ratio between successive octaves, in [1, 16]. Default 2. */
  readonly lacunarity?: number;
}

interface ResolvedFractal {
  readonly octaves: number;
  readonly persistence: number;
  readonly lacunarity: number;
}

/** Validates fractal options (shared with the artefacts that use fractal noise). */
export function resolveFractalOptions(where: string, options: unknown): ResolvedFractal {
  const o = validateObject(where, 'options', options ?? {});
  return {
    octaves: validateNumber(where, 'octaves', o.octaves, { min: 1, max: 16, integer: true }, 4),
    persistence: validateNumber(where, 'persistence', o.persistence, { min: 0, max: 1 }, 0.5),
    lacunarity: validateNumber(where, 'lacunarity', o.lacunarity, { min: 1, max: 16 }, 2),
  };
}

/**
 * The bound of a fractal sum: `bound * sum_o persistence^o`.
 *
 * @example `fractalBound(PERLIN_1D_BOUND, { octaves: 3 }) // 0.5 * 1.75`
 */
export function fractalBound(noiseBound: number, options: FractalOptions = {}): number {
  const { octaves, persistence } = resolveFractalOptions('fractalBound', options);
  let sum = 0;
  for (let o = 0; o < octaves; o++) sum += persistence ** o;
  return noiseBound * sum;
}

/**
 * Fractal (fBm) sum of 1-D Perlin noise: `sum_{o < octaves} persistence^o perlin1d(lacunarity^o x)`
 * (Perlin 1985, section 5 "turbulence" without the absolute value). With an integer lacunarity
 * it is still zero at integer `x`.
 *
 * @example `const v = fractal1d(p, 0.3, { octaves: 3, persistence: 0.5, lacunarity: 2 });`
 */
export function fractal1d(
  permutation: PerlinPermutation,
  x: number,
  options: FractalOptions = {},
): number {
  const p = checkPermutation('fractal1d', permutation);
  checkCoordinate('fractal1d', 'x', x);
  const o = resolveFractalOptions('fractal1d', options);
  return fractal(p, 1, x, 0, 0, o.octaves, o.persistence, o.lacunarity);
}

/**
 * Fractal sum of 2-D Perlin noise (see {@link fractal1d}).
 *
 * @example `const v = fractal2d(p, 0.3, 1.7, { octaves: 2 });`
 */
export function fractal2d(
  permutation: PerlinPermutation,
  x: number,
  y: number,
  options: FractalOptions = {},
): number {
  const p = checkPermutation('fractal2d', permutation);
  checkCoordinate('fractal2d', 'x', x);
  checkCoordinate('fractal2d', 'y', y);
  const o = resolveFractalOptions('fractal2d', options);
  return fractal(p, 2, x, y, 0, o.octaves, o.persistence, o.lacunarity);
}

/**
 * Fractal sum of 3-D Perlin noise (see {@link fractal1d}).
 *
 * @example `const v = fractal3d(p, 0.3, 1.7, 2.2, { octaves: 2 });`
 */
export function fractal3d(
  permutation: PerlinPermutation,
  x: number,
  y: number,
  z: number,
  options: FractalOptions = {},
): number {
  const p = checkPermutation('fractal3d', permutation);
  checkCoordinate('fractal3d', 'x', x);
  checkCoordinate('fractal3d', 'y', y);
  checkCoordinate('fractal3d', 'z', z);
  const o = resolveFractalOptions('fractal3d', options);
  return fractal(p, 3, x, y, z, o.octaves, o.persistence, o.lacunarity);
}
