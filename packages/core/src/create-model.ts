import { createRng, MriError, validateNumber, validateObject } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';
import { createAdamState } from './internal/adam.js';
import { ImagePool } from './internal/image-pool.js';
import { attachState, type ModelState } from './internal/model-state.js';
import { buildNetworks, DISCRIMINATOR_NETWORKS, variableSpecs } from './internal/networks.js';
import { backendProblem, registerWasmKernels } from './internal/wasm-kernels.js';
import { type ModelConfig, type ModelConfigOverrides, resolveModelConfig } from './model-config.js';

/**
 * A DUNCAN model: the weights of its seven networks, both optimisers' state and the image
 * pools. An opaque handle (tensors never leave `@duncan-mri/core`); pass it to `trainStep`,
 * `train`, `correct` and `saveCheckpoint`, and call `dispose()` to free its memory.
 */
export interface DuncanModel {
  /** The complete configuration (saved with every checkpoint). */
  readonly config: ModelConfig;
  /** The seed the weights were initialised with (also seeds the image pools' draws). */
  readonly seed: number;
  /** Training steps (generator updates) applied so far. */
  readonly step: number;
  /** Number of trainable weights, per network, and in total. */
  readonly parameterCount: Readonly<Record<string, number>> & { readonly total: number };
  /** Frees every tensor of the model. Further use throws `MriError`. */
  dispose(): void;
}

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** Seed of the weight initialisation (normal, mean 0, std 0.02; biases 0). Required. */
  readonly seed: number;
}

let modelCounter = 0;

/**
 * Creates a DUNCAN model (Liu et al., "Learning MRI artefact removal with unpaired data",
 * Nature Machine Intelligence 2021) with seeded weights: content encoders A and F, an artefact
 * encoder, decoders F and A, and two PatchGAN discriminators, as the core README's "Architecture"
 * describes. Registers the wasm training kernels (`Conv2DBackpropFilter` and a faster
 * `Conv2DBackpropInput`) on first use, so training works on the wasm backend with no extra
 * call.
 *
 * Needs a ready tfjs backend and registered gradients: import `@tensorflow/tfjs` (or
 * tfjs-node) in the application and `await tf.setBackend(...)` first.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-wasm';
 * await tf.setBackend('wasm');
 * const model = createModel({ channels: 32, residualBlocks: 4 }, { seed: 1 });
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad config or seed, `BACKEND_UNAVAILABLE` when
 * tfjs gradients are not registered.
 */
export function createModel(
  config: ModelConfigOverrides | undefined,
  options: CreateModelOptions,
): DuncanModel {
  const where = 'createModel';
  const resolved = resolveModelConfig(where, config);
  const opts = validateObject(where, 'options', options);
  const seed = validateNumber(where, 'options.seed', opts.seed, {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    integer: true,
  });
  return instantiate(where, resolved, seed);
}

/** Builds a model for a validated config (shared with `loadCheckpoint`). */
export function instantiate(where: string, config: ModelConfig, seed: number): DuncanModel {
  const problem = backendProblem();
  if (problem !== undefined) {
    throw new MriError('BACKEND_UNAVAILABLE', `${where}: ${problem}`);
  }
  registerWasmKernels();
  const id = ++modelCounter;
  const rng = createRng(seed);
  const variables = new Map<string, tf.Variable>();
  for (const spec of variableSpecs(config)) {
    const init = spec.bias
      ? tf.zeros(spec.shape as number[])
      : tf.randomNormal(spec.shape as number[], 0, 0.02, 'float32', rng.nextUint32());
    variables.set(spec.name, tf.variable(init, true, `duncan${id}/${spec.name}`));
    init.dispose();
  }
  const isDiscriminator = (name: string) =>
    DISCRIMINATOR_NETWORKS.some((net) => name.startsWith(`${net}/`));
  const entries = [...variables.entries()];
  const generatorVariables = entries.filter(([name]) => !isDiscriminator(name));
  const discriminatorVariables = entries.filter(([name]) => isDiscriminator(name));
  const lookup = (name: string): tf.Tensor => {
    const v = variables.get(name);
    if (v === undefined) throw new MriError('INTERNAL', `${where}: no weight named ${name}`);
    return v;
  };
  const counts: Record<string, number> = {};
  let total = 0;
  for (const [name, v] of entries) {
    const net = name.slice(0, name.indexOf('/'));
    counts[net] = (counts[net] ?? 0) + v.size;
    total += v.size;
  }
  const state: ModelState = {
    config,
    seed,
    variables,
    generatorVariables,
    discriminatorVariables,
    nets: buildNetworks(config, lookup),
    adamGenerator: createAdamState(generatorVariables, `duncan${id}/adamGenerator`),
    adamDiscriminator: createAdamState(discriminatorVariables, `duncan${id}/adamDiscriminator`),
    poolF: new ImagePool(config.poolSize),
    poolA: new ImagePool(config.poolSize),
    inferenceOnly: false,
    disposed: false,
  };
  const handle: DuncanModel = {
    config,
    seed,
    get step() {
      return state.adamGenerator.step;
    },
    parameterCount: Object.freeze({ ...counts, total }),
    dispose() {
      if (state.disposed) return;
      state.disposed = true;
      for (const v of variables.values()) v.dispose();
      for (const adam of [state.adamGenerator, state.adamDiscriminator]) {
        for (const v of adam.m.values()) v.dispose();
        for (const v of adam.v.values()) v.dispose();
      }
      state.poolF.images = [];
      state.poolA.images = [];
    },
  };
  attachState(handle, state);
  return Object.freeze(handle);
}
