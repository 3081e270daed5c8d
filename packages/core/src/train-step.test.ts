import { createVolume, type Volume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, maxAbsDiff, phantom, TINY, tf, useBackend } from '../test/helpers.js';
import { STEP_LOSSES } from '../test/training-losses.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { createModel } from './create-model.js';
import { stateOf } from './internal/model-state.js';
import { trainStep } from './train-step.js';

function normalisedPhantom(shift: number, noise = 0): Volume {
  const p = phantom(32, 32, 1, shift);
  let k = shift + 1;
  return createVolume({
    data: p.data.map((v) => {
      k = (k * 16807) % 2147483647;
      return v / 160 + noise * (k / 2147483647 - 0.5);
    }),
    shape: [32, 32],
  });
}

const batch = {
  clean: [normalisedPhantom(0), normalisedPhantom(3)],
  corrupted: [normalisedPhantom(-2, 0.3), normalisedPhantom(1, 0.3)],
};

describe('trainStep', () => {
  it('returns the seven finite losses, counts steps and changes every network', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 2 });
    const s = stateOf('test', model);
    const before = new Map([...s.variables].map(([n, v]) => [n, v.dataSync().slice()]));
    const losses = await trainStep(model, batch);
    expect(Object.keys(losses).sort()).toEqual(STEP_LOSSES);
    for (const k of STEP_LOSSES)
      expect(Number.isFinite(losses[k as keyof typeof losses]), k).toBe(true);
    expect(model.step).toBe(1);
    expect(s.adamDiscriminator.step).toBe(1);
    for (const [name, v] of s.variables) {
      expect(maxAbsDiff(v.dataSync(), before.get(name)!), name).toBeGreaterThan(0);
    }
    model.dispose();
  });

  it('leaks no tensor across steps', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 2 });
    await trainStep(model, batch);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await trainStep(model, batch, { learningRate: 1e-3 });
    expect(tf.memory().numTensors).toBe(n);
    model.dispose();
  });

  it('is deterministic, and a saved and loaded model takes the identical next step', async () => {
    await useBackend('wasm');
    const a = createModel({ ...TINY, poolSize: 2 }, { seed: 5 });
    const b = createModel({ ...TINY, poolSize: 2 }, { seed: 5 });
    for (let i = 0; i < 3; i++) {
      expect(await trainStep(a, batch)).toEqual(await trainStep(b, batch));
    }
    const checkpoint = await saveCheckpoint(a);
    const c = await loadCheckpoint({
      manifest: JSON.parse(JSON.stringify(checkpoint.manifest)),
      weights: checkpoint.weights.slice(),
    });
    expect(c.step).toBe(3);
    const la = await trainStep(a, batch);
    const lc = await trainStep(c, batch);
    expect(lc).toEqual(la);
    const sa = stateOf('test', a);
    const sc = stateOf('test', c);
    for (const [name, v] of sa.variables) {
      expect(maxAbsDiff(v.dataSync(), sc.variables.get(name)!.dataSync()), name).toBe(0);
    }
    for (const [name, v] of sa.adamGenerator.v) {
      expect(maxAbsDiff(v.dataSync(), sc.adamGenerator.v.get(name)!.dataSync()), name).toBe(0);
    }
    for (const m of [a, b, c]) m.dispose();
  });

  it('rejects bad batches with MriError', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 2 });
    const small = createVolume({ data: new Float32Array(16 * 16), shape: [16, 16] });
    const odd = createVolume({ data: new Float32Array(34 * 32), shape: [34, 32] });
    const threeD = createVolume({ data: new Float32Array(32 * 32 * 2), shape: [32, 32, 2] });
    await expectMriError(() => trainStep(model, { clean: [], corrupted: [] }));
    await expectMriError(() => trainStep(model, { clean: [small], corrupted: [small] }));
    await expectMriError(() => trainStep(model, { clean: [odd], corrupted: [odd] }));
    await expectMriError(() => trainStep(model, { clean: [threeD], corrupted: [threeD] }));
    await expectMriError(
      () => trainStep(model, { clean: batch.clean, corrupted: [batch.corrupted[0]!] }),
      'SHAPE_MISMATCH',
    );
    await expectMriError(() => trainStep(model, batch, { learningRate: -1 }));
    await expectMriError(() => trainStep({} as never, batch));
    model.dispose();
    await expectMriError(() => trainStep(model, batch));
  });
});
