import { describe, expect, it } from 'vitest';
import { tf, useBackend } from '../../test/helpers.js';
import { createModel } from '../create-model.js';
import { defaultModelConfig, GENERATOR_TERMS } from '../model-config.js';
import { discriminatorLoss, featureL1, generatorLosses, headWeights, l1, lsgan } from './losses.js';
import { stateOf } from './model-state.js';
import type { Features, Networks } from './networks.js';

const triple = (x: tf.Tensor4D): Features => [x, x, x];

/** A seeded batch of two `size` x `size` images, uniform in `[low, 1)`. */
const uniformBatch = (seed: number, low = 0, size = 8) =>
  tf.randomUniform([2, size, size, 1], low, 1, 'float32', seed) as tf.Tensor4D;

type Decoders = Omit<Networks, 'translateF' | 'translateA'>;

/** Adds the translations to decoders: plain (`decoder(...)`) or residual (`source + decoder(...)`). */
function translations(n: Decoders, residual = false): Networks {
  return {
    ...n,
    translateF: (c, s) => (residual ? tf.add(s, n.decoderF(c)) : n.decoderF(c)),
    translateA: (c, a, s) => (residual ? tf.add(s, n.decoderA(c, a)) : n.decoderA(c, a)),
  };
}

/** Networks that are identities (content = the image, artefact code = 0, D says "real"). */
function identityNetworks(): Decoders {
  return {
    contentEncoderA: triple,
    contentEncoderF: triple,
    artefactEncoder: (x) => triple(tf.zerosLike(x)),
    decoderF: (c) => c[2],
    decoderA: (c, a) => tf.add(c[2], a[2]),
    discriminatorF: (x) => tf.onesLike(x),
    discriminatorA: (x) => tf.onesLike(x),
  };
}

describe('loss terms', () => {
  it('are all zero for an identity mapping with a fooled discriminator', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const xa = uniformBatch(1);
      const xf = uniformBatch(2);
      const r = generatorLosses(
        translations(identityNetworks()),
        xa,
        xf,
        defaultModelConfig.lossWeights,
      );
      for (const term of GENERATOR_TERMS) expect(r.terms[term].dataSync()[0], term).toBe(0);
      expect(r.total.dataSync()[0]).toBe(0);
      // The corrected fake of an identity corrector is the corrupted input itself.
      expect(r.fakeF.dataSync()).toEqual(xa.dataSync());
    });
  });

  it('are all zero for residual translations whose decoders output zero', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const xa = uniformBatch(3);
      const xf = uniformBatch(4);
      const zero = translations(
        {
          ...identityNetworks(),
          decoderF: (c) => tf.zerosLike(c[2]),
          decoderA: (c) => tf.zerosLike(c[2]),
        },
        true,
      );
      const r = generatorLosses(zero, xa, xf, defaultModelConfig.lossWeights);
      for (const term of GENERATOR_TERMS) expect(r.terms[term].dataSync()[0], term).toBe(0);
      expect(r.fakeF.dataSync()).toEqual(xa.dataSync());
      expect(r.fakeA.dataSync()).toEqual(xf.dataSync());
    });
  });

  it('are positive where the mapping is wrong, and weighted as configured', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const xa = uniformBatch(1, 0.5);
      const xf = uniformBatch(2, 0.5);
      const nets = translations({
        ...identityNetworks(),
        decoderF: (c) => tf.mul(c[2], 0.5),
        discriminatorF: (x) => tf.zerosLike(x),
      });
      const weights = { ...defaultModelConfig.lossWeights, identity: 2 };
      const r = generatorLosses(nets, xa, xf, weights);
      const v = (t: tf.Scalar) => t.dataSync()[0]!;
      expect(v(r.terms.identity)).toBeCloseTo(v(tf.mean(xf)) * 0.5, 5);
      expect(v(r.terms.adversarial)).toBeCloseTo(1, 6);
      expect(v(r.terms.cycle)).toBeGreaterThan(0);
      expect(v(r.terms.reconstruction)).toBeGreaterThan(0);
      const expected = GENERATOR_TERMS.reduce((s, t) => s + weights[t] * v(r.terms[t]), 0);
      expect(v(r.total)).toBeCloseTo(expected, 4);
    });
  });

  it('l1, featureL1 and lsgan are zero at their targets', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const x = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
      expect(l1(x, x).dataSync()[0]).toBe(0);
      expect(featureL1(triple(x), triple(x)).dataSync()[0]).toBe(0);
      expect(lsgan(tf.onesLike(x), 1).dataSync()[0]).toBe(0);
      expect(lsgan(tf.zerosLike(x), 0).dataSync()[0]).toBe(0);
      expect(lsgan(tf.zerosLike(x), 1).dataSync()[0]).toBe(1);
    });
  });

  it('the discriminator loss is zero for a perfect discriminator and 0.25 for a constant 0.5', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const real = tf.fill([2, 8, 8, 1], 1) as tf.Tensor4D;
      const fake = tf.fill([2, 8, 8, 1], -1) as tf.Tensor4D;
      const perfect = (x: tf.Tensor4D) => tf.relu(x);
      expect(discriminatorLoss(perfect, real, fake).dataSync()[0]).toBe(0);
      const unsure = (x: tf.Tensor4D) => tf.fill(x.shape, 0.5) as tf.Tensor4D;
      expect(discriminatorLoss(unsure, real, fake).dataSync()[0]).toBeCloseTo(0.25, 7);
    });
  });
});

