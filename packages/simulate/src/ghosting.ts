import { type Axis, invalidArgument, type Rng, type Volume, withData } from '@duncan-mri/volume';
import { signedFrequency, throughKspace } from './internal/kspace.js';
import { drawInteger, drawUniform, readRanges } from './internal/sampling.js';
import { fieldReader, validateVolume } from './internal/validate.js';

/** Explicit parameters of {@link ghosting}. */
export interface GhostingParams {
  /**
   * Number of ghost copies, an integer in [1, 32]: every `(numGhosts + 1)`-th k-space line is
   * modulated, which replicates the image at shifts of `FOV / (numGhosts + 1)` along `axis`.
   * 1 gives the classic N/2 ghost.
   */
  readonly numGhosts: number;
  /** How much the modulated lines are attenuated, in [0, 1]; 0 is no artefact. */
  readonly intensity: number;
  /** The phase-encode axis along which ghosts appear (0 = x, 1 = y, 2 = z). Default 1. */
  readonly axis?: Axis;
  /**
   * Fraction of the k-space extent along `axis`, around the centre (`|k| < restore * n / 2`), left unmodified (TorchIO's
   * `restore`), in [0, 1). Default 0.02.
   */
  readonly restore?: number;
}

/** Ranges of {@link sampleGhosting}: `[low, high]` (uniform) or a fixed number. */
export interface GhostingRanges {
  /** Integers, inclusive. Default `[1, 4]`. */
  readonly numGhosts?: number | readonly [number, number];
  /** Default `[0.3, 0.7]`. */
  readonly intensity?: number | readonly [number, number];
  /** Default 1. */
  readonly axis?: Axis;
  /** Default 0.02. */
  readonly restore?: number | readonly [number, number];
}

interface Resolved {
  readonly numGhosts: number;
  readonly intensity: number;
  readonly axis: Axis;
  readonly restore: number;
}

/** The bounds of each parameter, and of each range that {@link sampleGhosting} draws it from. */
const RULES = {
  numGhosts: { min: 1, max: 32, integer: true },
  intensity: { min: 0, max: 1 },
  restore: { min: 0, max: 0.999 },
};
const AXES: readonly Axis[] = [0, 1, 2];

/** Validates and completes the parameters of {@link ghosting} (shared with `simulate` and `replay`). */
export function resolveGhostingParams(where: string, params: unknown): Resolved {
  const p = fieldReader(where, 'params', params, RULES);
  return {
    numGhosts: p.number('numGhosts'),
    intensity: p.number('intensity'),
    axis: p.choice('axis', AXES, 1),
    restore: p.number('restore', 0.02),
  };
}

/** Ghosts need room: the axis must have more than one voxel (shared with `simulate`). */
export function checkGhostingAxis(where: string, volume: Volume, axis: Axis): void {
  if (volume.shape[axis] === 1)
    invalidArgument(where, 'axis', 'must be an axis with more than one voxel', axis);
}

/**
 * Ghosting: periodic modulation of k-space lines along the phase-encode axis (as from
 * physiological motion or an N/2 ghost of EPI), TorchIO's `Ghosting`. Every
 * `(numGhosts + 1)`-th line (counted from k = 0) outside the restored centre is multiplied by
 * `1 - intensity`; the image gains faint shifted copies. Zero intensity returns a copy of the
 * input.
 *
 * @example
 * ```ts
 * const ghosted = ghosting(slice, { numGhosts: 1, intensity: 0.5 }); // N/2 ghost along y
 * ```
 */
export function ghosting(volume: Volume, params: GhostingParams): Volume {
  const v = validateVolume('ghosting', volume);
  const p = resolveGhostingParams('ghosting', params);
  checkGhostingAxis('ghosting', v, p.axis);
  return applyGhosting(v, p);
}

/** {@link ghosting} without validation (shared with `simulate` and `replay`). */
export function applyGhosting(volume: Volume, p: Resolved): Volume {
  const shape = volume.shape;
  const n = shape[p.axis];
  if (p.intensity === 0 || n === 1) return withData(volume, Float32Array.from(volume.data));
  const period = p.numGhosts + 1;
  const keep = (p.restore * n) / 2;
  const stride = p.axis === 0 ? 1 : p.axis === 1 ? shape[0] : shape[0] * shape[1];
  const factor = 1 - p.intensity;
  const data = throughKspace(volume.data, shape, (re, im) => {
    for (let i = 0; i < re.length; i++) {
      const k = Math.floor(i / stride) % n;
      const f = signedFrequency(k, n);
      if (Math.abs(f) < keep || ((f % period) + period) % period !== 0) continue;
      re[i] = re[i]! * factor;
      im[i] = im[i]! * factor;
    }
  });
  return withData(volume, data);
}

/**
 * Draws {@link GhostingParams} (TorchIO's `RandomGhosting`: `num_ghosts`, `intensity`, `axes`,
 * `restore`).
 *
 * @example `const params = sampleGhosting(createRng(3), { intensity: [0.2, 0.4] });`
 */
export function sampleGhosting(rng: Rng, ranges: GhostingRanges = {}): GhostingParams {
  const r = readRanges('sampleGhosting', rng, ranges, RULES);
  const ghosts = r.range('numGhosts', [1, 4]);
  const intensity = r.range('intensity', [0.3, 0.7]);
  const axis = r.choice('axis', AXES, 1);
  const restore = r.range('restore', [0.02, 0.02]);
  return {
    numGhosts: drawInteger(rng, ghosts),
    intensity: drawUniform(rng, intensity),
    axis,
    restore: drawUniform(rng, restore),
  };
}
