import { invalidArgument } from '@duncan-mri/volume';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../model-config.js';
import type { AdamState } from './adam.js';
import type { ImagePool } from './image-pool.js';
import type { Networks } from './networks.js';

/** Everything behind a public model handle. */
export interface ModelState {
  readonly config: ModelConfig;
  readonly seed: number;
  /** Stable name -> variable, in the order of `variableSpecs`. */
  readonly variables: Map<string, tf.Variable>;
  readonly generatorVariables: ReadonlyArray<readonly [string, tf.Variable]>;
  readonly discriminatorVariables: ReadonlyArray<readonly [string, tf.Variable]>;
  readonly nets: Networks;
  readonly adamGenerator: AdamState;
  readonly adamDiscriminator: AdamState;
  readonly poolF: ImagePool;
  readonly poolA: ImagePool;
  /**
   * Loaded from an inference checkpoint: only the corrector path (content encoder A and decoder
   * F) holds trained weights; the model corrects but cannot train or be saved for training.
   */
  inferenceOnly: boolean;
  disposed: boolean;
}

/** The networks of the corrector path, the only ones an inference checkpoint stores. */
export const CORRECTOR_NETWORKS = ['contentEncoderA', 'decoderF'] as const;

/** True for a variable name (`<network>/<layer>/<w|b>`) of the corrector path. */
export function isCorrectorVariable(name: string): boolean {
  return (CORRECTOR_NETWORKS as readonly string[]).includes(name.split('/')[0]!);
}

/** Refuses a model loaded from an inference checkpoint where training state is needed. */
export function requireTrainingState(where: string, state: ModelState): void {
  if (state.inferenceOnly) {
    invalidArgument(where, 'model', 'must hold training state', undefined, {
      got: 'a model loaded from an inference checkpoint (corrector weights only); resume from the training checkpoint instead',
    });
  }
}

const STATES = new WeakMap<object, ModelState>();

/** Associates the internal state with its public handle. */
export function attachState(handle: object, state: ModelState): void {
  STATES.set(handle, state);
}

/** The state of a live model; `INVALID_ARGUMENT` for anything else or a disposed model. */
export function stateOf(where: string, model: unknown): ModelState {
  const state = typeof model === 'object' && model !== null ? STATES.get(model) : undefined;
  if (state === undefined) {
    invalidArgument(where, 'model', 'must be a model from createModel or loadCheckpoint', model);
  }
  if (state.disposed) {
    invalidArgument(where, 'model', 'must not be disposed', undefined, { got: 'a disposed model' });
  }
  return state;
}
