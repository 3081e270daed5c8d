import type { MriError } from '@duncan-mri/volume';
import { invalidArgument, validateBoolean, validateObject } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';
import { type DuncanModel, instantiate } from './create-model.js';
import { corruptCheckpoint, readCheckpointLayout } from './internal/checkpoint-layout.js';
import { encodeFloat16 } from './internal/float16.js';
import { isCorrectorVariable, requireTrainingState, stateOf } from './internal/model-state.js';
import { imagesToTensor, readFloat32, splitImages } from './internal/volume-tensor.js';
import { type ModelConfig, type ModelConfigOverrides, resumeModelConfig } from './model-config.js';
import type { TrainingMode } from './train.js';

/**
 * One stored array: its name, shape and type: float32, or float16 (little-endian IEEE binary16,
 * half the bytes) in an inference checkpoint saved with `dtype: 'float16'`.
 */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'float16';
}

/** The JSON half of a checkpoint. */
export interface CheckpointManifest {
  readonly format: 'duncan-mri-checkpoint';
  readonly formatVersion: 1;
  readonly architecture: 'duncan-2d';
  /** The complete model configuration. */
  readonly config: ModelConfig;
  /** The model's seed (it also seeds the image pools' draws). */
  readonly seed: number;
  /** Updates applied by the generator and discriminator optimisers. */
  readonly optimiser: { readonly generatorStep: number; readonly discriminatorStep: number };
  /**
   * An inference checkpoint: `weightSpecs` holds only the corrector path's variables (content
   * encoder A and decoder F), no optimiser state and no pools. Absent or false: complete.
   */
  readonly inference?: boolean;
  /** The arrays in `weights`, in order: variables, both Adam moments, pool images. */
  readonly weightSpecs: readonly WeightSpec[];
  /** `weights.byteLength`. */
  readonly byteLength: number;
  /**
   * SHA-256 of `weights`, 64 lower-case hex digits: added by the storage layer (`writeCheckpoint`
   * of @duncan-mri/node), which refuses weights of another save on reading. Absent in
   * checkpoints stored before it existed; `loadCheckpoint` does not read it.
   */
  readonly weightsSha256?: string;
  /**
   * How the run that saved the checkpoint was training, so that a resumed run continues it (as
   * `duncan train --resume` does). Absent when the trainer did not record it; `loadCheckpoint`
   * does not read it.
   */
  readonly training?: CheckpointTraining;
}

/** The {@link train} options a run used, as a checkpoint records them. */
export interface CheckpointTraining {
  /** The training mode. */
  readonly mode: TrainingMode;
  /** The run's length in the model's steps: `train`'s `totalSteps`, the learning-rate schedule's span. */
  readonly totalSteps: number;
  /** Images (unpaired) or pairs (paired, semi) per step. */
  readonly batchSize: number;
  /** The seed of the crops (unpaired) or of the pair source (paired, semi). */
  readonly seed: number;
  /** Unpaired: the slicing axis (0, 1, 2). */
  readonly axis?: 0 | 1 | 2;
  /** Semi: the weight of the paired loss. */
  readonly pairedWeight?: number;
}

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /**
   * Changes of the stored config for a resumed run, e.g. `{ learningRate: 5e-5 }`. Only the
   * fields of `RESUMABLE_CONFIG_KEYS` (loss weights, learning rate and schedule, data handling)
   * may differ from the stored ones; nested loss weights merge with the stored ones. The changed
   * config is the model's, and what the next `saveCheckpoint` stores.
   */
  readonly config?: ModelConfigOverrides;
}

/**
 * A checkpoint: a JSON-serialisable manifest and one binary blob of its arrays (float32; float16
 * in an inference checkpoint saved with `dtype: 'float16'`).
 */
export interface Checkpoint {
  readonly manifest: CheckpointManifest;
  readonly weights: Uint8Array;
}

const FORMAT = 'duncan-mri-checkpoint';

interface Entry {
  readonly name: string;
  readonly tensor: tf.Tensor;
  readonly temporary: boolean;
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /**
   * Save only what correction needs: the corrector path's weights (content encoder A and decoder
   * F), without the other networks, optimiser state or pools (a fraction of the size; what a
   * published package ships). Such a checkpoint loads for `correct` but not for `train`.
   * Default false.
   */
  readonly inference?: boolean;
  /**
   * How the weights are stored: `'float32'` (default), or `'float16'` (IEEE binary16, half the
   * bytes; inference checkpoints only, where the weights are read but not trained further). The
   * corrector's weights lose about three decimal digits; `loadCheckpoint` widens them back.
   */
  readonly dtype?: 'float32' | 'float16';
}

