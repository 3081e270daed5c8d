import { describe, expect, it } from 'vitest';
import { expectCheckpointChecks } from '../test/checkpoint-checks.js';
import { expectMriError, maxAbsDiff, phantom, TINY, tf, useBackend } from '../test/helpers.js';
import { type CheckpointManifest, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { correct } from './correct.js';
import { createModel } from './create-model.js';
import { stateOf } from './internal/model-state.js';

describe('checkpoints', () => {
  it('an inference checkpoint holds the corrector path only, corrects identically, and cannot train', async () => {
    await useBackend('wasm');
    const model = createModel({ ...TINY, channels: 5 }, { seed: 8 });
    const full = await saveCheckpoint(model);
    const small = await saveCheckpoint(model, { inference: true });
    expect(small.manifest.inference).toBe(true);
    expect(small.weights.byteLength).toBeLessThan(full.weights.byteLength / 2);
    const names = small.manifest.weightSpecs.map((s) => s.name);
    expect(names.every((n) => /^variable\/(contentEncoderA|decoderF)\//.test(n))).toBe(true);
    expect(names.some((n) => n.startsWith('variable/decoderF/out'))).toBe(true);
    const loaded = await loadCheckpoint({
      manifest: JSON.parse(JSON.stringify(small.manifest)) as CheckpointManifest,
      weights: small.weights,
    });
    const volume = phantom(28, 32, 2);
    const a = await correct(model, volume);
    const b = await correct(loaded, volume);
    expect(maxAbsDiff(a.corrected.data, b.corrected.data)).toBe(0);
    await expectMriError(() => saveCheckpoint(loaded), 'INVALID_ARGUMENT');
    const again = await saveCheckpoint(loaded, { inference: true });
    expect(again.weights).toEqual(small.weights);
    // An inference manifest that also lists optimiser state is refused.
    await expectMriError(
      () =>
        loadCheckpoint({ manifest: { ...full.manifest, inference: true }, weights: full.weights }),
      'CORRUPT_FILE',
    );
    model.dispose();
    loaded.dispose();
  });

  it('a float16 inference checkpoint is half the size, loads its weights rounded, and corrects within 1e-3', async () => {
    await useBackend('wasm');
    const model = createModel({ ...TINY, channels: 5, contentSkips: true }, { seed: 8 });
    const single = await saveCheckpoint(model, { inference: true });
    const half = await saveCheckpoint(model, { inference: true, dtype: 'float16' });
    expect(half.weights.byteLength).toBe(single.weights.byteLength / 2);
    expect(half.manifest.byteLength).toBe(half.weights.byteLength);
    expect(half.manifest.weightSpecs.every((s) => s.dtype === 'float16')).toBe(true);
    const loaded = await loadCheckpoint({
      manifest: JSON.parse(JSON.stringify(half.manifest)) as CheckpointManifest,
      weights: half.weights,
    });
    // Its weights are the float32 ones rounded to the nearest half.
    const stored = new Float32Array(single.weights.slice().buffer);
    const again = await saveCheckpoint(loaded, { inference: true });
    const widened = new Float32Array(again.weights.slice().buffer);
    expect(widened.length).toBe(stored.length);
    let changed = 0;
    for (let i = 0; i < stored.length; i++) {
      expect(Math.abs(widened[i]! - stored[i]!)).toBeLessThanOrEqual(
        Math.abs(stored[i]!) * 2 ** -11 + 2 ** -25,
      );
      if (widened[i] !== stored[i]) changed++;
    }
    expect(changed).toBeGreaterThan(stored.length / 2);
    // Saved again as float16, the same bytes.
    expect((await saveCheckpoint(loaded, { inference: true, dtype: 'float16' })).weights).toEqual(
      half.weights,
    );
    const volume = phantom(28, 32, 2);
    const a = await correct(model, volume);
    const b = await correct(loaded, volume);
    const range = Math.max(...a.corrected.data) - Math.min(...a.corrected.data);
    const d = maxAbsDiff(a.corrected.data, b.corrected.data) / range;
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(1e-3);
    // A training state stays float32; float16 in a complete checkpoint is refused.
    await expectMriError(() => saveCheckpoint(model, { dtype: 'float16' }), 'INVALID_ARGUMENT');
    await expectMriError(
      () => saveCheckpoint(model, { inference: true, dtype: 'float64' as never }),
      'INVALID_ARGUMENT',
    );
    const full = await saveCheckpoint(model);
    await expectMriError(
      () =>
        loadCheckpoint({
          manifest: {
            ...half.manifest,
            inference: false,
            weightSpecs: full.manifest.weightSpecs.map((s) => ({
              ...s,
              dtype: 'float16' as const,
            })),
            byteLength: full.weights.byteLength / 2,
          },
          weights: full.weights.slice(0, full.weights.byteLength / 2),
        }),
      'CORRUPT_FILE',
    );
    // A float16 blob of the wrong size, and a half that is not finite.
    await expectMriError(
      () => loadCheckpoint({ manifest: half.manifest, weights: single.weights }),
      'CORRUPT_FILE',
    );
    const infinite = half.weights.slice();
    new DataView(infinite.buffer).setUint16(4, 0x7c00, true);
    await expectMriError(
      () => loadCheckpoint({ manifest: half.manifest, weights: infinite }),
      'CORRUPT_FILE',
    );
    // A weight beyond float16's range cannot be stored as one.
    const big = createModel({ ...TINY, channels: 5, contentSkips: true }, { seed: 8 });
    const [, variable] = [...stateOf('test', big).variables].find(([n]) =>
      n.startsWith('decoderF/out'),
    )!;
    variable.assign(tf.fill(variable.shape, 1e6));
    await expectMriError(
      () => saveCheckpoint(big, { inference: true, dtype: 'float16' }),
      'INVALID_ARGUMENT',
    );
    for (const m of [model, loaded, big]) m.dispose();
  });

  it('save -> JSON -> load gives identical outputs and the same config', async () => {
    await useBackend('wasm');
    const model = createModel({ ...TINY, channels: 5 }, { seed: 8 });
    const tensors = tf.memory().numTensors;
    await loadCheckpoint(await saveCheckpoint(model)).then((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(tensors);
    const { manifest, weights } = await saveCheckpoint(model);
    expect(manifest.format).toBe('duncan-mri-checkpoint');
    expect(manifest.byteLength).toBe(weights.byteLength);
    const loaded = await loadCheckpoint({
      manifest: JSON.parse(JSON.stringify(manifest)) as CheckpointManifest,
      weights: weights.slice().buffer,
    });
    expect(loaded.config).toEqual(model.config);
    expect(loaded.parameterCount).toEqual(model.parameterCount);
    const volume = phantom(28, 32, 2);
    const a = await correct(model, volume);
    const b = await correct(loaded, volume);
    expect(maxAbsDiff(a.corrected.data, b.corrected.data)).toBe(0);
    model.dispose();
    loaded.dispose();
  });

  it('rejects another architecture, another format and corrupt weights with MriError', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 8 });
    const { manifest, weights } = await saveCheckpoint(model);
    const otherModel = createModel({ ...TINY, residualBlocks: 2 }, { seed: 1 });
    const other = await saveCheckpoint(otherModel);
    otherModel.dispose();
    // What every checkpoint reader refuses, then what only loadCheckpoint checks.
    await expectCheckpointChecks(loadCheckpoint, { manifest, weights });
    await expectMriError(
      () =>
        loadCheckpoint({
          manifest: { ...other.manifest, config: manifest.config },
          weights: other.weights,
        }),
      'SHAPE_MISMATCH',
    );
    await expectMriError(
      () => loadCheckpoint({ manifest: { ...manifest, format: 'tfjs-layers' as never }, weights }),
      'UNSUPPORTED_FORMAT',
    );
    const nan = weights.slice();
    new DataView(nan.buffer).setFloat32(8, Number.NaN, true);
    await expectMriError(() => loadCheckpoint({ manifest, weights: nan }), 'CORRUPT_FILE');
    await expectMriError(
      () => loadCheckpoint({ manifest: { ...manifest, weightSpecs: 'x' as never }, weights }),
      'CORRUPT_FILE',
    );
    await expectMriError(() => loadCheckpoint({ manifest, weights: 'x' as never }));
    await expectMriError(() =>
      loadCheckpoint({
        manifest: { ...manifest, config: { ...manifest.config, cropSize: 7 } },
        weights,
      }),
    );
    model.dispose();
  });

  it('options.config changes the training settings of a resumed model, never its architecture', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 8 });
    const saved = await saveCheckpoint(model);
    model.dispose();
    const resumed = await loadCheckpoint(saved, {
      config: { learningRate: 5e-5, decayStart: 0.8, lossWeights: { cycle: 3 }, cropSize: 64 },
    });
    expect(resumed.config).toEqual({
      ...saved.manifest.config,
      learningRate: 5e-5,
      decayStart: 0.8,
      // The networks are fully convolutional: the training (and correction) field may change.
      cropSize: 64,
      lossWeights: { ...saved.manifest.config.lossWeights, cycle: 3 },
    });
    // The changed config is what the next checkpoint stores.
    expect((await saveCheckpoint(resumed)).manifest.config.learningRate).toBe(5e-5);
    resumed.dispose();
    // Restating a fixed field at its stored value is fine; changing it is not.
    const same = await loadCheckpoint(saved, { config: { channels: TINY.channels } });
    same.dispose();
    for (const config of [
      { channels: 8 },
      { poolSize: 0 },
      { beta1: 0.9 },
      { residualBlocks: 2 },
    ]) {
      const e = await expectMriError(() => loadCheckpoint(saved, { config }), 'INVALID_ARGUMENT');
      expect(e.message).toMatch(/must stay .* when training resumes .* only lossWeights, /);
    }
    await expectMriError(() => loadCheckpoint(saved, { config: { bogus: 1 } as never }));
    await expectMriError(() => loadCheckpoint(saved, { config: { learningRate: -1 } }));
    await expectMriError(() => loadCheckpoint(saved, { config: { lossWeights: 3 } as never }));
  });
});
