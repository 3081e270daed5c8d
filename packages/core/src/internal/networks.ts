import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../model-config.js';
import { conv, instanceNorm, upsample2x } from './layers.js';

/** The name and shape of one weight, and whether it is a bias (initialised to zero). */
export interface VariableSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly bias: boolean;
}

/** The networks of the generator side (updated by the generator optimiser). */
export const GENERATOR_NETWORKS = [
  'contentEncoderA',
  'contentEncoderF',
  'artefactEncoder',
  'decoderF',
  'decoderA',
] as const;
/** The discriminators (updated by the discriminator optimiser). */
export const DISCRIMINATOR_NETWORKS = ['discriminatorF', 'discriminatorA'] as const;

/**
 * Every variable of the model, in a stable order (the order of the optimiser state in a
 * checkpoint). Names are `<network>/<layer>/<w|b>`.
 */
export function variableSpecs(config: ModelConfig): VariableSpec[] {
  const c = config.channels;
  const specs: VariableSpec[] = [];
  const w = (name: string, k: number, ci: number, co: number) =>
    specs.push({ name: `${name}/w`, shape: [k, k, ci, co], bias: false });
  const b = (name: string, co: number) =>
    specs.push({ name: `${name}/b`, shape: [co], bias: true });
  const encoder = (net: string, residual: boolean) => {
    w(`${net}/stem`, 7, 1, c);
    w(`${net}/down1`, 4, c, 2 * c);
    w(`${net}/down2`, 4, 2 * c, 4 * c);
    if (residual) {
      for (let r = 0; r < config.residualBlocks; r++) {
        w(`${net}/res${r}/conv1`, 3, 4 * c, 4 * c);
        w(`${net}/res${r}/conv2`, 3, 4 * c, 4 * c);
      }
    }
  };
  encoder('contentEncoderA', true);
  encoder('contentEncoderF', true);
  encoder('artefactEncoder', false);
  w('decoderF/up1', 5, 4 * c, 2 * c);
  if (config.contentSkips) {
    w('decoderF/skip1', 1, 4 * c, 2 * c);
    b('decoderF/skip1', 2 * c);
  }
  w('decoderF/up2', 5, 2 * c, c);
  if (!config.outputNorm) b('decoderF/up2', c);
  if (config.contentSkips) {
    w('decoderF/skip0', 1, 2 * c, c);
    b('decoderF/skip0', c);
  }
  w('decoderF/out', 7, c, 1);
  b('decoderF/out', 1);
  w('decoderA/fuse2', 1, 8 * c, 4 * c);
  b('decoderA/fuse2', 4 * c);
  w('decoderA/up1', 5, 4 * c, 2 * c);
  w('decoderA/fuse1', 1, 4 * c, 2 * c);
  b('decoderA/fuse1', 2 * c);
  w('decoderA/up2', 5, 2 * c, c);
  w('decoderA/fuse0', 1, 2 * c, c);
  b('decoderA/fuse0', c);
  w('decoderA/out', 7, c, 1);
  b('decoderA/out', 1);
  for (const net of DISCRIMINATOR_NETWORKS) {
    w(`${net}/conv1`, 4, 1, c);
    b(`${net}/conv1`, c);
    w(`${net}/conv2`, 4, c, 2 * c);
    w(`${net}/conv3`, 4, 2 * c, 4 * c);
    w(`${net}/conv4`, 4, 4 * c, 8 * c);
    w(`${net}/out`, 4, 8 * c, 1);
    b(`${net}/out`, 1);
  }
  return specs;
}

/** Multi-scale features: full, 1/2 and 1/4 scale. */
export type Features = readonly [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];

/** The seven networks as functions of NHWC tensors (normalised intensities, one channel). */
export interface Networks {
  contentEncoderA(x: tf.Tensor4D): Features;
  contentEncoderF(x: tf.Tensor4D): Features;
  artefactEncoder(x: tf.Tensor4D): Features;
  decoderF(content: Features): tf.Tensor4D;
  decoderA(content: Features, artefact: Features): tf.Tensor4D;
  /**
   * An image of domain F from content: `decoderF(content)`, plus `source` (the image the content
   * was encoded from) when the translations are residual (`config.residual`).
   */
  translateF(content: Features, source: tf.Tensor4D): tf.Tensor4D;
  /** An image of domain A: `decoderA(content, artefact)`, plus `source` when residual. */
  translateA(content: Features, artefact: Features, source: tf.Tensor4D): tf.Tensor4D;
  discriminatorF(x: tf.Tensor4D): tf.Tensor4D;
  discriminatorA(x: tf.Tensor4D): tf.Tensor4D;
}

/** A name -> tensor lookup that fails loudly on a missing weight. */
export type WeightLookup = (name: string) => tf.Tensor;

const relu = (x: tf.Tensor4D): tf.Tensor4D => tf.relu(x);
const lrelu = (x: tf.Tensor4D): tf.Tensor4D => tf.leakyRelu(x, 0.2);