/**
 * Saves a model: its configuration, every weight, both optimisers' state (step and moments)
 * and the image pools, so that `loadCheckpoint` resumes training exactly; or, with
 * `inference: true`, only the corrector path's weights. The weights are encoded by
 * `tf.io.encodeWeights`; storage (files, URLs, IndexedDB) is the bindings' job.
 *
 * @example
 * ```ts
 * const { manifest, weights } = await saveCheckpoint(model);
 * writeFileSync('model.json', JSON.stringify(manifest));
 * writeFileSync('model.bin', weights);
 * const shipped = await saveCheckpoint(model, { inference: true });
 * ```
 */
export async function saveCheckpoint(
  model: DuncanModel,
  options: SaveCheckpointOptions = {},
): Promise<Checkpoint> {
  const where = 'saveCheckpoint';
  const state = stateOf(where, model);
  const o = validateObject(where, 'options', options);
  const inference = validateBoolean(where, 'options.inference', o.inference, false);
  const dtype = o.dtype === undefined ? 'float32' : o.dtype;
  if (dtype !== 'float32' && dtype !== 'float16')
    invalidArgument(where, 'options.dtype', "must be 'float32' or 'float16'", o.dtype);
  if (dtype === 'float16' && !inference)
    invalidArgument(
      where,
      'options.dtype',
      "may be 'float16' only with inference: true (a training state keeps float32)",
      o.dtype,
    );
  if (!inference) requireTrainingState(where, state);
  const entries: Entry[] = [];
  for (const [name, v] of state.variables) {
    if (!inference || isCorrectorVariable(name))
      entries.push({ name: `variable/${name}`, tensor: v, temporary: false });
  }
  for (const [label, adam] of inference
    ? []
    : ([
        ['generator', state.adamGenerator],
        ['discriminator', state.adamDiscriminator],
      ] as const)) {
    for (const [name, m] of adam.m)
      entries.push({ name: `adam/${label}/m/${name}`, tensor: m, temporary: false });
    for (const [name, v] of adam.v)
      entries.push({ name: `adam/${label}/v/${name}`, tensor: v, temporary: false });
  }
  for (const [label, pool] of inference
    ? []
    : ([
        ['F', state.poolF],
        ['A', state.poolA],
      ] as const)) {
    pool.images.forEach((image, i) => {
      const tensor = imagesToTensor([image], pool.size[0], pool.size[1]);
      entries.push({ name: `pool/${label}/${i}`, tensor, temporary: true });
    });
  }
  try {
    const encoded = await tf.io.encodeWeights(
      entries.map(({ name, tensor }) => ({ name, tensor })),
    );
    const { specs } = encoded;
    const data = dtype === 'float16' ? narrowToFloat16(where, encoded) : encoded.data;
    const manifest: CheckpointManifest = {
      format: FORMAT,
      formatVersion: 1,
      architecture: 'duncan-2d',
      config: JSON.parse(JSON.stringify(state.config)) as ModelConfig,
      seed: state.seed,
      ...(inference ? { inference: true } : {}),
      optimiser: {
        generatorStep: state.adamGenerator.step,
        discriminatorStep: state.adamDiscriminator.step,
      },
      weightSpecs: specs.map((s) => ({
        name: s.name,
        shape: [...s.shape],
        dtype,
      })),
      byteLength: data.byteLength,
    };
    return { manifest, weights: new Uint8Array(data) };
  } finally {
    for (const e of entries) if (e.temporary) e.tensor.dispose();
  }
}

/** tf.io.encodeWeights' float32 blob as float16; a weight beyond float16's range is refused. */
function narrowToFloat16(
  where: string,
  encoded: { readonly data: ArrayBuffer; readonly specs: readonly tf.io.WeightsManifestEntry[] },
): ArrayBuffer {
  const values = new Float32Array(encoded.data);
  const out = encodeFloat16(values);
  const halves = new Uint16Array(out.buffer);
  let at = 0;
  for (const s of encoded.specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    for (let i = at; i < at + n; i++) {
      if ((halves[i]! & 0x7c00) === 0x7c00)
        invalidArgument(
          where,
          'options.dtype',
          Number.isNaN(values[i])
            ? `'float16' cannot hold ${s.name}: it holds NaN`
            : `'float16' cannot hold ${s.name}: a value of ${values[i]} is beyond its range (65504)`,
          'float16',
        );
    }
    at += n;
  }
  return out.buffer as ArrayBuffer;
}

