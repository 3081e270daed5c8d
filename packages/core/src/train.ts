import {
  createRng,
  invalidArgument,
  type Volume,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';
import type * as tf from '@tensorflow/tfjs-core';
import type { DuncanModel } from './create-model.js';
import { type ModelState, requireTrainingState, stateOf } from './internal/model-state.js';
import { type PairImages, pairIndices, readPairs, semiPartner } from './internal/pair-batch.js';
import { type PairedLossValues, runPairedStep } from './internal/run-paired-step.js';
import { runSemiStep, type SemiLossValues } from './internal/run-semi-step.js';
import { runTrainStep } from './internal/run-train-step.js';
import { prepareSlices, sampleCrop } from './internal/slice-sampler.js';
import { validateAxis, validateFunction } from './internal/validate.js';
import { imagesToTensor } from './internal/volume-tensor.js';
import type { TrainingLosses } from './train-step.js';

/** Unpaired training data: two collections of volumes, with no partner images needed. */
export interface TrainingData {
  /** Artefact-free volumes (domain F). */
  readonly clean: readonly Volume[];
  /** Artefact-corrupted volumes (domain A). */
  readonly corrupted: readonly Volume[];
}

/** One training pair: the same anatomy clean and corrupted, and a head mask. */
export interface TrainingPairImages extends PairImages {
  /** The clean image, `size * size`, row-major (x fastest), normalised to about [0, 1]. */
  readonly clean: Float32Array;
  /** The corrupted image on the same scale and grid. */
  readonly corrupted: Float32Array;
  /** 1 (any non-zero value) inside the head, 0 outside: where the paired loss counts fully. */
  readonly mask: Uint8Array;
}

/**
 * Paired training data (modes `'paired'` and `'semi'`): a deterministic, random-access source of
 * clean/corrupted pairs with head masks, such as `createTrainingPairs` of @duncan-mri/simulate
 * (which satisfies this interface; core does not depend on simulate). `pair(index)` must accept
 * every index in `[0, 2^21)` and always return the same pair for the same index.
 */
export interface PairedTrainingData {
  /** Side of the square images, in pixels: must equal the model's `cropSize`. */
  readonly size: number;
  /** Pair `index`; `train` reads indices from `model.step * batchSize` on. */
  pair(index: number): TrainingPairImages;
}

/** What `train` trains: `'unpaired'` (DUNCAN), `'paired'` (simulation-supervised) or `'semi'` (both). */
export type TrainingMode = 'unpaired' | 'paired' | 'semi';

/**
 * The losses of a paired step (mode `'paired'`): `l1`, the L1 weighted 1 inside the head mask
 * and `pairedLossWeights.background` outside (normalised by the sum of the weights); `ssim`,
 * 1 − the mean SSIM map inside the mask (so 0 is perfect); `total`, `pairedLossWeights.l1 · l1 +
 * pairedLossWeights.ssim · ssim`. Batch-wide means.
 * @useDeclaredType
 */
export type PairedTrainingLosses = PairedLossValues;

/**
 * The losses of a semi-supervised step (mode `'semi'`): every key of {@link TrainingLosses}, plus
 * the paired loss of the corrected images against their clean partners: `pairedL1`,
 * `pairedSsim` (1 − mean SSIM in the mask) and `paired` (their weighted sum, as
 * {@link PairedTrainingLosses}' `total`; before `pairedWeight`).
 * @useDeclaredType
 */
export type SemiTrainingLosses = SemiLossValues;

/**
 * What `onProgress` receives after every step. `L` is the mode's losses: {@link TrainingLosses}
 * (the default, mode `'unpaired'`), {@link PairedTrainingLosses} or {@link SemiTrainingLosses}.
 */
export interface TrainingProgress<L = TrainingLosses> {
  /** Steps completed in this run (1-based). */
  readonly step: number;
  /** Steps this run will take. */
  readonly steps: number;
  /** The losses of this step. */
  readonly losses: L;
  /** Steps per second since the run started. */
  readonly stepsPerSecond: number;
  /** The learning rate used for this step. */
  readonly learningRate: number;
}

/** Options every mode of {@link train} shares. */
export interface TrainOptionsBase<L> {
  /** Training steps (optimiser updates). Required. */
  readonly steps: number;
  /** Images per step (per domain in `'unpaired'`; pairs in `'paired'` and `'semi'`). Default 1 (as CycleGAN). */
  readonly batchSize?: number;
  /**
   * Length of the whole training, in the model's steps, for the learning-rate schedule: when
   * given, the step that takes the model from step `s` to `s + 1` uses the rate for `s` of a
   * schedule over `totalSteps` (constant, then linear decay to 0 from `decayStart · totalSteps`),
   * so a run interrupted and resumed (`loadCheckpoint`) uses the rates of an uninterrupted one,
   * as tools/reference/train_default_model.py does. At least `model.step + steps`. Default: the
   * schedule spans this run (`steps`).
   */
  readonly totalSteps?: number;
  /** Stops training after the current step; the result says `aborted: true`. */
  readonly signal?: AbortSignal;
  /**
   * Called after every step. When it returns a promise, the next step waits for it, so the
   * callback may save a checkpoint of the model (`saveCheckpoint`) between steps.
   */
  readonly onProgress?: (progress: TrainingProgress<L>) => unknown;
}

/** Options of {@link train} in mode `'unpaired'` (the default). */
export interface TrainOptions extends TrainOptionsBase<TrainingLosses> {
  /** `'unpaired'` or left out. */
  readonly mode?: 'unpaired';
  /** Seed of the crop, flip and slice draws. Required. */
  readonly seed: number;
  /** Slicing axis: 0, 1 or 2 (x, y, z). Default 2. */
  readonly axis?: 0 | 1 | 2;
}

/** Options of {@link train} in mode `'paired'`. */
export interface PairedTrainOptions extends TrainOptionsBase<PairedTrainingLosses> {
  /** Simulation-supervised training of the corrector alone. */
  readonly mode: 'paired';
}

/** Options of {@link train} in mode `'semi'`. */
export interface SemiTrainOptions extends TrainOptionsBase<SemiTrainingLosses> {
  /** DUNCAN's unpaired losses plus the paired loss. */
  readonly mode: 'semi';
  /** Weight of the paired loss beside DUNCAN's six weighted generator terms. Default 1. */
  readonly pairedWeight?: number;
}

/** What {@link train} resolves to. */
export interface TrainingResult<L = TrainingLosses> {
  /** Steps completed. */
  readonly steps: number;
  /** True when `signal` stopped the run early. */
  readonly aborted: boolean;
  /** The losses of the last step (undefined when no step ran). */
  readonly losses: L | undefined;
}

const MODES: readonly TrainingMode[] = ['unpaired', 'paired', 'semi'];

/**
 * Trains a model (Liu et al., "Learning MRI artefact removal with unpaired data", Nature Machine
 * Intelligence 2021). Three modes:
 *
 * - `'unpaired'` (the default): DUNCAN on unpaired clean and corrupted volumes. Each volume is
 *   normalised by its robust percentiles (config `lowPercentile` -> 0, `highPercentile` -> 1);
 *   each step draws, independently for each domain, `batchSize` random `cropSize` crops of
 *   random slices along `axis` that have enough foreground, with random flips, then makes the
 *   generator update (six loss terms) and the discriminator update.
 * - `'paired'`: simulation-supervised training of the corrector
 *   `x + decoderF(contentEncoderA(x))` on a pair source ({@link PairedTrainingData}, e.g.
 *   `createTrainingPairs` of @duncan-mri/simulate). The step that takes the model from step `s`
 *   reads pairs `s · batchSize` to `s · batchSize + batchSize − 1` (so a resumed run reads the
 *   pairs of the uninterrupted one) and makes one Adam update of the generator optimiser by the
 *   paired loss `pairedLossWeights.l1 · L1 + pairedLossWeights.ssim · (1 − SSIM)` (L1 weighted 1
 *   in the head mask and `background` outside; SSIM of Wang et al. 2004, 11-tap Gaussian window,
 *   sigma 1.5, mean inside the mask), in which only contentEncoderA and decoderF have gradients.
 *   The discriminators and image pools are untouched. This is one step of `train_paired` in
 *   tools/reference/train_default_model.py, so a checkpoint of either continues in the other.
 * - `'semi'`: DUNCAN's step (six generator terms and the discriminator update) on x_a = pair
 *   `i`'s corrupted image and x_f = the clean image of pair `(i + 2^20) mod 2^21` (another pair:
 *   the adversarial and cycle terms see unpaired images), with `pairedWeight` × the paired loss
 *   of the corrected x_a against pair `i`'s clean image added to the generator's objective.
 *   Pair indices `i` follow the step as in `'paired'`.
 *
 * The learning rate is constant, then decays linearly to 0 from `decayStart` of the run (or of
 * `totalSteps`). Deterministic for a given model state, data, options and backend.
 *
 * @example
 * ```ts
 * const result = await train(model, { clean: [t1a, t1b], corrupted: [t1c] }, {
 *   steps: 10_000, seed: 1, batchSize: 4,
 *   onProgress: ({ step, losses }) => console.log(step, losses.cycle),
 * });
 * const pairs = createTrainingPairs([{ volume: colin27 }], { seed: 1, size: model.config.cropSize });
 * await train(model, pairs, { mode: 'paired', steps: 1000, batchSize: 8,
 *   onProgress: ({ losses }) => console.log(losses.l1, losses.ssim) });
 * ```
 * @throws MriError `INVALID_ARGUMENT` for bad options, collections without usable slices, data
 * of the wrong kind for the mode (volumes for `'paired'`/`'semi'`, a pair source for
 * `'unpaired'`), a pair source whose `size` is not the model's `cropSize`, bad pairs, or a
 * model loaded from an inference checkpoint.
 */
export function train(
  model: DuncanModel,
  data: TrainingData,
  options: TrainOptions,
): Promise<TrainingResult>;
/** Paired (simulation-supervised) training of the corrector on a pair source; see above. */
export function train(
  model: DuncanModel,
  data: PairedTrainingData,
  options: PairedTrainOptions,
): Promise<TrainingResult<PairedTrainingLosses>>;
/** Semi-supervised training: DUNCAN's losses plus the paired loss; see above. */
export function train(
  model: DuncanModel,
  data: PairedTrainingData,
  options: SemiTrainOptions,
): Promise<TrainingResult<SemiTrainingLosses>>;
export async function train(
  model: DuncanModel,
  data: TrainingData | PairedTrainingData,
  options: TrainOptions | PairedTrainOptions | SemiTrainOptions,
): Promise<TrainingResult<TrainingLosses | PairedTrainingLosses | SemiTrainingLosses>> {
  const where = 'train';
  const state = stateOf(where, model);
  requireTrainingState(where, state);
  const d = validateObject(where, 'data', data);
  const o = validateObject(where, 'options', options);
  const mode = (o.mode ?? 'unpaired') as TrainingMode;
  if (!MODES.includes(mode))
    invalidArgument(where, 'options.mode', `must be one of ${MODES.join(', ')}`, mode);
  const steps = validateNumber(where, 'options.steps', o.steps, { min: 0, integer: true });
  const batchSize = validateNumber(
    where,
    'options.batchSize',
    o.batchSize,
    { min: 1, integer: true },
    1,
  );
  const startStep = state.adamGenerator.step;
  const totalSteps =
    o.totalSteps === undefined
      ? undefined
      : validateNumber(where, 'options.totalSteps', o.totalSteps, {
          min: startStep + steps,
          integer: true,
        });
  const onProgress = validateFunction<(p: TrainingProgress<unknown>) => unknown>(
    where,
    'options.onProgress',
    o.onProgress,
  );
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined && (typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
    invalidArgument(where, 'options.signal', 'must be an AbortSignal', signal);
  }
  if (mode !== 'semi' && o.pairedWeight !== undefined) {
    invalidArgument(where, 'options.pairedWeight', "applies only to mode 'semi'", o.pairedWeight);
  }
  if (mode !== 'unpaired' && o.axis !== undefined) {
    invalidArgument(
      where,
      'options.axis',
      "applies only to mode 'unpaired' (pairs are 2-D)",
      o.axis,
    );
  }
  const run =
    mode === 'unpaired'
      ? unpairedSteps(where, state, d, o, batchSize)
      : pairedSteps(where, state, d, o, mode, batchSize);

  const { config } = state;
  const rate = (i: number): number => {
    if (totalSteps === undefined) {
      const decayFrom = steps * config.decayStart;
      const decaySteps = steps - decayFrom;
      return i < decayFrom || decaySteps <= 0
        ? config.learningRate
        : (config.learningRate * (steps - i)) / decaySteps;
    }
    const s = state.adamGenerator.step;
    const decayFrom = totalSteps * config.decayStart;
    return s < decayFrom || totalSteps - decayFrom <= 0
      ? config.learningRate
      : (config.learningRate * (totalSteps - s)) / (totalSteps - decayFrom);
  };
  const started = performance.now();
  let losses: TrainingLosses | PairedTrainingLosses | SemiTrainingLosses | undefined;
  for (let i = 0; i < steps; i++) {
    if (signal?.aborted) return { steps: i, aborted: true, losses };
    const learningRate = rate(i);
    losses = await run(learningRate);
    const seconds = (performance.now() - started) / 1000;
    await onProgress?.({
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

type StepRunner<L> = (learningRate: number) => Promise<L>;

/** Mode `'unpaired'`: random crops of the two volume collections (DUNCAN). */
function unpairedSteps(
  where: string,
  state: ModelState,
  d: Record<string, unknown>,
  o: Record<string, unknown>,
  batchSize: number,
): StepRunner<TrainingLosses> {
  if (typeof d.pair === 'function') {
    invalidArgument(
      where,
      'data',
      "must be { clean, corrupted } volume collections in mode 'unpaired' (pass mode 'paired' or 'semi' to train on a pair source)",
      'a pair source',
    );
  }
  const seed = validateNumber(where, 'options.seed', o.seed, {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    integer: true,
  });
  const axis = validateAxis(where, o.axis, 2);
  const { config } = state;
  const clean = prepareSlices(where, 'data.clean', d.clean, config, axis);
  const corrupted = prepareSlices(where, 'data.corrupted', d.corrupted, config, axis);
  const rng = createRng(seed);
  const size = config.cropSize;
  return async (learningRate) => {
    const cleanCrops = Array.from({ length: batchSize }, () =>
      sampleCrop(clean, size, config.flips, rng),
    );
    const corruptedCrops = Array.from({ length: batchSize }, () =>
      sampleCrop(corrupted, size, config.flips, rng),
    );
    const xf = imagesToTensor(cleanCrops, size, size);
    const xa = imagesToTensor(corruptedCrops, size, size);
    try {
      return await runTrainStep(state, xa, xf, learningRate);
    } finally {
      xa.dispose();
      xf.dispose();
    }
  };
}

/** Modes `'paired'` and `'semi'`: the pairs of the model's step, from a pair source. */
function pairedSteps(
  where: string,
  state: ModelState,
  d: Record<string, unknown>,
  o: Record<string, unknown>,
  mode: 'paired' | 'semi',
  batchSize: number,
): StepRunner<PairedTrainingLosses | SemiTrainingLosses> {
  if (typeof d.pair !== 'function') {
    invalidArgument(
      where,
      'data',
      `must be a pair source { size, pair(index) } (e.g. createTrainingPairs of @duncan-mri/simulate) in mode '${mode}'`,
      Array.isArray(d.clean) || Array.isArray(d.corrupted) ? 'volume collections' : d,
    );
  }
  const size = validateNumber(where, 'data.size', d.size, { min: 1, integer: true });
  const { config } = state;
  if (size !== config.cropSize) {
    invalidArgument(
      where,
      'data.size',
      `must equal the model's cropSize (${config.cropSize})`,
      size,
    );
  }
  const source = d as unknown as PairedTrainingData;
  const pairedWeight =
    mode === 'semi'
      ? validateNumber(where, 'options.pairedWeight', o.pairedWeight, { min: 0 }, 1)
      : 0;
  const tensors = (images: Float32Array[]) => imagesToTensor(images, size, size);
  return async (learningRate) => {
    const indices = pairIndices(state.adamGenerator.step, batchSize);
    const batch = readPairs(where, source, indices, size);
    const owned: tf.Tensor[] = [];
    const own = <T extends tf.Tensor>(t: T): T => {
      owned.push(t);
      return t;
    };
    try {
      const xa = own(tensors(batch.corrupted));
      const clean = own(tensors(batch.clean));
      const mask = own(tensors(batch.mask));
      if (mode === 'paired') return await runPairedStep(state, xa, clean, mask, learningRate);
      const partners = readPairs(where, source, indices.map(semiPartner), size);
      const xf = own(tensors(partners.clean));
      return await runSemiStep(state, xa, xf, clean, mask, pairedWeight, learningRate);
    } finally {
      for (const t of owned) t.dispose();
    }
  };
}
