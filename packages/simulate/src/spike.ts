import {
  invalidArgument,
  type Rng,
  type Volume,
  validateNumber,
  withData,
} from '@duncan-mri/volume';
import { throughKspace } from './internal/kspace.js';
import { drawInteger, drawUniform, readRanges } from './internal/sampling.js';
import { fieldReader, validateVolume } from './internal/validate.js';

/** Explicit parameters of {@link spike}. */
export interface SpikeParams {
  /**
   * Where the spikes are, each `[fx, fy, fz]` in cycles per field of view divided by the matrix
   * size, i.e. a fraction of the k-space extent in [-0.5, 0.5] relative to the centre (0 = DC).
   * Rounded to the nearest k-space sample; `fz` is ignored for 2-D images. At most 64.
   */
  readonly positions: readonly (readonly [number, number, number])[];
  /**
   * Spike amplitude relative to the largest k-space magnitude, in [0, 100] (TorchIO's
   * `intensity`); 0 is no artefact. A spike of intensity `a` adds a stripe pattern of amplitude
   * `a` times the image mean.
   */
  readonly intensity: number;
}

/** Ranges of {@link sampleSpike}. */
export interface SpikeRanges {
  /** Integers, inclusive. Default 1. */
  readonly numSpikes?: number | readonly [number, number];
  /** Default `[0.1, 0.3]`. */
  readonly intensity?: number | readonly [number, number];
  /** Absolute fraction of k-space extent of each coordinate (random sign). Default `[0.05, 0.4]`. */
  readonly distance?: number | readonly [number, number];
}

interface Resolved {
  readonly positions: readonly (readonly [number, number, number])[];
  readonly intensity: number;
}

/**
 * The bounds of each parameter, and of each range that {@link sampleSpike} draws it from (a
 * position's coordinate is a signed distance).
 */
const RULES = {
  intensity: { min: 0, max: 100 },
  numSpikes: { min: 0, max: 64, integer: true },
  distance: { min: 0, max: 0.5 },
};

/** Validates and completes the parameters of {@link spike} (shared with `simulate` and `replay`). */
export function resolveSpikeParams(where: string, params: unknown): Resolved {
  const p = fieldReader(where, 'params', params, RULES);
  const given = p.fields.positions;
  if (!Array.isArray(given) || given.length > RULES.numSpikes.max) {
    invalidArgument(
      where,
      'positions',
      'must be an array of at most 64 [fx, fy, fz] positions',
      given,
    );
  }
  const positions = (given as unknown[]).map((pos, i) => {
    if (!Array.isArray(pos) || pos.length !== 3) {
      invalidArgument(where, `positions[${i}]`, 'must be [fx, fy, fz]', pos);
    }
    return (pos as unknown[]).map((c) =>
      validateNumber(where, `positions[${i}]`, c, {
        min: -RULES.distance.max,
        max: RULES.distance.max,
      }),
    ) as unknown as readonly [number, number, number];
  });
  return { positions, intensity: p.number('intensity') };
}

/**
 * Spike (herringbone) artefact: a few bright k-space samples, as from an electrostatic
 * discharge in the scanner, TorchIO's `Spike`. Each position gets `intensity * max|K|` added;
 * the image shows stripes across the whole field of view. Zero intensity or no position
 * returns a copy of the input.
 *
 * @example
 * ```ts
 * const striped = spike(slice, { positions: [[0.1, 0.2, 0]], intensity: 0.2 });
 * ```
 */
export function spike(volume: Volume, params: SpikeParams): Volume {
  const v = validateVolume('spike', volume);
  return applySpike(v, resolveSpikeParams('spike', params));
}

/** {@link spike} without validation (shared with `simulate` and `replay`). */
export function applySpike(volume: Volume, p: Resolved): Volume {
  if (p.intensity === 0 || p.positions.length === 0) {
    return withData(volume, Float32Array.from(volume.data));
  }
  const [nx, ny, nz] = volume.shape;
  const data = throughKspace(volume.data, volume.shape, (re, im) => {
    let peak = 0;
    for (let i = 0; i < re.length; i++) peak = Math.max(peak, re[i]! * re[i]! + im[i]! * im[i]!);
    const amplitude = p.intensity * Math.sqrt(peak);
    const index = (f: number, n: number): number => ((Math.round(f * n) % n) + n) % n;
    for (const [fx, fy, fz] of p.positions) {
      const i = index(fx, nx) + nx * (index(fy, ny) + ny * (nz === 1 ? 0 : index(fz, nz)));
      re[i] = re[i]! + amplitude;
    }
  });
  return withData(volume, data);
}

/**
 * Draws {@link SpikeParams} (TorchIO's `RandomSpike`: `num_spikes`, `intensity`).
 *
 * @example `const params = sampleSpike(createRng(2), { numSpikes: [1, 3] });`
 */
export function sampleSpike(rng: Rng, ranges: SpikeRanges = {}): SpikeParams {
  const r = readRanges('sampleSpike', rng, ranges, RULES);
  const count = r.range('numSpikes', [1, 1]);
  const intensity = r.range('intensity', [0.1, 0.3]);
  const distance = r.range('distance', [0.05, 0.4]);
  const n = drawInteger(rng, count);
  const positions: [number, number, number][] = [];
  const coordinate = (): number => (rng.float() < 0.5 ? -1 : 1) * drawUniform(rng, distance);
  for (let i = 0; i < n; i++) positions.push([coordinate(), coordinate(), coordinate()]);
  return { positions, intensity: drawUniform(rng, intensity) };
}