/**
 * The DUNCAN networks over a weight lookup (the core README's "Architecture"): content encoders with
 * a 7x7 stem, two 4x4 stride-2 convolutions and R residual blocks, InstanceNorm + ReLU; an
 * artefact encoder of the same shape without residual blocks; decoders that upsample by
 * nearest x2 + 5x5 convolution (decoder A fuses the artefact code at each scale by concat + 1x1
 * convolution) and end in a linear 7x7 convolution; 70x70 PatchGAN discriminators. With
 * `config.contentSkips`, decoder F also fuses the content features at 1/2 and full scale
 * (concat + 1x1 convolution, as decoder A fuses the artefact code). Without
 * `config.outputNorm`, decoder F's last upsampling block is convolution + bias + ReLU, so it can
 * render exactly zero (a residual corrector then leaves a clean image unchanged).
 */
export function buildNetworks(config: ModelConfig, weight: WeightLookup): Networks {
  const W = (name: string) => weight(`${name}/w`) as tf.Tensor4D;
  const B = (name: string) => weight(`${name}/b`) as tf.Tensor1D;
  // Every block runs in its own tidy, so that its padding, convolution and normalisation
  // temporaries are freed as soon as its output exists: a forward pass then holds a few feature
  // maps at once instead of all of them, which bounds the batch that fits a wasm heap. (Under a
  // gradient tape, tfjs keeps what the backward pass needs.)
  const block = (x: tf.Tensor4D, name: string, stride: 1 | 2) =>
    tf.tidy(() => relu(instanceNorm(conv(x, W(name), stride))));
  const upBlock = (x: tf.Tensor4D, name: string) => tf.tidy(() => block(upsample2x(x), name, 1));
  const encoder =
    (net: string, residual: boolean) =>
    (x: tf.Tensor4D): Features => {
      const f0 = block(x, `${net}/stem`, 1);
      const f1 = block(f0, `${net}/down1`, 2);
      let h = block(f1, `${net}/down2`, 2);
      if (residual) {
        for (let r = 0; r < config.residualBlocks; r++) {
          const x0 = h;
          h = tf.tidy(() => {
            const inner = block(x0, `${net}/res${r}/conv1`, 1);
            return tf.add(x0, instanceNorm(conv(inner, W(`${net}/res${r}/conv2`), 1)));
          });
        }
      }
      return [f0, f1, h];
    };
  const fuse = (x: tf.Tensor4D, a: tf.Tensor4D, name: string) =>
    tf.tidy(() => relu(conv(tf.concat([x, a], 3), W(name), 1, B(name))));
  const discriminator =
    (net: string) =>
    (x: tf.Tensor4D): tf.Tensor4D => {
      let h = lrelu(conv(x, W(`${net}/conv1`), 2, B(`${net}/conv1`), true));
      h = lrelu(instanceNorm(conv(h, W(`${net}/conv2`), 2, undefined, true)));
      h = lrelu(instanceNorm(conv(h, W(`${net}/conv3`), 2, undefined, true)));
      h = lrelu(instanceNorm(conv(h, W(`${net}/conv4`), 1, undefined, true)));
      return conv(h, W(`${net}/out`), 1, B(`${net}/out`), true);
    };
  const nets: Networks = {
    contentEncoderA: encoder('contentEncoderA', true),
    contentEncoderF: encoder('contentEncoderF', true),
    artefactEncoder: encoder('artefactEncoder', false),
    decoderF(content) {
      let h = upBlock(content[2], 'decoderF/up1');
      if (config.contentSkips) h = fuse(h, content[1], 'decoderF/skip1');
      h = config.outputNorm
        ? upBlock(h, 'decoderF/up2')
        : tf.tidy(() => relu(conv(upsample2x(h), W('decoderF/up2'), 1, B('decoderF/up2'))));
      if (config.contentSkips) h = fuse(h, content[0], 'decoderF/skip0');
      return conv(h, W('decoderF/out'), 1, B('decoderF/out'));
    },
    decoderA(content, artefact) {
      let h = fuse(content[2], artefact[2], 'decoderA/fuse2');
      h = upBlock(h, 'decoderA/up1');
      h = fuse(h, artefact[1], 'decoderA/fuse1');
      h = upBlock(h, 'decoderA/up2');
      h = fuse(h, artefact[0], 'decoderA/fuse0');
      return conv(h, W('decoderA/out'), 1, B('decoderA/out'));
    },
    translateF(content, source) {
      const y = nets.decoderF(content);
      return config.residual ? tf.add(source, y) : y;
    },
    translateA(content, artefact, source) {
      const y = nets.decoderA(content, artefact);
      return config.residual ? tf.add(source, y) : y;
    },
    discriminatorF: discriminator('discriminatorF'),
    discriminatorA: discriminator('discriminatorA'),
  };
  return nets;
}