describe('per-image gradient accumulation', () => {
  it('equals the batch gradient of the generator loss (what runTrainStep relies on)', async () => {
    await useBackend('wasm');
    const model = createModel({ channels: 4, residualBlocks: 1, cropSize: 32 }, { seed: 3 });
    const s = stateOf('test', model);
    const vars = s.generatorVariables.map(([, v]) => v);
    tf.tidy(() => {
      const xa = uniformBatch(1, 0, 32);
      const xf = uniformBatch(2, 0, 32);
      const weights = model.config.lossWeights;
      const batch = tf.variableGrads(() => generatorLosses(s.nets, xa, xf, weights).total, vars);
      const parts = [0, 1].map(
        (i) =>
          tf.variableGrads(
            () =>
              generatorLosses(
                s.nets,
                tf.slice(xa, [i, 0, 0, 0], [1, 32, 32, 1]),
                tf.slice(xf, [i, 0, 0, 0], [1, 32, 32, 1]),
                weights,
              ).total,
            vars,
          ).grads,
      );
      for (const v of vars) {
        const mean = tf.div(tf.add(parts[0]![v.name]!, parts[1]![v.name]!), 2);
        const g = batch.grads[v.name]!;
        const scale = Math.max(1e-6, tf.max(tf.abs(g)).dataSync()[0]!);
        expect(tf.max(tf.abs(tf.sub(mean, g))).dataSync()[0]! / scale, v.name).toBeLessThan(1e-3);
      }
    });
    model.dispose();
  });
});

describe('head-masked adversarial terms', () => {
  it('weigh each discriminator patch by the head at its centre, on its output grid', async () => {
    await useBackend('cpu');
    const model = await createModel({ channels: 2, residualBlocks: 0 }, { seed: 1 });
    const { nets } = stateOf('test', model);
    tf.tidy(() => {
      for (const [h, w] of [
        [32, 32],
        [36, 44],
        [64, 52],
      ] as const) {
        const x = tf.zeros([1, h, w, 1]) as tf.Tensor4D;
        // The weights are on the discriminator's own output grid, whatever the image size.
        expect(headWeights(x, 0.05).shape).toEqual(nets.discriminatorF(x).shape);
      }
      // A 48x48 image whose left half is head: cells of 8 pixels, 3x3 cells per patch (4x4 patches).
      const x = tf.tensor4d(
        Float32Array.from({ length: 48 * 48 }, (_, i) => (i % 48 < 24 ? 1 : 0)),
        [1, 48, 48, 1],
      );
      const expected = Array.from({ length: 4 }, () => [1, 2 / 3, 1 / 3, 0]).flat();
      const got = headWeights(x, 0.05).dataSync();
      expect(got).toHaveLength(16);
      for (const [i, e] of expected.entries()) expect(got[i]).toBeCloseTo(e, 6);
      // Exactly the threshold is air.
      expect(
        headWeights(tf.fill([1, 32, 32, 1], 0.05) as tf.Tensor4D, 0.05)
          .max()
          .dataSync()[0],
      ).toBe(0);
    });
    model.dispose();
  });

  it('lsgan with weights is a weighted mean per image, then the mean over images', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const p = tf.tensor4d([0, 1, 2, 3, 0, 0, 0, 0], [2, 2, 2, 1]);
      const w = tf.tensor4d([1, 0, 0, 1, 0, 0, 0, 0], [2, 2, 2, 1]);
      // Image 0: (0 + 9) / 2 against 0; image 1 has no head and adds 0; the batch mean is 2.25.
      expect(lsgan(p, 0, w).dataSync()[0]).toBeCloseTo(2.25, 6);
      // Uniform weights give the plain mean.
      expect(lsgan(p, 1, tf.onesLike(p)).dataSync()[0]).toBeCloseTo(lsgan(p, 1).dataSync()[0]!, 6);
      expect(() => lsgan(p, 1, tf.ones([2, 1, 2, 1]) as tf.Tensor4D)).toThrow(/do not match/);
    });
  });

  it('leave the air out of the discriminator loss', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      // Head in the left half of both images: the last column of 4x4 patches is all air.
      const head = Float32Array.from({ length: 48 * 48 }, (_, i) => (i % 48 < 24 ? 1 : 0));
      const x = tf.tensor4d(head, [1, 48, 48, 1]);
      const fake = tf.mul(x, 0.5) as tf.Tensor4D;
      // Two discriminators that differ only on the air patches.
      const onHead = (y: tf.Tensor4D) => tf.fill([y.shape[0], 4, 4, 1], 0.3) as tf.Tensor4D;
      const wildOnAir = (y: tf.Tensor4D) =>
        tf.tensor4d(
          Float32Array.from({ length: 16 }, (_, i) => (i % 4 === 3 ? 5 : 0.3)),
          [y.shape[0], 4, 4, 1],
        );
      const options = { headMasked: true, threshold: 0.05 };
      const a = discriminatorLoss(onHead, x, fake, options).dataSync()[0]!;
      const b = discriminatorLoss(wildOnAir, x, fake, options).dataSync()[0]!;
      expect(b).toBeCloseTo(a, 6);
      // Without the mask the air counts.
      const c = discriminatorLoss(onHead, x, fake).dataSync()[0]!;
      const d = discriminatorLoss(wildOnAir, x, fake).dataSync()[0]!;
      expect(d).toBeGreaterThan(c + 1);
    });
  });
});
