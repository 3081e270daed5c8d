import {
  invalidArgument,
  validateBoolean,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';

/** The six generator loss terms, by the names of `onProgress`'s `losses`. */
export const GENERATOR_TERMS = [
  'adversarial',
  'cycle',
  'reconstruction',
  'contentConsistency',
  'artefactConsistency',
  'identity',
] as const;
/**
 * One generator loss term's name.
 * @inline
 */
export type GeneratorTerm = (typeof GENERATOR_TERMS)[number];

/** Every key of a step's losses (`trainStep`, `onProgress`): the six terms and `discriminator`. */
export const LOSS_NAMES: readonly (GeneratorTerm | 'discriminator')[] = Object.freeze([
  ...GENERATOR_TERMS,
  'discriminator',
]);

/**
 * The weights of the six generator loss terms (Liu et al., "Learning MRI artefact removal with
 * unpaired data", Nature Machine Intelligence 2021; the weights are this project's defaults).
 */
export interface LossWeights {
  /** Least-squares GAN loss of the corrected (A -> F) and artefact-transplanted (F -> A) fakes. Default 1. */
  readonly adversarial: number;
  /** L1 of the cycles A -> F -> A and F -> A -> F. Default 10. */
  readonly cycle: number;
  /** L1 of the self-reconstructions `decoderA(c_a, a) ≈ x_a`, `decoderF(c_f) ≈ x_f`. Default 10. */
  readonly reconstruction: number;
  /** L1 between content features of an image and of its translation, at every scale. Default 5. */
  readonly contentConsistency: number;
  /** L1 between the artefact code of the transplanted fake and the code it was given. Default 1. */
  readonly artefactConsistency: number;
  /** L1 of `decoderF(contentEncoderA(x_f)) ≈ x_f` (a clean image passes unchanged). Default 5. */
  readonly identity: number;
}

/**
 * The weights of the paired (simulation-supervised) loss of `train(..., { mode: 'paired' })` and
 * of the paired term of `'semi'`: `l1 * L1 + ssim * (1 - SSIM)`, where L1 weighs the pixels of
 * the head mask 1 and the others `background`, and SSIM is the mean SSIM map (Wang et al. 2004,
 * Gaussian window 11, sigma 1.5) inside the head mask.
 */
export interface PairedLossWeights {
  /** Weight of the masked L1. Default 1. */
  readonly l1: number;
  /** Weight of 1 - SSIM inside the head. Default 1. */
  readonly ssim: number;
  /** Weight of a background pixel in the L1, relative to a head pixel. Default 0.1. */
  readonly background: number;
}

/**
 * Every number of the DUNCAN network, its training and its data handling. It is saved with every
 * checkpoint; a checkpoint only loads into the architecture its config describes.
 */
export interface ModelConfig {
  /** C: channels of the full-scale features; 2C at 1/2 and 4C at 1/4 scale. Default 32. */
  readonly channels: number;
  /** R: residual blocks at 1/4 scale in each content encoder. Default 4. */
  readonly residualBlocks: number;
  /**
   * Decoder F also fuses the content features at 1/2 and full scale (concat + 1x1 convolution,
   * like decoder A's artefact fusion), so fine anatomy need not pass through the 1/4-scale code.
   * Default false (the core README's "Architecture").
   */
  readonly contentSkips: boolean;
  /**
   * Residual translations: each decoder renders a correction that is added to the image its
   * content came from (`x̂_f = x_a + decoderF(c_a)`, `x̂_a = x_f + decoderA(c_f, a)`), so a
   * clean image passes unchanged when the decoders output zero. Default true (a deviation from
   * the core README's "Architecture", where decoders render whole images: see the package README).
   */
  readonly residual: boolean;
  /**
   * Decoder F's last upsampling block is InstanceNorm + ReLU (true, the core README's "Architecture")
   * or convolution + bias + ReLU (false). Normalised features cannot all be zero, so with true a
   * residual corrector cannot render an exact "no change" and shifts clean images slightly.
   * Default false; checkpoints written before this field existed load as true.
   */
  readonly outputNorm: boolean;
  /** Side of the square training crops, in pixels: a multiple of 4, at least 32. Default 128. */
  readonly cropSize: number;
  /** Weights of the generator loss terms. */
  readonly lossWeights: LossWeights;
  /** Weights of the paired loss (modes `'paired'` and `'semi'`). */
  readonly pairedLossWeights: PairedLossWeights;
  /** Adam learning rate. Default 1e-4. */
  readonly learningRate: number;
  /** Adam beta1. Default 0.5. */
  readonly beta1: number;
  /** Adam beta2. Default 0.999. */
  readonly beta2: number;
  /** Adam epsilon. Default 1e-8. */
  readonly epsilon: number;
  /** The fraction of a training run after which the learning rate decays linearly to 0. Default 0.5. */
  readonly decayStart: number;
  /** Past fakes kept for each discriminator (CycleGAN's image pool); 0 disables it. Default 50. */
  readonly poolSize: number;
  /** Intensity percentile mapped to 0, per volume. Default 0.5. */
  readonly lowPercentile: number;
  /** Intensity percentile mapped to 1, per volume. Default 99.5. */
  readonly highPercentile: number;
  /** A pixel is foreground when its normalised intensity exceeds this. Default 0.05. */
  readonly foregroundThreshold: number;
  /** Training skips slices with a smaller fraction of foreground pixels. Default 0.15. */
  readonly minForegroundFraction: number;
  /** Random horizontal and vertical flips of training crops. Default true. */
  readonly flips: boolean;
  /**
   * The adversarial terms (generator and discriminators) weigh each patch of the discriminator's
   * output by the share of head (`foregroundThreshold`) at its centre, so the discriminators judge
   * the head, not the air around it (modes `'unpaired'` and `'semi'`). Default false; checkpoints
   * written before this field existed load as false.
   */
  readonly headMaskedDiscriminators: boolean;
}

/** A {@link ModelConfig} with any field left out (defaults fill it), loss weights included. */
export type ModelConfigOverrides = Partial<
  Omit<ModelConfig, 'lossWeights' | 'pairedLossWeights'>
> & {
  readonly lossWeights?: Partial<LossWeights>;
  readonly pairedLossWeights?: Partial<PairedLossWeights>;
};

/**
 * The defaults of the core README's "Architecture": C = 32, R = 4, 128x128 crops, loss weights
 * 1/10/10/5/1/5, Adam (1e-4, 0.5, 0.999) with linear decay over the second half, pools of 50.
 *
 * @example
 * ```ts
 * const model = createModel({ ...defaultModelConfig, channels: 64, residualBlocks: 9 }, { seed: 1 });
 * ```
 */
export const defaultModelConfig: ModelConfig = Object.freeze({
  channels: 32,
  residualBlocks: 4,
  contentSkips: false,
  residual: true,
  outputNorm: false,
  cropSize: 128,
  lossWeights: Object.freeze({
    adversarial: 1,
    cycle: 10,
    reconstruction: 10,
    contentConsistency: 5,
    artefactConsistency: 1,
    identity: 5,
  }),
  pairedLossWeights: Object.freeze({ l1: 1, ssim: 1, background: 0.1 }),
  learningRate: 1e-4,
  beta1: 0.5,
  beta2: 0.999,
  epsilon: 1e-8,
  decayStart: 0.5,
  poolSize: 50,
  lowPercentile: 0.5,
  highPercentile: 99.5,
  foregroundThreshold: 0.05,
  minForegroundFraction: 0.15,
  flips: true,
  headMaskedDiscriminators: false,
});

/** Validates overrides and fills defaults; the result is frozen. Unknown keys are rejected. */
export function resolveModelConfig(where: string, value: unknown): ModelConfig {
  const o = validateObject(where, 'config', value, true);
  const d = defaultModelConfig;
  for (const key of Object.keys(o)) {
    if (!(key in d)) invalidArgument(where, `config.${key}`, 'is not a ModelConfig field', o[key]);
  }
  const lw = validateObject(where, 'config.lossWeights', o.lossWeights, true);
  const lossWeights = {} as Record<GeneratorTerm, number>;
  for (const key of Object.keys(lw)) {
    if (!(GENERATOR_TERMS as readonly string[]).includes(key)) {
      invalidArgument(where, `config.lossWeights.${key}`, 'is not a loss term', lw[key]);
    }
  }
  for (const name of GENERATOR_TERMS) {
    lossWeights[name] = validateNumber(
      where,
      `config.lossWeights.${name}`,
      lw[name],
      { min: 0 },
      d.lossWeights[name],
    );
  }
  const pw = validateObject(where, 'config.pairedLossWeights', o.pairedLossWeights, true);
  for (const key of Object.keys(pw)) {
    if (!(key in d.pairedLossWeights)) {
      invalidArgument(
        where,
        `config.pairedLossWeights.${key}`,
        'is not a paired loss weight',
        pw[key],
      );
    }
  }
  const pairedLossWeights = Object.freeze({
    l1: validateNumber(where, 'config.pairedLossWeights.l1', pw.l1, { min: 0 }, 1),
    ssim: validateNumber(where, 'config.pairedLossWeights.ssim', pw.ssim, { min: 0 }, 1),
    background: validateNumber(
      where,
      'config.pairedLossWeights.background',
      pw.background,
      { min: 0, max: 1 },
      0.1,
    ),
  });
  const n = (key: keyof ModelConfig, rule: Parameters<typeof validateNumber>[3]): number =>
    validateNumber(where, `config.${key}`, o[key], rule, d[key] as number);
  const cropSize = n('cropSize', { min: 32, integer: true });
  if (cropSize % 4 !== 0)
    invalidArgument(where, 'config.cropSize', 'must be a multiple of 4', cropSize);
  const lowPercentile = n('lowPercentile', { min: 0, max: 100 });
  const highPercentile = n('highPercentile', { min: lowPercentile, max: 100, minExclusive: true });
  return Object.freeze({
    channels: n('channels', { min: 1, max: 1024, integer: true }),
    residualBlocks: n('residualBlocks', { min: 0, max: 64, integer: true }),
    contentSkips: validateBoolean(where, 'config.contentSkips', o.contentSkips, d.contentSkips),
    residual: validateBoolean(where, 'config.residual', o.residual, d.residual),
    outputNorm: validateBoolean(where, 'config.outputNorm', o.outputNorm, d.outputNorm),
    cropSize,
    lossWeights: Object.freeze(lossWeights),
    pairedLossWeights,
    learningRate: n('learningRate', { min: 0 }),
    beta1: n('beta1', { min: 0, max: 1, maxExclusive: true }),
    beta2: n('beta2', { min: 0, max: 1, maxExclusive: true }),
    epsilon: n('epsilon', { min: 0, minExclusive: true }),
    decayStart: n('decayStart', { min: 0, max: 1 }),
    poolSize: n('poolSize', { min: 0, max: 10_000, integer: true }),
    lowPercentile,
    highPercentile,
    foregroundThreshold: n('foregroundThreshold', { min: 0, max: 1 }),
    minForegroundFraction: n('minForegroundFraction', { min: 0, max: 1 }),
    flips: validateBoolean(where, 'config.flips', o.flips, d.flips),
    headMaskedDiscriminators: validateBoolean(
      where,
      'config.headMaskedDiscriminators',
      o.headMaskedDiscriminators,
      d.headMaskedDiscriminators,
    ),
  });
}

/**
 * Settings with which the unpaired mode (DUNCAN's six losses alone, or `'semi'` with a small
 * paired weight) can move a residual corrector away from the identity, for a new model or to
 * warm-start one trained in mode `'paired'` (`loadCheckpoint(paired, { config: UNPAIRED_RECIPE })`:
 * every key is resumable).
 *
 * - `headMaskedDiscriminators`: the discriminators judge the head, not the air (the background is
 *   the cheap part of the task and says nothing about the anatomy).
 * - `contentConsistency` 0: with residual translations the corrector needs the artefact in the
 *   content code of x_a (it subtracts what it sees), while content consistency asks that code to
 *   equal the content of the corrected image, which has no artefact: the two work against each
 *   other.
 * - `cycle` and `reconstruction` 1 instead of 10: measured at a paired-trained warm start
 *   (`tools/reference/unpaired_loss_balance.py`), the weighted gradients reaching the corrector
 *   were about 31 (content consistency), 21 (cycle), 10 (reconstruction) and 1.8 (identity)
 *   against 0.75 for the adversarial term (1.35 head-masked): "change nothing" outweighed "look
 *   clean" about 60 to 1. With these weights it is about 3 to 1. Identity stays at 5: it is what
 *   keeps clean images unchanged.
 */
export const UNPAIRED_RECIPE: ModelConfigOverrides = Object.freeze({
  headMaskedDiscriminators: true,
  lossWeights: Object.freeze({ cycle: 1, reconstruction: 1, contentConsistency: 0 }),
});

/**
 * The {@link ModelConfig} fields that may change when a checkpoint is loaded to continue training
 * (`loadCheckpoint(checkpoint, { config })`): the loss weights, the learning rate and its
 * schedule, and the data handling, including `cropSize` (the networks are fully convolutional:
 * the training field, and the field a small slice is centred in by `correct`, may grow or shrink)
 * and `headMaskedDiscriminators` (a paired checkpoint can warm-start an unpaired run with it).
 * The others are fixed by what the checkpoint stores: the architecture (`channels`,
 * `residualBlocks`, `contentSkips`, `residual`, `outputNorm`), the image pools (`poolSize`) and
 * Adam's moments (`beta1`, `beta2`, `epsilon`).
 */
export const RESUMABLE_CONFIG_KEYS = Object.freeze([
  'lossWeights',
  'pairedLossWeights',
  'learningRate',
  'decayStart',
  'lowPercentile',
  'highPercentile',
  'foregroundThreshold',
  'minForegroundFraction',
  'flips',
  'cropSize',
  'headMaskedDiscriminators',
] as const satisfies readonly (keyof ModelConfig)[]);

/**
 * A stored config with `overrides` applied for a resumed run: validated as
 * {@link resolveModelConfig} does (nested loss weights merge with the stored ones), and refused
 * with `INVALID_ARGUMENT` when a field outside {@link RESUMABLE_CONFIG_KEYS} would change.
 */
export function resumeModelConfig(
  where: string,
  stored: ModelConfig,
  overrides: unknown,
): ModelConfig {
  const o = validateObject(where, 'options.config', overrides);
  const lossWeights = validateObject(where, 'options.config.lossWeights', o.lossWeights, true);
  const pairedLossWeights = validateObject(
    where,
    'options.config.pairedLossWeights',
    o.pairedLossWeights,
    true,
  );
  const merged = resolveModelConfig(where, {
    ...stored,
    ...o,
    lossWeights: { ...stored.lossWeights, ...lossWeights },
    pairedLossWeights: { ...stored.pairedLossWeights, ...pairedLossWeights },
  });
  const resumable: readonly string[] = RESUMABLE_CONFIG_KEYS;
  for (const key of Object.keys(merged) as (keyof ModelConfig)[]) {
    if (resumable.includes(key) || merged[key] === stored[key]) continue;
    invalidArgument(
      where,
      `options.config.${key}`,
      `must stay ${JSON.stringify(stored[key])} when training resumes (the checkpoint's weights, Adam moments and image pools depend on it; only ${RESUMABLE_CONFIG_KEYS.join(', ')} may change)`,
      o[key],
    );
  }
  return merged;
}
