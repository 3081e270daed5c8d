import { createRng, intensityRange, type Rng, type Volume, withData } from '@duncan-mri/volume';
import { drawSeed, drawUniform, readRanges } from './internal/sampling.js';
import { fieldReader, validateSeed, validateVolume } from './internal/validate.js';

/** The noise model of {@link noise}. */
export type NoiseKind = 'rician' | 'gaussian';

/** Explicit parameters of {@link noise}. */
export interface NoiseParams {
  /**
   * Standard deviation of the Gaussian noise relative to the data range of the input
   * (`max - min`; for a constant image its absolute value, or 1 if it is 0), in [0, 10]; 0 is no
   * artefact.
   */
  readonly sigma: number;
  /** Seed of the noise generator, an integer in [0, 2^32). */
  readonly seed: number;
  /**
   * `'rician'` (default): the magnitude of the image plus complex Gaussian noise,
   * `|x + n1 + i n2|`, what a magnitude MR image has. `'gaussian'`: `x + n`, clamped at 0 when
   * the input is a magnitude image (no negative voxel).
   */
  readonly kind?: NoiseKind;
}

/** Ranges of {@link sampleNoise}. */
export interface NoiseRanges {
  /** Default `[0.01, 0.05]`. */
  readonly sigma?: number | readonly [number, number];
  /** Default `'rician'`. */
  readonly kind?: NoiseKind;
}

interface Resolved {
  readonly sigma: number;
  readonly seed: number;
  readonly kind: NoiseKind;
}

/** The bounds of each parameter, and of each range that {@link sampleNoise} draws it from. */
const RULES = { sigma: { min: 0, max: 10 } };
const KINDS: readonly NoiseKind[] = ['rician', 'gaussian'];

/** Validates and completes the parameters of {@link noise} (shared with `simulate` and `replay`). */
export function resolveNoiseParams(where: string, params: unknown): Resolved {
  const p = fieldReader(where, 'params', params, RULES);
  return {
    sigma: p.number('sigma'),
    seed: validateSeed(where, 'seed', p.fields.seed),
    kind: p.choice('kind', KINDS, 'rician'),
  };
}

/**
 * Thermal noise: Rician (Gudbjartsson & Patz 1995, "The Rician distribution of noisy MRI
 * data") or Gaussian (TorchIO's `Noise`), with `sigma` relative to the data range. Zero sigma
 * returns a copy of the input.
 *
 * @example
 * ```ts
 * const noisy = noise(slice, { sigma: 0.03, seed: 5 }); // Rician, sigma = 3% of max - min
 * ```
 */
export function noise(volume: Volume, params: NoiseParams): Volume {
  const v = validateVolume('noise', volume);
  return applyNoise(v, resolveNoiseParams('noise', params));
}

/** {@link noise} without validation (shared with `simulate` and `replay`). */
export function applyNoise(volume: Volume, p: Resolved): Volume {
  const data = volume.data;
  if (p.sigma === 0) return withData(volume, Float32Array.from(data));
  // Volumes reach here with finite voxels only (validated at the public boundary).
  const { min, max } = intensityRange(volume);
  const range = max > min ? max - min : Math.abs(max) || 1;
  const sigma = p.sigma * range;
  const rng = createRng(p.seed);
  const out = new Float32Array(data.length);
  if (p.kind === 'rician') {
    for (let i = 0; i < data.length; i++) {
      const re = data[i]! + rng.normal(0, sigma);
      const im = rng.normal(0, sigma);
      out[i] = Math.sqrt(re * re + im * im);
    }
  } else {
    const clamp = min >= 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]! + rng.normal(0, sigma);
      out[i] = clamp && v < 0 ? 0 : v;
    }
  }
  return withData(volume, out);
}

/**
 * Draws {@link NoiseParams} (TorchIO's `RandomNoise`: `std`).
 *
 * @example `const params = sampleNoise(createRng(8), { sigma: [0.02, 0.04], kind: 'gaussian' });`
 */
export function sampleNoise(rng: Rng, ranges: NoiseRanges = {}): NoiseParams {
  const r = readRanges('sampleNoise', rng, ranges, RULES);
  const sigma = r.range('sigma', [0.01, 0.05]);
  const kind = r.choice('kind', KINDS, 'rician');
  return { sigma: drawUniform(rng, sigma), seed: drawSeed(rng), kind };
}
