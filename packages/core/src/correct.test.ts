import { createVolume, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, maxAbsDiff, phantom, TINY, tf, useBackend } from '../test/helpers.js';
import { correct } from './correct.js';
import { createModel } from './create-model.js';

describe('correct', () => {
  it('preserves the shape and affine of a 3-D volume, for every axis, and leaks no tensor', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 1 });
    const volume = phantom(30, 26, 7);
    await correct(model, volume, { batchSize: 3 });
    const n = tf.memory().numTensors;
    for (const axis of [0, 1, 2] as const) {
      const progress: number[] = [];
      const { corrected, artefactMap } = await correct(model, volume, {
        axis,
        batchSize: 4,
        onProgress: ({ done, total }) => progress.push(done / total),
      });
      expect(corrected.shape).toEqual(volume.shape);
      expect(corrected.affine).toEqual(volume.affine);
      expect(artefactMap.shape).toEqual(volume.shape);
      expect(artefactMap.affine).toEqual(volume.affine);
      expect(progress.at(-1)).toBe(1);
      for (let i = 0; i < volume.data.length; i++) {
        expect(artefactMap.data[i]).toBeCloseTo(volume.data[i]! - corrected.data[i]!, 3);
      }
    }
    expect(tf.memory().numTensors).toBe(n);
    model.dispose();
  });

  it('maps intensities back to the input scale: correct(a * x + b) = a * correct(x) + b', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 1 });
    const volume = phantom(32, 28, 3);
    const scaled = withData(
      volume,
      volume.data.map((v) => 1000 * v - 5000),
    );
    const a = (await correct(model, volume)).corrected;
    const b = (await correct(model, scaled)).corrected;
    const expected = a.data.map((v) => 1000 * v - 5000);
    expect(maxAbsDiff(b.data, expected) / 160_000).toBeLessThan(1e-5);
    // The output lies on the input's scale: its mean is near the input's robust range.
    const mean = b.data.reduce((s, v) => s + v, 0) / b.data.length;
    expect(mean).toBeGreaterThan(-5000 - 160_000);
    expect(mean).toBeLessThan(-5000 + 2 * 160_000);
    model.dispose();
  });

  it('does not depend on the batch size, and never writes into its input', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 4 });
    const volume = phantom(20, 24, 5);
    const copy = volume.data.slice();
    const one = await correct(model, volume, { batchSize: 1 });
    const all = await correct(model, volume, { batchSize: 5 });
    expect(maxAbsDiff(one.corrected.data, all.corrected.data)).toBeLessThan(1e-3);
    expect(volume.data).toEqual(copy);
    model.dispose();
  });

  it('rejects bad inputs with MriError', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 1 });
    const thin = createVolume({ data: new Float32Array(3 * 8 * 2), shape: [3, 8, 2] });
    const nan = createVolume({ data: new Float32Array(64).fill(Number.NaN), shape: [8, 8] });
    await expectMriError(() => correct(model, thin));
    await expectMriError(() => correct(model, nan));
    await expectMriError(() => correct(model, phantom(8, 8), { axis: 3 as never }));
    await expectMriError(() => correct(model, phantom(8, 8), { batchSize: 0 }));
    await expectMriError(() => correct(model, {} as never));
    model.dispose();
    await expectMriError(() => correct(model, phantom(8, 8)));
  });
});