function corrupt(message: string, argument: string, cause?: unknown): MriError {
  return corruptCheckpoint('loadCheckpoint', message, argument, cause);
}

/**
 * Rebuilds a model from {@link saveCheckpoint}'s output, optimiser state and image pools
 * included: a loaded model gives the same outputs and takes the same next training step as
 * the saved one (on the same backend). A model loaded from an inference checkpoint corrects
 * exactly as the saved one; `train`, `trainStep` and a complete `saveCheckpoint` refuse it.
 * `options.config` changes the training settings of a resumed run (learning rate, loss weights,
 * ...; not the architecture).
 *
 * @example
 * ```ts
 * const model = await loadCheckpoint({ manifest: JSON.parse(json), weights: readFileSync('model.bin') });
 * const slower = await loadCheckpoint(checkpoint, { config: { learningRate: 5e-5 } });
 * ```
 * @throws MriError `UNSUPPORTED_FORMAT` for another format or architecture, `SHAPE_MISMATCH`
 * when the stored arrays do not fit the configured architecture, `CORRUPT_FILE` for a truncated
 * or non-finite weights blob or float16 arrays in a complete checkpoint, `INVALID_ARGUMENT` for bad `options.config` or one that changes a
 * field outside `RESUMABLE_CONFIG_KEYS`.
 */
export async function loadCheckpoint(
  checkpoint: {
    readonly manifest: CheckpointManifest;
    readonly weights: Uint8Array | ArrayBuffer;
  },
  options: LoadCheckpointOptions = {},
): Promise<DuncanModel> {
  const where = 'loadCheckpoint';
  const o = validateObject(where, 'options', options);
  const {
    config: storedConfig,
    seed,
    generatorStep: gStep,
    discriminatorStep: dStep,
    inference,
    specs,
    stored,
    buffer,
  } = readCheckpointLayout(where, checkpoint);
  const config =
    o.config === undefined ? storedConfig : resumeModelConfig(where, storedConfig, o.config);
  let decoded: tf.NamedTensorMap;
  try {
    decoded = tf.io.decodeWeights(buffer, specs as tf.io.WeightsManifestEntry[]);
  } catch (e) {
    throw corrupt('weights could not be decoded', 'weights', e);
  }
  const model = instantiate(where, config, seed);
  const state = stateOf(where, model);
  try {
    const take = async (name: string): Promise<tf.Tensor> => {
      const t = decoded[name];
      if (t === undefined) throw corrupt(`weights must hold ${name}`, 'weights');
      const values = await t.data();
      for (const x of values)
        if (!Number.isFinite(x))
          throw corrupt(`weights ${name} must be finite, got ${x}`, 'weights');
      return t;
    };
    for (const [name, v] of state.variables) {
      if (!inference || isCorrectorVariable(name)) v.assign(await take(`variable/${name}`));
    }
    state.inferenceOnly = inference;
    for (const [label, adam, step] of inference
      ? []
      : ([
          ['generator', state.adamGenerator, gStep],
          ['discriminator', state.adamDiscriminator, dStep],
        ] as const)) {
      for (const [name, v] of adam.m) v.assign(await take(`adam/${label}/m/${name}`));
      for (const [name, v] of adam.v) v.assign(await take(`adam/${label}/v/${name}`));
      adam.step = step;
    }
    for (const [label, pool] of inference
      ? []
      : ([
          ['F', state.poolF],
          ['A', state.poolA],
        ] as const)) {
      const images: Float32Array[] = [];
      for (let i = 0; stored.has(`pool/${label}/${i}`); i++) {
        const t = await take(`pool/${label}/${i}`);
        if (t.rank !== 4 || t.shape[0] !== 1 || t.shape[3] !== 1)
          throw corrupt(`pool/${label}/${i} must be [1, h, w, 1]`, 'manifest');
        pool.size = [t.shape[1]!, t.shape[2]!];
        images.push(...splitImages(await readFloat32(t), 1));
      }
      if (images.length > pool.capacity)
        throw corrupt(`pool ${label} must hold at most ${pool.capacity} images`, 'manifest');
      pool.images = images;
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(decoded));
  }
  return model;
}
