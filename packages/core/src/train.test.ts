import { createRng, createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, maxAbsDiff, phantom, TINY, tf, useBackend } from '../test/helpers.js';
import { createModel } from './create-model.js';
import { stateOf } from './internal/model-state.js';
import { prepareSlices, sampleCrop } from './internal/slice-sampler.js';
import { defaultModelConfig } from './model-config.js';
import { type TrainingProgress, train } from './train.js';

const clean = [phantom(40, 36, 3), phantom(36, 40, 2, 3)];
const corrupted = [phantom(34, 34, 4, -2)];

describe('train', () => {
  it('reports every step with the loss keys of the issue and decays the learning rate linearly', async () => {
    await useBackend('wasm');
    const model = createModel({ ...TINY, learningRate: 1e-3 }, { seed: 1 });
    const progress: TrainingProgress[] = [];
    const result = await train(
      model,
      { clean, corrupted },
      {
        steps: 4,
        seed: 1,
        batchSize: 2,
        onProgress: (p) => progress.push(p),
      },
    );
    expect(result).toMatchObject({ steps: 4, aborted: false });
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(progress.map((p) => p.learningRate)).toEqual([1e-3, 1e-3, 1e-3, 5e-4]);
    expect(Object.keys(progress[0]!.losses).sort()).toEqual([
      'adversarial',
      'artefactConsistency',
      'contentConsistency',
      'cycle',
      'discriminator',
      'identity',
      'reconstruction',
    ]);
    expect(progress[3]!.stepsPerSecond).toBeGreaterThan(0);
    expect(model.step).toBe(4);
    model.dispose();
  });

  it('is deterministic for a seed, stops on an abort signal and leaks no tensor', async () => {
    await useBackend('wasm');
    const a = createModel(TINY, { seed: 1 });
    const b = createModel(TINY, { seed: 1 });
    const ra = await train(a, { clean, corrupted }, { steps: 2, seed: 7, axis: 1 });
    const n = tf.memory().numTensors;
    const rb = await train(b, { clean, corrupted }, { steps: 2, seed: 7, axis: 1 });
    expect(tf.memory().numTensors).toBe(n);
    expect(rb.losses).toEqual(ra.losses);
    const w = 'decoderF/out/w';
    expect(
      maxAbsDiff(
        stateOf('t', a).variables.get(w)!.dataSync(),
        stateOf('t', b).variables.get(w)!.dataSync(),
      ),
    ).toBe(0);
    const controller = new AbortController();
    const stopped = await train(
      a,
      { clean, corrupted },
      {
        steps: 10,
        seed: 1,
        signal: controller.signal,
        onProgress: ({ step }) => {
          if (step === 2) controller.abort();
        },
      },
    );
    expect(stopped).toMatchObject({ steps: 2, aborted: true });
    a.dispose();
    b.dispose();
  });

  it('rejects bad data and options with MriError', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 1 });
    const empty = createVolume({ data: new Float32Array(32 * 32 * 2), shape: [32, 32, 2] });
    await expectMriError(() => train(model, { clean: [], corrupted }, { steps: 1, seed: 1 }));
    await expectMriError(() => train(model, { clean: [empty], corrupted }, { steps: 1, seed: 1 }));
    await expectMriError(() => train(model, { clean, corrupted }, { steps: -1, seed: 1 }));
    await expectMriError(() => train(model, { clean, corrupted }, { steps: 1 } as never));
    await expectMriError(() =>
      train(model, { clean, corrupted }, { steps: 1, seed: 1, batchSize: 0 }),
    );
    await expectMriError(() =>
      train(model, { clean, corrupted }, { steps: 1, seed: 1, signal: {} as never }),
    );
    model.dispose();
  });
});

describe('slice sampling', () => {
  it('normalises each volume by robust percentiles and skips slices without foreground', () => {
    const data = new Float32Array(8 * 8 * 4);
    // Slice 0 is empty, slices 1-3 hold a bright square; values scaled by 1000.
    for (let z = 1; z < 4; z++) {
      for (let y = 2; y < 7; y++) for (let x = 2; x < 7; x++) data[x + 8 * (y + 8 * z)] = 1000;
    }
    const volume = createVolume({ data, shape: [8, 8, 4] });
    const pool = prepareSlices('t', 'v', [volume], { ...defaultModelConfig, cropSize: 32 }, 2);
    expect(pool.count).toBe(3);
    expect(pool.sources[0]!.slices).toEqual([1, 2, 3]);
    expect(Math.max(...pool.sources[0]!.data)).toBeCloseTo(1, 6);
    const crop = sampleCrop(pool, 32, true, createRng(1));
    expect(crop.length).toBe(32 * 32);
    // A small slice is centred in a zero canvas: 25 bright pixels survive.
    expect(crop.filter((v) => v > 0.5).length).toBe(25);
    const big = prepareSlices('t', 'v', [phantom(50, 40, 1)], defaultModelConfig, 2);
    const rng = createRng(2);
    for (let i = 0; i < 5; i++)
      expect(sampleCrop(big, 32, false, rng).some((v) => v > 0)).toBe(true);
  });
});
