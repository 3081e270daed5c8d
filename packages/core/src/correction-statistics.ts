import type { Volume } from '@duncan-mri/volume';
import {
  beginCorrection,
  type NonFinitePolicy,
  statisticsOf,
} from './internal/correction-input.js';
import type { IntensityRange } from './internal/volume-tensor.js';
import type { ModelConfig } from './model-config.js';

/** The whole-volume statistics a correction normalises and clips by ({@link correctionStatistics}). */
export interface CorrectionStatistics {
  /** The robust percentiles mapped to 0 and 1 (`config.lowPercentile`, `config.highPercentile`). */
  readonly intensityRange: IntensityRange;
  /** The volume's minimum and maximum: the range the corrected intensities are clipped to. */
  readonly clip: { readonly min: number; readonly max: number };
}

/** Options of {@link correctionStatistics}. */
export interface CorrectionStatisticsOptions {
  /**
   * The non-finite policy of the correction the statistics are for (`correct`'s `nonFinite`):
   * `'reject'` (the default) throws on a NaN or infinite voxel; under `'zero-and-restore'` such
   * voxels count as 0, as the correction sees them.
   */
  readonly nonFinite?: NonFinitePolicy;
}

/**
 * The statistics `correct` takes from the whole volume: the robust intensity range it
 * normalises by and the range it clips to. Give them to `correct` as `intensityRange` and `clip`
 * when correcting parts of one volume separately, so that every part is corrected exactly as one
 * pass over the whole volume would correct it; `splitCorrection` does this for you.
 *
 * @example
 * ```ts
 * const { intensityRange, clip } = correctionStatistics(volume, model.config);
 * const part = await correct(model, slab, { intensityRange, clip });
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad volume, config or option, or (under the default
 * `nonFinite: 'reject'`) a voxel that is not finite.
 */
export function correctionStatistics(
  volume: Volume,
  config: Pick<ModelConfig, 'lowPercentile' | 'highPercentile'>,
  options: CorrectionStatisticsOptions = {},
): CorrectionStatistics {
  const { input, percentiles } = beginCorrection(
    'correctionStatistics',
    volume,
    config,
    'config',
    options,
  );
  return statisticsOf(input, percentiles);
}
