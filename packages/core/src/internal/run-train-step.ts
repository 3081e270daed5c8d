import { createRng } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';
import { GENERATOR_TERMS, type GeneratorTerm } from '../model-config.js';
import { accumulateGradients, adamUpdate } from './adam.js';
import { adversarialOptions, discriminatorLoss, generatorLosses } from './losses.js';
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
 * An extra generator loss added to the six terms, one image of the batch at a time (the
 * semi-supervised mode adds the paired loss of the corrected image). For image `i` it gets the
 * corrected image `fakeF` (x̂_f) and returns that image's share of the (weighted) extra loss, and
 * values to report; the step sums both over the batch (they are not divided by the batch size).
 */
export type GeneratorExtra = (
  i: number,
  fakeF: tf.Tensor4D,
) => { readonly loss: tf.Scalar; readonly report: Readonly<Record<string, tf.Scalar>> };

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
  return (await runAdversarialStep(state, xa, xf, learningRate, undefined)).losses;
}

/**
 * {@link runTrainStep} with an optional {@link GeneratorExtra} in the generator's objective;
 * without one it is exactly `runTrainStep`. Resolves to the losses and the extra's reported
 * values, summed over the batch.
 */
export async function runAdversarialStep(
  state: ModelState,
  xa: tf.Tensor4D,
  xf: tf.Tensor4D,
  learningRate: number,
  extra: GeneratorExtra | undefined,
): Promise<{ losses: LossValues; extra: Readonly<Record<string, number>> }> {
  const { config, nets } = state;
  const settings = {
    learningRate,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
  };
  const adversarial = adversarialOptions(config);
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
  const extraSums: Record<string, number> = {};
  try {
    for (let i = 0; i < n; i++) {
      let kept: Kept | undefined;
      const generator = tf.variableGrads(
        () => {
          const a = tf.slice(xa, [i, 0, 0, 0], [1, h, w, 1]);
          const f = tf.slice(xf, [i, 0, 0, 0], [1, h, w, 1]);
          const r = generatorLosses(nets, a, f, config.lossWeights, adversarial);
          const more = extra?.(i, r.fakeF);
          kept = {
            terms: Object.fromEntries(
              GENERATOR_TERMS.map((t) => [t, tf.keep(r.terms[t])]),
            ) as Record<GeneratorTerm, tf.Scalar>,
            fakeF: tf.keep(r.fakeF),
            fakeA: tf.keep(r.fakeA),
            report: Object.fromEntries(
              Object.entries(more?.report ?? {}).map(([k, v]) => [k, tf.keep(v)]),
            ),
          };
          const total: tf.Scalar = n === 1 ? r.total : tf.div(r.total, n);
          return more === undefined ? total : (tf.add(total, more.loss) as tf.Scalar);
        },
        state.generatorVariables.map(([, v]) => v),
      );
      accumulateGradients(sums, state.generatorVariables, generator.grads);
      generator.value.dispose();
      if (kept === undefined) throw new Error('runTrainStep: the generator loss did not run');
      const k = kept as Kept;
      fakesF.push(await readFloat32(k.fakeF));
      fakesA.push(await readFloat32(k.fakeA));
      for (const [j, t] of GENERATOR_TERMS.entries()) {
        termSums[j] = termSums[j]! + (await readFloat32(k.terms[t]))[0]! / n;
      }
      for (const [name, t] of Object.entries(k.report)) {
        extraSums[name] = (extraSums[name] ?? 0) + (await readFloat32(t))[0]!;
      }
      tf.dispose([k.fakeF, k.fakeA, ...Object.values(k.terms), ...Object.values(k.report)]);
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
        discriminatorLoss(nets.discriminatorF, xf, poolF, adversarial),
        discriminatorLoss(nets.discriminatorA, xa, poolA, adversarial),
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
  return {
    losses: Object.freeze({ ...losses, discriminator: dValue }),
    extra: Object.freeze(extraSums),
  };
}

interface Kept {
  terms: Record<GeneratorTerm, tf.Scalar>;
  fakeF: tf.Tensor4D;
  fakeA: tf.Tensor4D;
  report: Record<string, tf.Scalar>;
}
