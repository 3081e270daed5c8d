import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../model-config.js';
import type { ModelState } from './model-state.js';
import { pairedNormalisers, pairedShares } from './paired-loss.js';
import { type LossValues, runAdversarialStep } from './run-train-step.js';

/** The semi-supervised paired loss values, by name. */
export const SEMI_PAIRED_TERMS = ['pairedL1', 'pairedSsim', 'paired'] as const;

/**
 * Every key of a semi-supervised step's losses (`train` in mode `'semi'`): those of
 * `LOSS_NAMES`, then `pairedL1`, `pairedSsim` and `paired`.
 */
export const SEMI_LOSS_NAMES: readonly (keyof SemiLossValues)[] = Object.freeze([
  ...LOSS_NAMES,
  ...SEMI_PAIRED_TERMS,
]);

/**
 * The loss values of one semi-supervised step: the six generator terms and the discriminator's
 * (as `runTrainStep`), and the paired loss of the corrected images: `pairedL1`, `pairedSsim`
 * (1 − mean SSIM in the mask) and `paired` (their weighted sum, before `pairedWeight`).
 * @inline
 */
export type SemiLossValues = LossValues &
  Readonly<Record<(typeof SEMI_PAIRED_TERMS)[number], number>>;

/**
 * One semi-supervised DUNCAN step: the unpaired step of `runTrainStep` on corrupted images `xa`
 * and unrelated clean images `xf` (all six generator terms, then the discriminator update), with
 * `pairedWeight` × the paired loss (`pairedTerms`) of the corrected images
 * `translateF(contentEncoderA(xa), xa)` against `clean`, the clean partners of `xa`, inside
 * their head masks `mask` (0/1), added to the generator's objective. The paired loss is
 * normalised over the whole batch, as in mode `'paired'`. Disposes nothing it was given.
 */
export async function runSemiStep(
  state: ModelState,
  xa: tf.Tensor4D,
  xf: tf.Tensor4D,
  clean: tf.Tensor4D,
  mask: tf.Tensor4D,
  pairedWeight: number,
  learningRate: number,
): Promise<SemiLossValues> {
  const weights = state.config.pairedLossWeights;
  const [, h, w] = xa.shape;
  const normalisers = pairedNormalisers(mask, weights.background);
  try {
    const { losses, extra } = await runAdversarialStep(state, xa, xf, learningRate, (i, fakeF) => {
      const at = (t: tf.Tensor4D) => tf.slice(t, [i, 0, 0, 0], [1, h, w, 1]);
      const shares = pairedShares(fakeF, at(clean), at(mask), weights.background, normalisers);
      // The constant `weights.ssim` of `ssim = 1 - mean SSIM` has no gradient.
      const share = tf.sub(tf.mul(shares.l1, weights.l1), tf.mul(shares.ssimMean, weights.ssim));
      return {
        loss: tf.mul(share, pairedWeight) as tf.Scalar,
        report: { l1: shares.l1, ssimMean: shares.ssimMean },
      };
    });
    const pairedL1 = extra.l1 ?? 0;
    const pairedSsim = 1 - (extra.ssimMean ?? 0);
    return Object.freeze({
      ...losses,
      pairedL1,
      pairedSsim,
      paired: weights.l1 * pairedL1 + weights.ssim * pairedSsim,
    });
  } finally {
    tf.dispose([normalisers.weightSum, normalisers.maskSum]);
  }
}
