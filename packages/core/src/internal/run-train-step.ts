import { createRng } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';
import { adamUpdate } from './adam.js';
import {
  discriminatorLoss,
  GENERATOR_TERMS,
  type GeneratorTerm,
  generatorLosses,
} from './losses.js';
import type { ModelState } from './model-state.js';
import { imagesToTensor, readFloat32 } from './volume-tensor.js';

/** The loss values of one training step, by the names of the issue. */
export type LossValues = Readonly<Record<GeneratorTerm | 'discriminator', number>>;

function gradsByName(
  variables: ReadonlyArray<readonly [string, tf.Variable]>,
  grads: tf.NamedTensorMap,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, v] of variables) {
    const g = grads[v.name];
    if (g !== undefined) out.set(name, g);
  }
  return out;
}

/**
 * One DUNCAN training step on normalised NHWC batches: a generator update (all six terms,
 * generator variables only), then a discriminator update (LSGAN, real images against fakes drawn
 * through the image pools, discriminator variables only). Disposes nothing it was given.
 */
export async function runTrainStep(
  state: ModelState,
  xa: tf.Tensor4D,
  xf: tf.Tensor4D,
  learningRate: number,
): Promise<LossValues> {
  const { config, nets } = state;
  const settings = {
    learningRate,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
  };
  // The pools' draws depend only on the seed and the step, so a resumed run draws the same.
  const rng = createRng((state.seed + state.adamGenerator.step * 0x9e3779b1) % 2 ** 52);
  // The generator gradient is accumulated one image pair at a time: instance normalisation
  // and every loss term are per-image means, so this equals the batch gradient (up to float
  // rounding) while holding a single pair's activations (a C = 32, batch 4, 128x128 step does
  // not fit the wasm backend's 4 GB heap otherwise).
  const [n, h, w] = xa.shape;
  const sums = new Map<string, tf.Tensor>();
  const termSums = new Float64Array(GENERATOR_TERMS.length);
  const fakesF: Float32Array[] = [];
  const fakesA: Float32Array[] = [];
  try {
    for (let i = 0; i < n; i++) {
      let kept:
        | { terms: Record<GeneratorTerm, tf.Scalar>; fakeF: tf.Tensor4D; fakeA: tf.Tensor4D }
        | undefined;
      const generator = tf.variableGrads(
        () => {
          const a = tf.slice(xa, [i, 0, 0, 0], [1, h, w, 1]);
          const f = tf.slice(xf, [i, 0, 0, 0], [1, h, w, 1]);
          const r = generatorLosses(nets, a, f, config.lossWeights);
          kept = {
            terms: Object.fromEntries(
              GENERATOR_TERMS.map((t) => [t, tf.keep(r.terms[t])]),
            ) as Record<GeneratorTerm, tf.Scalar>,
            fakeF: tf.keep(r.fakeF),
            fakeA: tf.keep(r.fakeA),
          };
          return n === 1 ? r.total : tf.div(r.total, n);
        },
        state.generatorVariables.map(([, v]) => v),
      );
      for (const [name, v] of state.generatorVariables) {
        const g = generator.grads[v.name];
        if (g === undefined) continue;
        const previous = sums.get(name);
        if (previous === undefined) {
          sums.set(name, g);
        } else {
          sums.set(name, tf.add(previous, g));
          tf.dispose([previous, g]);
        }
      }
      generator.value.dispose();
      if (kept === undefined) throw new Error('runTrainStep: the generator loss did not run');
      const k = kept as {
        terms: Record<GeneratorTerm, tf.Scalar>;
        fakeF: tf.Tensor4D;
        fakeA: tf.Tensor4D;
      };
      fakesF.push(await readFloat32(k.fakeF));
      fakesA.push(await readFloat32(k.fakeA));
      for (const [j, t] of GENERATOR_TERMS.entries()) {
        termSums[j] = termSums[j]! + (await readFloat32(k.terms[t]))[0]! / n;
      }
      tf.dispose([k.fakeF, k.fakeA, ...Object.values(k.terms)]);
    }
    adamUpdate(state.adamGenerator, state.generatorVariables, sums, settings);
  } finally {
    tf.dispose([...sums.values()]);
  }
  const poolF = imagesToTensor(state.poolF.query(fakesF, h, w, rng), h, w);
  const poolA = imagesToTensor(state.poolA.query(fakesA, h, w, rng), h, w);
  const discriminator = tf.variableGrads(
    () =>
      tf.add(
        discriminatorLoss(nets.discriminatorF, xf, poolF),
        discriminatorLoss(nets.discriminatorA, xa, poolA),
      ),
    state.discriminatorVariables.map(([, v]) => v),
  );
  adamUpdate(
    state.adamDiscriminator,
    state.discriminatorVariables,
    gradsByName(state.discriminatorVariables, discriminator.grads),
    settings,
  );
  const dValue = (await readFloat32(discriminator.value))[0]!;
  tf.dispose([poolF, poolA, discriminator.value, ...Object.values(discriminator.grads)]);
  const losses = Object.fromEntries(GENERATOR_TERMS.map((t, i) => [t, termSums[i]!])) as Record<
    GeneratorTerm,
    number
  >;
  return Object.freeze({ ...losses, discriminator: dValue });
}
