import * as tf from '@tensorflow/tfjs-core';
import { GENERATOR_TERMS, type GeneratorTerm, type LossWeights } from '../model-config.js';
import type { Features, Networks } from './networks.js';

/** Mean absolute difference. */
export function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(a, b)));
}

/** Sum over scales of the mean absolute difference of two multi-scale feature sets. */
export function featureL1(a: Features, b: Features): tf.Scalar {
  return tf.addN([l1(a[0], b[0]), l1(a[1], b[1]), l1(a[2], b[2])]) as tf.Scalar;
}

/** Least-squares GAN loss (Mao et al. 2017): mean of (prediction - target)^2. */
export function lsgan(prediction: tf.Tensor, target: 0 | 1): tf.Scalar {
  return tf.mean(tf.square(tf.sub(prediction, target)));
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
): GeneratorLosses {
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
    adversarial: tf.add(lsgan(nets.discriminatorF(fakeF), 1), lsgan(nets.discriminatorA(fakeA), 1)),
    cycle: tf.add(l1(cycleA, xa), l1(cycleF, xf)),
    reconstruction: tf.add(l1(recA, xa), l1(recF, xf)),
    contentConsistency: tf.add(featureL1(ca, cFakeF), featureL1(cf, cFakeA)),
    artefactConsistency: featureL1(aFakeA, a),
    identity: l1(identityF, xf),
  };
  const total = tf.addN(GENERATOR_TERMS.map((t) => tf.mul(terms[t], weights[t]))) as tf.Scalar;
  return { terms, total, fakeF, fakeA };
}

/** LSGAN discriminator loss: `0.5 * (mean((D(real) - 1)^2) + mean(D(fake)^2))`. */
export function discriminatorLoss(
  discriminator: (x: tf.Tensor4D) => tf.Tensor4D,
  real: tf.Tensor4D,
  fake: tf.Tensor4D,
): tf.Scalar {
  return tf.mul(tf.add(lsgan(discriminator(real), 1), lsgan(discriminator(fake), 0)), 0.5);
}
