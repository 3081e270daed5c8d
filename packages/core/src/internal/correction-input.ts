import {
  assertVolume,
  invalidArgument,
  type Volume,
  validateNumber,
  validateObject,
  withData,
} from '@duncan-mri/volume';
import { type IntensityRange, robustRange } from './volume-tensor.js';

/**
 * What a correction does with voxels that are NaN or infinite: `'reject'` them (an
 * `INVALID_ARGUMENT` naming the first), or `'zero-and-restore'`: correct them as 0 and give NaN
 * at those voxels in the corrected volume and the artefact map.
 */
export type NonFinitePolicy = 'reject' | 'zero-and-restore';

const POLICIES: readonly NonFinitePolicy[] = ['reject', 'zero-and-restore'];

/** A non-finite policy; `'reject'` when undefined. */
export function validateNonFinite(
  where: string,
  argument: string,
  value: unknown,
): NonFinitePolicy {
  if (value === undefined) return 'reject';
  if (!(POLICIES as readonly unknown[]).includes(value))
    invalidArgument(
      where,
      argument,
      `must be ${POLICIES.map((p) => `'${p}'`).join(' or ')}`,
      value,
    );
  return value as NonFinitePolicy;
}

/** The voxels a correction works on, with their extremes (the default clip range). */
export interface CorrectionInput {
  /** The volume's voxels, or under `'zero-and-restore'` a copy with 0 for every non-finite one. */
  readonly data: Float32Array;
  readonly min: number;
  readonly max: number;
}

/**
 * The voxels a correction sees under `policy`, in one pass over `data` (a second, the copy, only
 * when a voxel is not finite and the policy replaces it). Throws under `'reject'` at the first
 * non-finite voxel.
 */
export function correctionInput(
  where: string,
  data: Float32Array,
  policy: NonFinitePolicy,
): CorrectionInput {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nonFinite = false;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) {
      if (policy === 'reject') {
        invalidArgument(where, 'volume.data', 'must be finite', undefined, {
          got: `${x} at index ${i}`,
          argument: 'volume',
        });
      }
      nonFinite = true;
      continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (!nonFinite) return { data, min, max };
  const zeroed = Float32Array.from(data, (x) => (Number.isFinite(x) ? x : 0));
  return { data: zeroed, min: Math.min(min, 0), max: Math.max(max, 0) };
}

/**
 * The result of correcting `volume` into `corrected` (which this takes over): NaN in `corrected`
 * wherever the input is not finite (only `'zero-and-restore'` lets such a voxel through), and
 * the artefact map `input - corrected`, NaN there too.
 */
export function correctionResult(
  volume: Volume,
  corrected: Float32Array,
): { corrected: Volume; artefactMap: Volume } {
  const input = volume.data;
  const artefact = new Float32Array(corrected.length);
  for (let i = 0; i < artefact.length; i++) {
    const x = input[i]!;
    if (Number.isFinite(x)) {
      artefact[i] = x - corrected[i]!;
    } else {
      corrected[i] = Number.NaN;
      artefact[i] = Number.NaN;
    }
  }
  return { corrected: withData(volume, corrected), artefactMap: withData(volume, artefact) };
}

/** A model configuration's percentiles, `low < high`, both in [0, 100]. */
function validatePercentiles(
  where: string,
  argument: string,
  config: unknown,
): { low: number; high: number } {
  const c = validateObject(where, argument, config);
  const low = validateNumber(where, `${argument}.lowPercentile`, c.lowPercentile, {
    min: 0,
    max: 100,
  });
  const high = validateNumber(where, `${argument}.highPercentile`, c.highPercentile, {
    min: low,
    max: 100,
    minExclusive: true,
  });
  return { low, high };
}

/** The statistics of a correction's input (see {@link correctionInput}) for the given percentiles. */
export function statisticsOf(
  input: CorrectionInput,
  percentiles: { low: number; high: number },
): {
  intensityRange: IntensityRange;
  clip: { min: number; max: number };
} {
  return {
    intensityRange: robustRange(input.data, percentiles.low, percentiles.high),
    clip: { min: input.min, max: input.max },
  };
}

/**
 * The checks every correction starts with, in order: the configuration's percentiles (named
 * `configArgument`), the volume, the options object and its `nonFinite` policy; then the voxels
 * the correction sees ({@link correctionInput}).
 */
export function beginCorrection(
  where: string,
  volume: Volume,
  config: unknown,
  configArgument: string,
  options: unknown,
): {
  options: Record<string, unknown>;
  percentiles: { low: number; high: number };
  nonFinite: NonFinitePolicy;
  input: CorrectionInput;
} {
  const percentiles = validatePercentiles(where, configArgument, config);
  assertVolume(volume, where, 'volume');
  const o = validateObject(where, 'options', options, true);
  const nonFinite = validateNonFinite(where, 'options.nonFinite', o.nonFinite);
  return {
    options: o,
    percentiles,
    nonFinite,
    input: correctionInput(where, volume.data, nonFinite),
  };
}
