import { type Axis, invalidArgument, type Rng, type Volume, withData } from '@duncan-mri/volume';
import { activeAxes, signedFrequency, throughKspace } from './internal/kspace.js';
import { drawUniform, readRanges } from './internal/sampling.js';
import { fieldReader, validateVolume } from './internal/validate.js';

/** Explicit parameters of {@link ringing}. */
export interface RingingParams {
  /**
   * Fraction of k-space kept along each truncated axis, centred on k = 0, in (0, 1]: the
   * frequencies with `|k| <= keepFraction * n / 2` survive, the rest are zeroed (a sharp cut, so
   * Gibbs ringing appears at edges). 1 is no artefact.
   */
  readonly keepFraction: number;
  /** The axes to truncate (0 = x, 1 = y, 2 = z). Default: every axis with more than one voxel. */
  readonly axes?: readonly Axis[];
}

/** Ranges of {@link sampleRinging}. */
export interface RingingRanges {
  /** Default `[0.4, 0.7]`. */
  readonly keepFraction?: number | readonly [number, number];
  /** Default every axis. */
  readonly axes?: readonly Axis[];
}

interface Resolved {
  readonly keepFraction: number;
  readonly axes: readonly Axis[] | undefined;
}

function resolveAxes(where: string, axes: unknown): readonly Axis[] | undefined {
  if (axes === undefined) return undefined;
  if (
    !Array.isArray(axes) ||
    axes.length === 0 ||
    !axes.every((a) => a === 0 || a === 1 || a === 2)
  ) {
    invalidArgument(where, 'axes', 'must be a non-empty array of axes 0, 1 or 2', axes);
  }
  return [...new Set(axes as Axis[])];
}

/** The bounds of each parameter, and of each range that {@link sampleRinging} draws it from. */
const RULES = { keepFraction: { min: 0, max: 1, minExclusive: true } };

/** Validates and completes the parameters of {@link ringing} (shared with `simulate` and `replay`). */
export function resolveRingingParams(where: string, params: unknown): Resolved {
  const p = fieldReader(where, 'params', params, RULES);
  return { keepFraction: p.number('keepFraction'), axes: resolveAxes(where, p.fields.axes) };
}

/**
 * Gibbs ringing by k-space truncation: the high frequencies beyond `keepFraction` of the
 * k-space extent are zeroed along the chosen axes (a low-resolution acquisition reconstructed
 * without a window, so edges overshoot by about 9 %, the Gibbs phenomenon). keepFraction 1
 * returns a copy of the input.
 *
 * @example
 * ```ts
 * const ringed = ringing(slice, { keepFraction: 0.5 });
 * ```
 */
export function ringing(volume: Volume, params: RingingParams): Volume {
  const v = validateVolume('ringing', volume);
  return applyRinging(v, resolveRingingParams('ringing', params));
}

/** {@link ringing} without validation (shared with `simulate` and `replay`). */
export function applyRinging(volume: Volume, p: Resolved): Volume {
  const axes = p.axes ?? activeAxes(volume.shape);
  const keep = ([0, 1, 2] as const).map((a) => (axes.includes(a) ? p.keepFraction : 1));
  return truncateKspace(volume, keep as [number, number, number]);
}

/**
 * The volume's k-space cut, with a sharp edge, to the fraction `keep[a]` of its extent along each
 * axis `a` (1: that axis untouched), in one transform and back (the magnitude, for a magnitude
 * image): a rectangular acquired matrix, zero-filled. Also the band limit of training pairs.
 */
export function truncateKspace(volume: Volume, keep: readonly [number, number, number]): Volume {
  const shape = volume.shape;
  const cut = ([0, 1, 2] as const).filter((a) => shape[a] > 1 && keep[a] < 1);
  if (cut.length === 0) return withData(volume, Float32Array.from(volume.data));
  const [nx, ny, nz] = shape;
  const keepAxis = (axis: Axis): Uint8Array => {
    const n = shape[axis];
    const kept = new Uint8Array(n).fill(1);
    if (!cut.includes(axis)) return kept;
    for (let k = 0; k < n; k++) {
      kept[k] = Math.abs(signedFrequency(k, n)) <= (keep[axis] * n) / 2 ? 1 : 0;
    }
    return kept;
  };
  const kx = keepAxis(0);
  const ky = keepAxis(1);
  const kz = keepAxis(2);
  const data = throughKspace(volume.data, shape, (re, im) => {
    for (let z = 0, i = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        const rowKeep = kz[z]! & ky[y]!;
        for (let x = 0; x < nx; x++, i++) {
          if ((rowKeep & kx[x]!) === 0) {
            re[i] = 0;
            im[i] = 0;
          }
        }
      }
    }
  });
  return withData(volume, data);
}

/**
 * Draws {@link RingingParams}.
 *
 * @example `const params = sampleRinging(createRng(6), { keepFraction: [0.3, 0.5] });`
 */
export function sampleRinging(rng: Rng, ranges: RingingRanges = {}): RingingParams {
  const where = 'sampleRinging';
  const r = readRanges(where, rng, ranges, RULES);
  const keep = r.range('keepFraction', [0.4, 0.7]);
  const axes = resolveAxes(where, r.fields.axes);
  return axes === undefined
    ? { keepFraction: drawUniform(rng, keep) }
    : { keepFraction: drawUniform(rng, keep), axes };
}
