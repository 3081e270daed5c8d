import * as tf from '@tensorflow/tfjs-core';
import {
  GENERATOR_TERMS,
  type GeneratorTerm,
  type LossWeights,
  type ModelConfig,
} from '../model-config.js';
import type { Features, Networks } from './networks.js';

/** Mean absolute difference. */
export function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(a, b)));
}

/** Sum over scales of the mean absolute difference of two multi-scale feature sets. */
export function featureL1(a: Features, b: Features): tf.Scalar {
  return tf.addN([l1(a[0], b[0]), l1(a[1], b[1]), l1(a[2], b[2])]) as tf.Scalar;
}

/**
 * Least-squares GAN loss (Mao et al. 2017): mean of (prediction - target)^2. With `weights` (one
 * per patch of the prediction, see {@link headWeights}), each image's weighted mean over its
 * patches, then the mean over the batch; an image with no weight (no head) adds 0.
 */
export function lsgan(prediction: tf.Tensor4D, target: 0 | 1, weights?: tf.Tensor4D): tf.Scalar {
  if (weights === undefined) return tf.mean(tf.square(tf.sub(prediction, target)));
  return tf.tidy(() => {
    if (weights.shape.some((n, i) => n !== prediction.shape[i])) {
      throw new Error(
        `lsgan: patch weights ${weights.shape.join('x')} do not match the discriminator's output ${prediction.shape.join('x')}`,
      );
    }
    const sq = tf.square(tf.sub(prediction, target));
    const perImage = tf.div(
      tf.sum(tf.mul(weights, sq), [1, 2, 3]),
      tf.maximum(tf.sum(weights, [1, 2, 3]), 1e-6),
    );
    return tf.mean(perImage) as tf.Scalar;
  });
}

/**
 * How much head each patch of a PatchGAN discriminator's output judges, for images `x` (NHWC,
 * normalised): the share of head pixels (`x > threshold`) in the 24x24 pixels at the centre of the
 * patch's receptive field (3x3 cells of the discriminator's 8-pixel output stride; the output of
 * an HxW image is floor(H/8) - 2 by floor(W/8) - 2). Weighting the LSGAN terms by it makes the
 * discriminators judge the head, not the air around it (`config.headMaskedDiscriminators`).
 */
export function headWeights(x: tf.Tensor4D, threshold: number): tf.Tensor4D {
  return tf.tidy(() => {
    const head = tf.cast(tf.greater(x, threshold), 'float32') as tf.Tensor4D;
    return tf.avgPool(tf.avgPool(head, 8, 8, 'valid'), 3, 1, 'valid');
  });
}

/** Options of the adversarial terms: head-weighted patches (see {@link headWeights}) or all patches. */
export interface AdversarialOptions {
  readonly headMasked: boolean;
  /** The head threshold of {@link headWeights} (`config.foregroundThreshold`). */
  readonly threshold: number;
}

/** The adversarial options of a model's config (`headMaskedDiscriminators`, `foregroundThreshold`). */
export function adversarialOptions(config: ModelConfig): AdversarialOptions {
  return { headMasked: config.headMaskedDiscriminators, threshold: config.foregroundThreshold };
}

/** The generator terms (unweighted), their weighted sum, and the two fakes. */
export interface GeneratorLosses {
  readonly terms: Record<GeneratorTerm, tf.Scalar>;
  readonly total: tf.Scalar;
  /** x̂_f = decoderF(contentEncoderA(x_a)) (+ x_a when residual): the corrected images. */
  readonly fakeF: tf.Tensor4D;
  /** x̂_a = decoderA(contentEncoderF(x_f), artefactEncoder(x_a)) (+ x_f when residual): artefact transplanted. */
  readonly fakeA: tf.Tensor4D;
}

/**
 * The translations of one DUNCAN training step and the six generator loss terms
 * (the core README's "Architecture"): adversarial (LSGAN, generator side), cycle, self-reconstruction,
 * multi-scale content consistency, artefact consistency and identity.
 */
export function generatorLosses(
  nets: Networks,
  xa: tf.Tensor4D,
  xf: tf.Tensor4D,
  weights: LossWeights,
  adversarialOptions?: AdversarialOptions,
): GeneratorLosses {
  // A fake shares the head of the image it was translated from (x̂_f of x_a, x̂_a of x_f); the
  // weights come from those inputs, which carry no gradient.
  const masked = adversarialOptions?.headMasked === true;
  const wa = masked ? headWeights(xa, adversarialOptions.threshold) : undefined;
  const wf = masked ? headWeights(xf, adversarialOptions.threshold) : undefined;
  const ca = nets.contentEncoderA(xa);
  const a = nets.artefactEncoder(xa);
  const cf = nets.contentEncoderF(xf);
  const fakeF = nets.translateF(ca, xa);
  const fakeA = nets.translateA(cf, a, xf);
  const cFakeF = nets.contentEncoderF(fakeF);
  const cFakeA = nets.contentEncoderA(fakeA);
  const cycleA = nets.translateA(cFakeF, a, fakeF);
  const cycleF = nets.translateF(cFakeA, fakeA);
  const recA = nets.translateA(ca, a, xa);
  const recF = nets.translateF(cf, xf);
  const aFakeA = nets.artefactEncoder(fakeA);
  const identityF = nets.translateF(nets.contentEncoderA(xf), xf);
  const terms: Record<GeneratorTerm, tf.Scalar> = {
    adversarial: tf.add(
      lsgan(nets.discriminatorF(fakeF), 1, wa),
      lsgan(nets.discriminatorA(fakeA), 1, wf),
    ),
    cycle: tf.add(l1(cycleA, xa), l1(cycleF, xf)),
    reconstruction: tf.add(l1(recA, xa), l1(recF, xf)),
    contentConsistency: tf.add(featureL1(ca, cFakeF), featureL1(cf, cFakeA)),
    artefactConsistency: featureL1(aFakeA, a),
    identity: l1(identityF, xf),
  };
  const total = tf.addN(GENERATOR_TERMS.map((t) => tf.mul(terms[t], weights[t]))) as tf.Scalar;
  if (wa !== undefined && wf !== undefined) tf.dispose([wa, wf]);
  return { terms, total, fakeF, fakeA };
}

/**
 * LSGAN discriminator loss: `0.5 * (mean((D(real) - 1)^2) + mean(D(fake)^2))`, each mean
 * head-weighted (by the image's own head) when `options.headMasked`.
 */
export function discriminatorLoss(
  discriminator: (x: tf.Tensor4D) => tf.Tensor4D,
  real: tf.Tensor4D,
  fake: tf.Tensor4D,
  options?: AdversarialOptions,
): tf.Scalar {
  return tf.tidy(() => {
    const w = (x: tf.Tensor4D) =>
      options?.headMasked === true ? headWeights(x, options.threshold) : undefined;
    return tf.mul(
      tf.add(lsgan(discriminator(real), 1, w(real)), lsgan(discriminator(fake), 0, w(fake))),
      0.5,
    ) as tf.Scalar;
  });
}
