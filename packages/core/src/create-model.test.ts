import { isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, maxAbsDiff, TINY, tf, useBackend } from '../test/helpers.js';
import { createModel } from './create-model.js';
import { discriminatorLoss, generatorLosses } from './internal/losses.js';
import { stateOf } from './internal/model-state.js';
import { variableSpecs } from './internal/networks.js';
import { defaultModelConfig } from './model-config.js';

describe('createModel', () => {
  it('creates every variable with a stable name, seeded normal(0, 0.02) weights and zero biases', async () => {
    await useBackend('wasm');
    const a = createModel(TINY, { seed: 3 });
    const b = createModel(TINY, { seed: 3 });
    const c = createModel(TINY, { seed: 4 });
    const sa = stateOf('test', a);
    expect([...sa.variables.keys()]).toEqual(variableSpecs(a.config).map((s) => s.name));
    expect(sa.variables.has('contentEncoderA/res0/conv2/w')).toBe(true);
    expect(sa.variables.has('decoderA/fuse1/b')).toBe(true);
    const all: number[] = [];
    for (const [name, v] of sa.variables) {
      const values = v.dataSync();
      if (name.endsWith('/b')) expect(Math.max(...Array.from(values, Math.abs))).toBe(0);
      else all.push(...values);
      expect(maxAbsDiff(values, stateOf('test', b).variables.get(name)!.dataSync())).toBe(0);
    }
    const mean = all.reduce((s, x) => s + x, 0) / all.length;
    const std = Math.sqrt(all.reduce((s, x) => s + (x - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    const w = 'decoderF/up1/w';
    expect(
      maxAbsDiff(sa.variables.get(w)!.dataSync(), stateOf('test', c).variables.get(w)!.dataSync()),
    ).toBeGreaterThan(0);
    expect(a.parameterCount.total).toBe([...sa.variables.values()].reduce((s, v) => s + v.size, 0));
    expect(a.step).toBe(0);
    for (const m of [a, b, c]) m.dispose();
  });

  it('frees every tensor on dispose', async () => {
    await useBackend('wasm');
    const n = tf.memory().numTensors;
    const model = createModel(TINY, { seed: 3 });
    expect(tf.memory().numTensors).toBeGreaterThan(n);
    model.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(n);
  });

  it('has the documented defaults and the C = 32, R = 4 parameter count', async () => {
    await useBackend('wasm');
    expect(defaultModelConfig.channels).toBe(32);
    expect(defaultModelConfig.residualBlocks).toBe(4);
    expect(defaultModelConfig.cropSize).toBe(128);
    expect(defaultModelConfig.lossWeights).toEqual({
      adversarial: 1,
      cycle: 10,
      reconstruction: 10,
      contentConsistency: 5,
      artefactConsistency: 1,
      identity: 5,
    });
    const counts = variableSpecs(defaultModelConfig).reduce(
      (s, v) => s + v.shape.reduce((a, b) => a * b, 1),
      0,
    );
    // The content encoder + decoder F path is the 1,602,624-weight network of the research note
    // (docs/notes/core-research.md) plus the output bias and, without `outputNorm`, the bias of
    // decoder F's last upsampling block (C = 32 values).
    const path = variableSpecs(defaultModelConfig)
      .filter((v) => v.name.startsWith('contentEncoderA/') || v.name.startsWith('decoderF/'))
      .reduce((s, v) => s + v.shape.reduce((a, b) => a * b, 1), 0);
    expect(path).toBe(1_602_624 + 1 + 32);
    expect(counts).toBeGreaterThan(path);
  });

  it('gives every variable a non-zero gradient', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 1 });
    const s = stateOf('test', model);
    tf.tidy(() => {
      const xa = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
      const xf = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
      const g = tf.variableGrads(
        () => generatorLosses(s.nets, xa, xf, model.config.lossWeights).total,
        s.generatorVariables.map(([, v]) => v),
      );
      const fakes = generatorLosses(s.nets, xa, xf, model.config.lossWeights);
      const d = tf.variableGrads(
        () =>
          tf.add(
            discriminatorLoss(s.nets.discriminatorF, xf, fakes.fakeF),
            discriminatorLoss(s.nets.discriminatorA, xa, fakes.fakeA),
          ),
        s.discriminatorVariables.map(([, v]) => v),
      );
      for (const [list, grads] of [
        [s.generatorVariables, g.grads],
        [s.discriminatorVariables, d.grads],
      ] as const) {
        for (const [name, v] of list) {
          const grad = grads[v.name];
          expect(grad, name).toBeDefined();
          const size = tf.sum(tf.abs(grad!)).dataSync()[0]!;
          expect(size, name).toBeGreaterThan(0);
          expect(Number.isFinite(size), name).toBe(true);
        }
      }
      expect(Object.keys(g.grads).length).toBe(s.generatorVariables.length);
      expect(Object.keys(d.grads).length).toBe(s.discriminatorVariables.length);
    });
    model.dispose();
  });

  it('computes the same forward outputs on wasm and cpu (to 1e-4)', async () => {
    const outputs: Float32Array[][] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      await useBackend(backend);
      const model = createModel({ ...TINY, channels: 6, residualBlocks: 2 }, { seed: 9 });
      const { nets } = stateOf('test', model);
      outputs.push(
        tf.tidy(() => {
          const x = tf.randomUniform([2, 36, 32, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
          const ca = nets.contentEncoderA(x);
          return [
            nets.decoderF(ca),
            nets.decoderA(nets.contentEncoderF(x), nets.artefactEncoder(x)),
            nets.discriminatorF(x),
            nets.discriminatorA(x),
            ca[2],
          ].map((t) => t.dataSync() as Float32Array);
        }),
      );
      model.dispose();
    }
    outputs[0]!.forEach((o, i) => {
      expect(maxAbsDiff(o, outputs[1]![i]!), `output ${i}`).toBeLessThan(1e-4);
    });
  });

  it('rejects bad configs and seeds with MriError', async () => {
    await useBackend('cpu');
    await expectMriError(() => createModel({ cropSize: 30 }, { seed: 1 }));
    await expectMriError(() => createModel({ cropSize: 16 }, { seed: 1 }));
    await expectMriError(() => createModel({ channels: 0 }, { seed: 1 }));
    await expectMriError(() => createModel({ lossWeights: { cycle: -1 } }, { seed: 1 }));
    await expectMriError(() =>
      createModel({ lossWeights: { perceptual: 1 } as never }, { seed: 1 }),
    );
    await expectMriError(() => createModel({ chanels: 8 } as never, { seed: 1 }));
    await expectMriError(() => createModel({ lowPercentile: 50, highPercentile: 40 }, { seed: 1 }));
    await expectMriError(() => createModel(TINY, { seed: -1 }));
    await expectMriError(() => createModel(TINY, {} as never));
    let thrown: unknown;
    try {
      createModel({ beta1: 1 }, { seed: 1 });
    } catch (e) {
      thrown = e;
    }
    expect(isMriError(thrown) && thrown.message).toBe(
      'createModel: config.beta1 must be a finite number >= 0 and < 1, got 1',
    );
  });
});
