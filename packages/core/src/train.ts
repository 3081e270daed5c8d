import { createRng, type Volume } from '@duncan-mri/volume';
import type { DuncanModel } from './create-model.js';
import { stateOf } from './internal/model-state.js';
import { runTrainStep } from './internal/run-train-step.js';
import { prepareSlices, sampleCrop } from './internal/slice-sampler.js';
import {
  fail,
  validateAxis,
  validateFunction,
  validateNumber,
  validateObject,
} from './internal/validate.js';
import { imagesToTensor } from './internal/volume-tensor.js';
import type { TrainingLosses } from './train-step.js';

/** Unpaired training data: two collections of volumes, with no partner images needed. */
export interface TrainingData {
  /** Artefact-free volumes (domain F). */
  readonly clean: readonly Volume[];
  /** Artefact-corrupted volumes (domain A). */
  readonly corrupted: readonly Volume[];
}

/** What `onProgress` receives after every step. */
export interface TrainingProgress {
  /** Steps completed in this run (1-based). */
  readonly step: number;
  /** Steps this run will take. */
  readonly steps: number;
  /** The losses of this step. */
  readonly losses: TrainingLosses;
  /** Steps per second since the run started. */
  readonly stepsPerSecond: number;
  /** The learning rate used for this step. */
  readonly learningRate: number;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** Training steps (each one generator and one discriminator update). Required. */
  readonly steps: number;
  /** Seed of the crop, flip and slice draws. Required. */
  readonly seed: number;
  /** Images per domain per step. Default 1 (as CycleGAN). */
  readonly batchSize?: number;
  /** Slicing axis: 0, 1 or 2 (x, y, z). Default 2. */
  readonly axis?: 0 | 1 | 2;
  /** Stops training after the current step; the result says `aborted: true`. */
  readonly signal?: AbortSignal;
  /** Called after every step. */
  readonly onProgress?: (progress: TrainingProgress) => void;
}

/** What {@link train} resolves to. */
export interface TrainingResult {
  /** Steps completed. */
  readonly steps: number;
  /** True when `signal` stopped the run early. */
  readonly aborted: boolean;
  /** The losses of the last step (undefined when no step ran). */
  readonly losses: TrainingLosses | undefined;
}

/**
 * Trains a model on unpaired clean and corrupted volumes (Liu et al., "Learning MRI artefact
 * removal with unpaired data", Nature Machine Intelligence 2021). Each volume is normalised by
 * its robust percentiles (config `lowPercentile` -> 0, `highPercentile` -> 1); each step draws,
 * independently for each domain, `batchSize` random `cropSize` crops of random slices along
 * `axis` that have enough foreground, with random flips. The learning rate is constant, then
 * decays linearly to 0 from `decayStart` of the run. Deterministic for a given model state,
 * seed and backend.
 *
 * @example
 * ```ts
 * const result = await train(model, { clean: [t1a, t1b], corrupted: [t1c] }, {
 *   steps: 10_000, seed: 1, batchSize: 4,
 *   onProgress: ({ step, losses }) => console.log(step, losses.cycle),
 * });
 * ```
 * @throws MriError `INVALID_ARGUMENT` for bad options or collections without usable slices.
 */
export async function train(
  model: DuncanModel,
  data: TrainingData,
  options: TrainOptions,
): Promise<TrainingResult> {
  const where = 'train';
  const state = stateOf(where, model);
  const d = validateObject(where, 'data', data);
  const o = validateObject(where, 'options', options);
  const steps = validateNumber(where, 'options.steps', o.steps, { min: 0, integer: true });
  const seed = validateNumber(where, 'options.seed', o.seed, {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    integer: true,
  });
  const batchSize = validateNumber(
    where,
    'options.batchSize',
    o.batchSize,
    { min: 1, integer: true },
    1,
  );
  const axis = validateAxis(where, o.axis, 2);
  const onProgress = validateFunction<(p: TrainingProgress) => void>(
    where,
    'options.onProgress',
    o.onProgress,
  );
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined && (typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
    fail(where, 'options.signal', 'must be an AbortSignal', signal);
  }
  const { config } = state;
  const clean = prepareSlices(where, 'data.clean', d.clean, config, axis);
  const corrupted = prepareSlices(where, 'data.corrupted', d.corrupted, config, axis);
  const rng = createRng(seed);
  const size = config.cropSize;
  const decayFrom = steps * config.decayStart;
  const decaySteps = steps - decayFrom;
  const started = performance.now();
  let losses: TrainingLosses | undefined;
  for (let i = 0; i < steps; i++) {
    if (signal?.aborted) return { steps: i, aborted: true, losses };
    const learningRate =
      i < decayFrom || decaySteps <= 0
        ? config.learningRate
        : (config.learningRate * (steps - i)) / decaySteps;
    const cleanCrops = Array.from({ length: batchSize }, () =>
      sampleCrop(clean, size, config.flips, rng),
    );
    const corruptedCrops = Array.from({ length: batchSize }, () =>
      sampleCrop(corrupted, size, config.flips, rng),
    );
    const xf = imagesToTensor(cleanCrops, size, size);
    const xa = imagesToTensor(corruptedCrops, size, size);
    try {
      losses = await runTrainStep(state, xa, xf, learningRate);
    } finally {
      xa.dispose();
      xf.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    onProgress?.({
      step: i + 1,
      steps,
      losses,
      stepsPerSecond: seconds > 0 ? (i + 1) / seconds : 0,
      learningRate,
    });
    // Let timers and abort events run between steps.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  return { steps, aborted: false, losses };
}
