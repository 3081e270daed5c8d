import { describe, expect, it } from 'vitest';
import { expectCheckpointChecks } from '../test/checkpoint-checks.js';
import { expectMriError, TINY, useBackend } from '../test/helpers.js';
import { saveCheckpoint } from './checkpoint.js';
import { correctorWeights } from './corrector-weights.js';
import { createModel } from './create-model.js';
import { float16Bits, float16Value } from './internal/float16.js';
import { stateOf } from './internal/model-state.js';

describe('correctorWeights', () => {
  it("reads the corrector path's weights, as the model holds them, from complete and inference checkpoints", async () => {
    await useBackend('cpu');
    const model = createModel({ ...TINY, contentSkips: true }, { seed: 3 });
    const { variables } = stateOf('test', model);
    const full = await saveCheckpoint(model);
    const small = await saveCheckpoint(model, { inference: true });
    const a = correctorWeights(full);
    const b = correctorWeights({ manifest: small.manifest, weights: small.weights.slice().buffer });
    expect(a.config).toEqual(model.config);
    const names = [...a.weights.keys()];
    expect(names).toEqual([...b.weights.keys()]);
    expect(names).toEqual(
      [...variables.keys()].filter((n) => /^(contentEncoderA|decoderF)\//.test(n)),
    );
    expect(names).toContain('decoderF/skip1/b');
    for (const name of names) {
      const held = variables.get(name)!;
      const weight = a.weights.get(name)!;
      expect(weight.shape).toEqual(held.shape);
      expect(weight.values).toEqual(Float32Array.from(held.dataSync()));
      expect(b.weights.get(name)!.values).toEqual(weight.values);
    }
    model.dispose();
  });

  it('reads a float16 inference checkpoint as the weights rounded to float16', async () => {
    await useBackend('cpu');
    const model = createModel({ ...TINY, contentSkips: true }, { seed: 3 });
    const single = correctorWeights(await saveCheckpoint(model, { inference: true }));
    const half = correctorWeights(
      await saveCheckpoint(model, { inference: true, dtype: 'float16' }),
    );
    expect([...half.weights.keys()]).toEqual([...single.weights.keys()]);
    for (const [name, w] of single.weights) {
      const rounded = Float32Array.from(w.values, (x) => float16Value(float16Bits(x)));
      expect(half.weights.get(name)!.values).toEqual(rounded);
    }
    // A half that is not finite is refused, as a float32 one is.
    const { manifest, weights } = await saveCheckpoint(model, {
      inference: true,
      dtype: 'float16',
    });
    const infinite = weights.slice();
    new DataView(infinite.buffer).setUint16(weights.byteLength - 2, 0x7c00, true);
    await expectMriError(() => correctorWeights({ manifest, weights: infinite }), 'CORRUPT_FILE');
    model.dispose();
  });

  it('reads a checkpoint written before outputNorm existed as outputNorm: true', async () => {
    await useBackend('cpu');
    const model = createModel({ ...TINY, outputNorm: true }, { seed: 1 });
    const { manifest, weights } = await saveCheckpoint(model, { inference: true });
    const { outputNorm: _, ...older } = manifest.config;
    const read = correctorWeights({ manifest: { ...manifest, config: older as never }, weights });
    expect(read.config.outputNorm).toBe(true);
    expect(read.weights.has('decoderF/up2/b')).toBe(false);
    model.dispose();
  });

  it('refuses what loadCheckpoint refuses, and non-finite corrector weights', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 8 });
    const { manifest, weights } = await saveCheckpoint(model, { inference: true });
    await expectCheckpointChecks(correctorWeights, { manifest, weights });
    const nan = weights.slice();
    new DataView(nan.buffer).setFloat32(weights.byteLength - 4, Number.NaN, true);
    await expectMriError(() => correctorWeights({ manifest, weights: nan }), 'CORRUPT_FILE');
    await expectMriError(() => correctorWeights(undefined as never));
    model.dispose();
  });
});
