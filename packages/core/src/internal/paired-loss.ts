import * as tf from '@tensorflow/tfjs-core';
import type { PairedLossWeights } from '../model-config.js';
import { reflectionPad } from './layers.js';

/** The paired loss values (`train`'s mode `'paired'`), by name. */
export const PAIRED_TERMS = ['l1', 'ssim', 'total'] as const;
/**
 * One paired loss value's name.
 * @inline
 */
export type PairedTerm = (typeof PAIRED_TERMS)[number];

/** Every key of a paired step's losses (`train` in mode `'paired'`): `l1`, `ssim`, `total`. */
export const PAIRED_LOSS_NAMES: readonly PairedTerm[] = Object.freeze([...PAIRED_TERMS]);

/** SSIM window radius (an 11-tap window), Gaussian sigma and constants (Wang et al. 2004). */
const RADIUS = 5;
const SIGMA = 1.5;
const K1 = 0.01;
const K2 = 0.03;

/** The normalised 11-tap Gaussian (sigma 1.5), as `duncan_torch.gaussian_window`. */
function gaussianWindow(): Float32Array {
  const g = new Float64Array(2 * RADIUS + 1);
  let sum = 0;
  for (let k = 0; k < g.length; k++) {
    const x = k - RADIUS;
    g[k] = Math.exp(-(x * x) / (2 * SIGMA * SIGMA));
    sum += g[k]!;
  }
  return Float32Array.from(g, (v) => v / sum);
}

/**
 * The SSIM map (Wang et al., "Image quality assessment: from error visibility to structural
 * similarity", IEEE TIP 2004) of two NHWC one-channel batches with data range 1: local moments
 * under a separable 11-tap Gaussian window (sigma 1.5, rows then columns) of the images padded by
 * reflection by 5 pixels, so the map has the images' size; K1 = 0.01, K2 = 0.03. Differentiable
 * (the pad has the exact gradient of `reflectionPad`). The images need sides of at least 6.
 */
export function ssimMap(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  const n = x.shape[0];
  const g = gaussianWindow();
  const rows = tf.tensor4d(g, [1, g.length, 1, 1]);
  const cols = tf.tensor4d(g, [g.length, 1, 1, 1]);
  // The five moments' inputs as one batch: a single pair of 1-D convolutions filters them all.
  const stacked = tf.concat([x, y, tf.mul(x, x), tf.mul(y, y), tf.mul(x, y)], 0) as tf.Tensor4D;
  const blurred = tf.conv2d(
    tf.conv2d(reflectionPad(stacked, RADIUS), rows, 1, 'valid'),
    cols,
    1,
    'valid',
  );
  const [mx, my, exx, eyy, exy] = tf.split(blurred, [n, n, n, n, n], 0) as tf.Tensor4D[];
  const c1 = K1 * K1;
  const c2 = K2 * K2;
  const mxy = tf.mul(mx!, my!);
  const mxx = tf.mul(mx!, mx!);
  const myy = tf.mul(my!, my!);
  const sxx = tf.sub(exx!, mxx);
  const syy = tf.sub(eyy!, myy);
  const sxy = tf.sub(exy!, mxy);
  const numerator = tf.mul(tf.add(tf.mul(mxy, 2), c1), tf.add(tf.mul(sxy, 2), c2));
  const denominator = tf.mul(tf.add(tf.add(mxx, myy), c1), tf.add(tf.add(sxx, syy), c2));
  return tf.div(numerator, denominator);
}

/**
 * The per-pixel weights of the paired L1 (1 inside the head mask, `background` outside) and the
 * two normalisers of a whole batch: the sum of those weights and the mask's pixel count (at
 * least 1). A batch whose weights sum to 0 (no head, `background` 0) gets a normaliser of 1, so
 * its L1 is 0 (PyTorch would give NaN).
 */
export function pairedNormalisers(
  mask: tf.Tensor4D,
  background: number,
): { readonly weightSum: tf.Scalar; readonly maskSum: tf.Scalar } {
  return tf.tidy(() => {
    const weightSum = tf.sum(pixelWeights(mask, background));
    return {
      weightSum: tf.where(tf.greater(weightSum, 0), weightSum, tf.onesLike(weightSum)) as tf.Scalar,
      maskSum: tf.maximum(tf.sum(mask), 1),
    };
  });
}

function pixelWeights(mask: tf.Tensor4D, background: number): tf.Tensor4D {
  return tf.add(mask, tf.mul(tf.sub(1, mask), background));
}

/**
 * The shares of a part of a batch (for example one image) in the paired loss of the whole batch,
 * given the whole batch's {@link pairedNormalisers}: `l1` = Σ w·|pred − clean| / Σ_batch w and
 * `ssimMean` = Σ mask·SSIM / Σ_batch mask. Summed over the parts, they give the batch's masked
 * L1 and its mean SSIM inside the mask, so a batch can be differentiated one image at a time.
 */
export function pairedShares(
  pred: tf.Tensor4D,
  clean: tf.Tensor4D,
  mask: tf.Tensor4D,
  background: number,
  normalisers: { readonly weightSum: tf.Scalar; readonly maskSum: tf.Scalar },
): { readonly l1: tf.Scalar; readonly ssimMean: tf.Scalar } {
  const w = pixelWeights(mask, background);
  const l1 = tf.div(tf.sum(tf.mul(w, tf.abs(tf.sub(pred, clean)))), normalisers.weightSum);
  const ssimMean = tf.div(tf.sum(tf.mul(ssimMap(pred, clean), mask)), normalisers.maskSum);
  return { l1: l1 as tf.Scalar, ssimMean: ssimMean as tf.Scalar };
}

/**
 * The paired (simulation-supervised) loss of a batch of corrected images against their clean
 * partners, as `paired_terms` of tools/reference/duncan_torch.py: `l1` = the L1 weighted 1 inside
 * the head mask and `weights.background` outside, normalised by the sum of the weights; `ssim` =
 * 1 − the mean of the SSIM map ({@link ssimMap}) inside the mask; `total` = `weights.l1 · l1 +
 * weights.ssim · ssim`. All three are batch-wide (not per-image) means. `mask` holds 0 and 1.
 * Call it inside `tf.tidy` or `tf.variableGrads`: it returns new tensors and keeps intermediates.
 */
export function pairedTerms(
  pred: tf.Tensor4D,
  clean: tf.Tensor4D,
  mask: tf.Tensor4D,
  weights: PairedLossWeights,
): Readonly<Record<PairedTerm, tf.Scalar>> {
  const normalisers = pairedNormalisers(mask, weights.background);
  const shares = pairedShares(pred, clean, mask, weights.background, normalisers);
  const ssim = tf.sub(1, shares.ssimMean) as tf.Scalar;
  const total = tf.add(tf.mul(shares.l1, weights.l1), tf.mul(ssim, weights.ssim)) as tf.Scalar;
  return { l1: shares.l1, ssim, total };
}
