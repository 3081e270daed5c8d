import { createRng, type Rng, spacing, type Volume, withData } from '@duncan-mri/volume';
import { fractal, permutationFromUniform } from './internal/perlin-core.js';
import { drawInteger, drawSeed, drawUniform, readRanges } from './internal/sampling.js';
import { fieldReader, validateSeed, validateVolume } from './internal/validate.js';

/** Explicit parameters of {@link biasField}. */
export interface BiasFieldParams {
  /**
   * Strength: the field is `exp(coefficient * n(x))` with Perlin noise `n` scaled to a peak
   * absolute value of 1 over the volume, so intensities are scaled by factors within
   * `[exp(-coefficient), exp(coefficient)]`. In [0, 3]; 0 is no artefact.
   */
  readonly coefficient: number;
  /** Seed of the Perlin permutation, an integer in [0, 2^32). */
  readonly seed: number;
  /** Octaves of the fractal noise (persistence 0.5, lacunarity 2), integer in [1, 6]. Default 1. */
  readonly octaves?: number;
  /** Perlin lattice cells across the largest extent of the field of view, in (0, 16]. Default 1.5. */
  readonly cycles?: number;
}

/** Ranges of {@link sampleBiasField}. */
export interface BiasFieldRanges {
  /** Default `[0.1, 0.5]`. */
  readonly coefficient?: number | readonly [number, number];
  /** Integers, inclusive. Default 1. */
  readonly octaves?: number | readonly [number, number];
  /** Default `[1, 2]`. */
  readonly cycles?: number | readonly [number, number];
}

interface Resolved {
  readonly coefficient: number;
  readonly seed: number;
  readonly octaves: number;
  readonly cycles: number;
}

/** The bounds of each parameter, and of each range that {@link sampleBiasField} draws it from. */
const RULES = {
  coefficient: { min: 0, max: 3 },
  octaves: { min: 1, max: 6, integer: true },
  cycles: { min: 0, max: 16, minExclusive: true },
};

/** Validates and completes the parameters of {@link biasField} (shared with `simulate` and `replay`). */
export function resolveBiasFieldParams(where: string, params: unknown): Resolved {
  const p = fieldReader(where, 'params', params, RULES);
  return {
    coefficient: p.number('coefficient'),
    seed: validateSeed(where, 'seed', p.fields.seed),
    octaves: p.number('octaves', 1),
    cycles: p.number('cycles', 1.5),
  };
}

/**
 * Bias field (intensity non-uniformity from the receive coil): the image times a smooth
 * multiplicative field `exp(coefficient * n)` where `n` is low-frequency fractal Perlin noise
 * (Perlin 1985, 2002) over the physical field of view, scaled to a peak absolute value of 1.
 * TorchIO's `BiasField` uses a polynomial instead; the log-domain model is the same. Zero
 * coefficient returns a copy of the input.
 *
 * @example
 * ```ts
 * const shaded = biasField(slice, { coefficient: 0.3, seed: 11 });
 * ```
 */
export function biasField(volume: Volume, params: BiasFieldParams): Volume {
  const v = validateVolume('biasField', volume);
  return applyBiasField(v, resolveBiasFieldParams('biasField', params));
}

/** {@link biasField} without validation (shared with `simulate` and `replay`). */
export function applyBiasField(volume: Volume, p: Resolved): Volume {
  const data = volume.data;
  if (p.coefficient === 0) return withData(volume, Float32Array.from(data));
  const [nx, ny, nz] = volume.shape;
  const [sx, sy, sz] = spacing(volume.affine);
  const rng = createRng(p.seed);
  const perm = permutationFromUniform((n) => rng.int(n));
  // A random sub-cell offset so that the field is not pinned to 1 at the first voxel.
  const ox = rng.float() * 16;
  const oy = rng.float() * 16;
  const oz = rng.float() * 16;
  const cell = Math.max(nx * sx, ny * sy, nz * sz) / p.cycles;
  const dims = nz === 1 ? 2 : 3;
  const field = new Float64Array(data.length);
  let peak = 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const v = fractal(
          perm,
          dims,
          ox + (x * sx) / cell,
          oy + (y * sy) / cell,
          oz + (z * sz) / cell,
          p.octaves,
          0.5,
          2,
        );
        field[i] = v;
        peak = Math.max(peak, Math.abs(v));
      }
    }
  }
  const scale = peak > 0 ? p.coefficient / peak : 0;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * Math.exp(scale * field[i]!);
  return withData(volume, out);
}

/**
 * Draws {@link BiasFieldParams} (TorchIO's `RandomBiasField`: `coefficients`, `order`).
 *
 * @example `const params = sampleBiasField(createRng(4), { coefficient: [0.2, 0.4] });`
 */
export function sampleBiasField(rng: Rng, ranges: BiasFieldRanges = {}): BiasFieldParams {
  const r = readRanges('sampleBiasField', rng, ranges, RULES);
  const coefficient = r.range('coefficient', [0.1, 0.5]);
  const octaves = r.range('octaves', [1, 1]);
  const cycles = r.range('cycles', [1, 2]);
  return {
    coefficient: drawUniform(rng, coefficient),
    seed: drawSeed(rng),
    octaves: drawInteger(rng, octaves),
    cycles: drawUniform(rng, cycles),
  };
}
