import * as tf from '@tensorflow/tfjs-core';
import { accumulateGradients, adamUpdate } from './adam.js';
import { isCorrectorVariable, type ModelState } from './model-state.js';
import { type PairedTerm, pairedNormalisers, pairedShares } from './paired-loss.js';
import { readFloat32 } from './volume-tensor.js';

/** The loss values of one paired step: `l1`, `ssim` (1 − mean SSIM in the mask) and `total`. */
export type PairedLossValues = Readonly<Record<PairedTerm, number>>;

/**
 * One simulation-supervised step on normalised NHWC batches of corrupted images, their clean
 * partners and head masks (0/1): the corrector's output `translateF(contentEncoderA(x_a), x_a)`
 * against the clean images by the paired loss (`pairedTerms`), then one Adam update of the
 * generator optimiser, in which only contentEncoderA and decoderF have gradients (as `train_paired`
 * of tools/reference/train_default_model.py: the other generator variables keep their weights
 * and moments, the step count advances). The discriminators and the image pools are untouched.
 *
 * The gradient is accumulated one image at a time, each image contributing its share of the
 * batch-normalised loss (`pairedShares` with the whole batch's normalisers), so the result equals
 * the batch gradient up to float rounding while holding one image's activations.
 * Disposes nothing it was given.
 */
export async function runPairedStep(
  state: ModelState,
  xa: tf.Tensor4D,
  clean: tf.Tensor4D,
  mask: tf.Tensor4D,
  learningRate: number,
): Promise<PairedLossValues> {
  const { config, nets } = state;
  const weights = config.pairedLossWeights;
  const variables = state.generatorVariables.filter(([name]) => isCorrectorVariable(name));
  const [n, h, w] = xa.shape;
  const normalisers = pairedNormalisers(mask, weights.background);
  const sums = new Map<string, tf.Tensor>();
  let l1 = 0;
  let ssimMean = 0;
  try {
    for (let i = 0; i < n; i++) {
      let kept: { l1: tf.Scalar; ssimMean: tf.Scalar } | undefined;
      const step = tf.variableGrads(
        () => {
          const at = (t: tf.Tensor4D) => tf.slice(t, [i, 0, 0, 0], [1, h, w, 1]);
          const a = at(xa);
          const pred = nets.translateF(nets.contentEncoderA(a), a);
          const shares = pairedShares(pred, at(clean), at(mask), weights.background, normalisers);
          kept = { l1: tf.keep(shares.l1), ssimMean: tf.keep(shares.ssimMean) };
          // The constant `weights.ssim` of `ssim = 1 - mean SSIM` has no gradient.
          return tf.sub(
            tf.mul(shares.l1, weights.l1),
            tf.mul(shares.ssimMean, weights.ssim),
          ) as tf.Scalar;
        },
        variables.map(([, v]) => v),
      );
      accumulateGradients(sums, variables, step.grads);
      step.value.dispose();
      if (kept === undefined) throw new Error('runPairedStep: the paired loss did not run');
      const k = kept as { l1: tf.Scalar; ssimMean: tf.Scalar };
      l1 += (await readFloat32(k.l1))[0]!;
      ssimMean += (await readFloat32(k.ssimMean))[0]!;
      tf.dispose([k.l1, k.ssimMean]);
    }
    adamUpdate(state.adamGenerator, state.generatorVariables, sums, {
      learningRate,
      beta1: config.beta1,
      beta2: config.beta2,
      epsilon: config.epsilon,
    });
  } finally {
    tf.dispose([...sums.values(), normalisers.weightSum, normalisers.maskSum]);
  }
  const ssim = 1 - ssimMean;
  return Object.freeze({ l1, ssim, total: weights.l1 * l1 + weights.ssim * ssim });
}
