import {
  describeValue,
  extractSlab,
  insertSlab,
  MriError,
  type Volume,
  validateBoolean,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';
import { assertSliceSize } from './assert-slice-size.js';
import type { CorrectionResult } from './correct.js';
import type { CorrectionStatistics } from './correction-statistics.js';
import {
  beginCorrection,
  correctionResult,
  type NonFinitePolicy,
  statisticsOf,
} from './internal/correction-input.js';
import { validateShrinkage } from './internal/shrink-correction.js';
import { type SliceRun, sliceRuns } from './internal/slice-runs.js';
import { validateAxis } from './internal/validate.js';
import { sliceGeometry } from './internal/volume-tensor.js';
import type { ModelConfig } from './model-config.js';

/** Options of {@link splitCorrection}. */
export interface SplitCorrectionOptions {
  /** Slicing axis: 0, 1 or 2 (x, y, z). Default 2. */
  readonly axis?: 0 | 1 | 2;
  /** What to do with non-finite voxels, as `correct`'s `nonFinite`. Default `'reject'`. */
  readonly nonFinite?: NonFinitePolicy;
  /**
   * Mirror averaging, as `correct`'s `flips` (four forward passes per batch: the batch and its
   * three mirror images). Default `true`.
   */
  readonly flips?: boolean;
  /**
   * Residual shrinkage, as `correct`'s `shrinkage` (each slice's correction soft-thresholded at
   * `k` times the slice's noise level, per slice, so each run does it for its own slices).
   * Default 1.
   */
  readonly shrinkage?: number;
}

/**
 * The options every run of a {@link SplitCorrection} is corrected with: `correct`'s options,
 * complete and plain data (they can be posted to a worker as they are).
 */
export interface RunCorrectOptions extends CorrectionStatistics {
  readonly axis: 0 | 1 | 2;
  readonly nonFinite: NonFinitePolicy;
  /** `correct`'s `flips`: whether each run's batches are averaged over their mirror images. */
  readonly flips: boolean;
  /** `correct`'s `shrinkage`: the multiple of each slice's noise level its correction is shrunk by (0: off). */
  readonly shrinkage: number;
}

/** The voxels of one run of slices: a volume of their own, x fastest (`correct` takes it). */
export interface RunVoxels {
  /**
   * A copy of the run's voxels as given, non-finite ones included (under `'zero-and-restore'`
   * the run's `correct`, with the same policy, corrects them as 0 and measures each slice's noise
   * without them, as one pass does); its buffer may be transferred.
   */
  readonly data: Float32Array;
  /** The volume's shape with `count` slices along the axis. */
  readonly shape: [number, number, number];
}

/** One volume's correction cut into runs of slices; see {@link splitCorrection}. */
export interface SplitCorrection {
  /** The options to correct every run with (the whole volume's statistics among them). */
  readonly options: RunCorrectOptions;
  /** Slices along the axis. */
  readonly slices: number;
  /** Rows and columns of one slice (axis 2: `[ny, nx]`, axis 1: `[nz, nx]`, axis 0: `[nz, ny]`). */
  readonly sliceShape: readonly [number, number];
  /**
   * The volume's slices as consecutive runs of `runLength` from slice 0 (the last one shorter),
   * exactly the batches of one pass of `correct` with `batchSize: runLength`.
   */
  runs(runLength: number): SliceRun[];
  /** The voxels of a run, to correct with `correct(model, createVolume(voxels), { ...options, batchSize: run.count })`. */
  extract(run: SliceRun): RunVoxels;
  /** Puts a run's corrected voxels (`corrected.data` of that correction) in place. */
  insert(run: SliceRun, corrected: Float32Array): void;
  /**
   * The corrected volume and its artefact map, once every slice is in place; non-finite input
   * voxels are NaN in both (under `'zero-and-restore'`).
   */
  finish(): CorrectionResult;
}

/**
 * Cuts the correction of one volume into runs of slices that are corrected separately (on
 * worker threads, each with its own copy of the model) and put together again, so that the
 * result is exactly that of one pass of `correct` over the whole volume with the same batches:
 * the whole volume's statistics ({@link correctionStatistics}), non-finite policy, mirror
 * averaging (`flips`) and residual shrinkage (`shrinkage`) are taken here, once, and every run is corrected with them. The caller
 * only schedules the runs and moves their buffers.
 *
 * @example
 * ```ts
 * const split = splitCorrection(volume, model.config, { axis: 2 });
 * for (const run of split.runs(4)) {
 *   const voxels = split.extract(run); // what a worker would get
 *   const { corrected } = await correct(model, createVolume(voxels), {
 *     ...split.options,
 *     batchSize: run.count,
 *   });
 *   split.insert(run, corrected.data);
 * }
 * const { corrected, artefactMap } = split.finish();
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad volume, config or option, slices under 8x8
 * voxels, or (under `nonFinite: 'reject'`) a voxel that is not finite; `INTERNAL` from
 * `insert` and `finish` for runs that do not fit, or slices missing.
 */
export function splitCorrection(
  volume: Volume,
  config: Pick<ModelConfig, 'lowPercentile' | 'highPercentile'>,
  options: SplitCorrectionOptions = {},
): SplitCorrection {
  const where = 'splitCorrection';
  // The voxels the correction sees (0 for non-finite ones under 'zero-and-restore').
  const {
    options: o,
    percentiles,
    nonFinite,
    input,
  } = beginCorrection(where, volume, config, 'config', options);
  const axis = validateAxis(where, o.axis, 2);
  const flips = validateBoolean(where, 'options.flips', o.flips, true);
  const shrinkage = validateShrinkage(where, o.shrinkage);
  assertSliceSize(volume.shape, axis, where);
  const { intensityRange, clip } = statisticsOf(input, percentiles);
  const { count: slices, height, width } = sliceGeometry(volume.shape, axis);
  const out = new Float32Array(input.data.length);
  const placed = new Uint8Array(slices);
  const checkRun = (method: string, run: SliceRun): SliceRun => {
    const r = validateObject(`SplitCorrection.${method}`, 'run', run);
    const start = validateNumber(`SplitCorrection.${method}`, 'run.start', r.start, {
      min: 0,
      max: slices - 1,
      integer: true,
    });
    const count = validateNumber(`SplitCorrection.${method}`, 'run.count', r.count, {
      min: 1,
      max: slices - start,
      integer: true,
    });
    return { start, count };
  };
  return Object.freeze({
    options: Object.freeze({ axis, intensityRange, clip, nonFinite, flips, shrinkage }),
    slices,
    sliceShape: Object.freeze([height, width] as const),
    runs(runLength: number): SliceRun[] {
      const n = validateNumber('SplitCorrection.runs', 'runLength', runLength, {
        min: 1,
        integer: true,
      });
      return sliceRuns(slices, n);
    },
    extract(run: SliceRun): RunVoxels {
      const r = checkRun('extract', run);
      const shape: [number, number, number] = [...volume.shape];
      shape[axis] = r.count;
      return { data: extractSlab(volume.data, volume.shape, axis, r.start, r.count), shape };
    },
    insert(run: SliceRun, corrected: Float32Array): void {
      const r = checkRun('insert', run);
      const voxels = (volume.data.length / slices) * r.count;
      if (!(corrected instanceof Float32Array) || corrected.length !== voxels) {
        throw new MriError(
          'INTERNAL',
          `SplitCorrection.insert: corrected must be a Float32Array of ${voxels} values (slices ${r.start}-${r.start + r.count - 1}), got ${describeValue(corrected)}`,
          { argument: 'corrected' },
        );
      }
      insertSlab(out, volume.shape, axis, r.start, corrected);
      placed.fill(1, r.start, r.start + r.count);
    },
    finish(): CorrectionResult {
      const missing = placed.indexOf(0);
      if (missing >= 0) {
        throw new MriError(
          'INTERNAL',
          `SplitCorrection.finish: every slice must be corrected and inserted first, got slice ${missing} of ${slices} missing`,
        );
      }
      return correctionResult(volume, out);
    },
  });
}
