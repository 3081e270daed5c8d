import {
  assertVolume,
  invalidArgument,
  MriError,
  type Volume,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';
import type { DuncanModel } from './create-model.js';
import { requireTrainingState, stateOf } from './internal/model-state.js';
import { type LossValues, runTrainStep } from './internal/run-train-step.js';
import { imagesToTensor } from './internal/volume-tensor.js';

/**
 * The loss values of one training step: the six (unweighted) generator terms of
 * the core README's "Architecture" and the discriminator's LSGAN loss.
 * @useDeclaredType
 */
export type TrainingLosses = LossValues;

/** Unpaired 2-D training images for {@link trainStep}, already normalised to about [0, 1]. */
export interface TrainingBatch {
  /** Artefact-free images (domain F). */
  readonly clean: readonly Volume[];
  /** Artefact-corrupted images (domain A); no image needs a partner among `clean`. */
  readonly corrupted: readonly Volume[];
}

/** Options of {@link trainStep}. */
export interface TrainStepOptions {
  /** This step's learning rate (for a schedule); default `model.config.learningRate`. */
  readonly learningRate?: number;
}

/**
 * One alternating DUNCAN update on a batch of unpaired 2-D images: the generator networks by
 * the weighted sum of the six loss terms, then the discriminators against past fakes from the
 * image pools. The images are 2-D volumes (`nz = 1`) of one size, sides multiples of 4 and at
 * least 32, with intensities normalised as `train` does (robust percentiles to [0, 1]);
 * `clean.length` must equal `corrupted.length`. Deterministic for a given model state and
 * backend.
 *
 * @example
 * ```ts
 * const losses = await trainStep(model, { clean: [c0, c1], corrupted: [a0, a1] });
 * console.log(losses.cycle, losses.discriminator);
 * ```
 * @throws MriError `INVALID_ARGUMENT` or `SHAPE_MISMATCH` for bad batches.
 */
export async function trainStep(
  model: DuncanModel,
  batch: TrainingBatch,
  options: TrainStepOptions = {},
): Promise<TrainingLosses> {
  const where = 'trainStep';
  const state = stateOf(where, model);
  requireTrainingState(where, state);
  const b = validateObject(where, 'batch', batch);
  const opts = validateObject(where, 'options', options, true);
  const learningRate = validateNumber(
    where,
    'options.learningRate',
    opts.learningRate,
    { min: 0 },
    state.config.learningRate,
  );
  const clean = validateImages(where, 'batch.clean', b.clean);
  const corrupted = validateImages(where, 'batch.corrupted', b.corrupted);
  if (clean.length !== corrupted.length) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${where}: batch.corrupted must have as many images as batch.clean (${clean.length}), got ${corrupted.length}`,
      { argument: 'batch.corrupted' },
    );
  }
  const [nx, ny] = clean[0]!.shape;
  for (const [name, list] of [
    ['batch.clean', clean],
    ['batch.corrupted', corrupted],
  ] as const) {
    list.forEach((v, i) => {
      if (v.shape[0] !== nx || v.shape[1] !== ny) {
        throw new MriError(
          'SHAPE_MISMATCH',
          `${where}: ${name}[${i}] must be ${nx}x${ny} like batch.clean[0], got ${v.shape[0]}x${v.shape[1]}`,
          { argument: name },
        );
      }
    });
  }
  if (nx % 4 !== 0 || ny % 4 !== 0 || nx < 32 || ny < 32) {
    invalidArgument(
      where,
      'batch.clean[0].shape',
      'must have sides that are multiples of 4 and >= 32',
      clean[0]!.shape,
    );
  }
  const xf = imagesToTensor(
    clean.map((v) => v.data),
    ny,
    nx,
  );
  const xa = imagesToTensor(
    corrupted.map((v) => v.data),
    ny,
    nx,
  );
  try {
    return await runTrainStep(state, xa, xf, learningRate);
  } finally {
    xa.dispose();
    xf.dispose();
  }
}

function validateImages(where: string, argument: string, value: unknown): Volume[] {
  if (!Array.isArray(value) || value.length === 0) {
    invalidArgument(where, argument, 'must be a non-empty array of 2-D volumes', value);
  }
  return value.map((v, i) => {
    assertVolume(v, where, `${argument}[${i}]`);
    if (v.shape[2] !== 1)
      invalidArgument(where, `${argument}[${i}].shape`, 'must be 2-D (nz = 1)', v.shape);
    for (const x of v.data) {
      if (!Number.isFinite(x))
        invalidArgument(where, `${argument}[${i}].data`, 'must be finite', x);
    }
    return v;
  });
}
