import { createVolume, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, phantom, TINY, useBackend } from '../test/helpers.js';
import { correct } from './correct.js';
import { correctionStatistics } from './correction-statistics.js';
import { createModel } from './create-model.js';

/** The phantom with NaN, +Inf and -Inf at a few voxels, and the same with 0 there. */
function withNonFinite() {
  const volume = phantom(20, 18, 9);
  const bad = new Map([
    [0, Number.NaN],
    [57, Number.POSITIVE_INFINITY],
    [400, Number.NEGATIVE_INFINITY],
    [1000, Number.NaN],
  ]);
  const data = Float32Array.from(volume.data, (v, i) => bad.get(i) ?? v);
  const zeroed = Float32Array.from(data, (v, i) => (bad.has(i) ? 0 : v));
  return { volume: withData(volume, data), zeroed: withData(volume, zeroed), bad };
}

describe('correct: the non-finite policy (options.nonFinite)', () => {
  it("'reject', the default, refuses a NaN or infinite voxel and names the first", async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 1 });
    const { volume } = withNonFinite();
    for (const options of [{}, { nonFinite: 'reject' as const }]) {
      const e = await expectMriError(() => correct(model, volume, options));
      expect(e.message).toBe('correct: volume.data must be finite, got NaN at index 0');
    }
    // Given statistics do not lift the check: the network would still see the NaN.
    await expectMriError(() =>
      correct(model, volume, { intensityRange: { low: 0, high: 160 }, clip: false }),
    );
    expect(() => correctionStatistics(volume, model.config)).toThrow(/got NaN at index 0/);
    model.dispose();
  });

  it("'zero-and-restore' corrects them as 0 and gives NaN there in both outputs", async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 2 });
    const { volume, zeroed, bad } = withNonFinite();
    const copy = Float32Array.from(volume.data);
    for (const axis of [0, 2] as const) {
      const result = await correct(model, volume, { axis, nonFinite: 'zero-and-restore' });
      // Everywhere else: exactly the correction of the volume with 0 in their place (whose
      // statistics, robust range and clip range, include those zeros).
      const reference = await correct(model, zeroed, { axis });
      for (let i = 0; i < volume.data.length; i++) {
        if (bad.has(i)) {
          expect([i, result.corrected.data[i], result.artefactMap.data[i]]).toEqual([
            i,
            Number.NaN,
            Number.NaN,
          ]);
        } else {
          expect(result.corrected.data[i]).toBe(reference.corrected.data[i]);
          expect(result.artefactMap.data[i]).toBe(reference.artefactMap.data[i]);
        }
      }
      expect(result.corrected.shape).toEqual(volume.shape);
    }
    // The input is not touched.
    expect(volume.data).toEqual(copy);
    // The statistics of a correction under the policy are those of the zeroed volume.
    expect(correctionStatistics(volume, model.config, { nonFinite: 'zero-and-restore' })).toEqual(
      correctionStatistics(zeroed, model.config),
    );
    model.dispose();
  });

  it("'zero-and-restore' leaves a finite volume's correction as it is", async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 3 });
    const volume = phantom(16, 16, 2);
    const a = await correct(model, volume);
    const b = await correct(model, volume, { nonFinite: 'zero-and-restore' });
    expect(b.corrected.data).toEqual(a.corrected.data);
    expect(b.artefactMap.data).toEqual(a.artefactMap.data);
    // A volume without a finite voxel is corrected as zeros: NaN everywhere.
    const none = createVolume({ data: new Float32Array(64).fill(Number.NaN), shape: [8, 8] });
    const c = await correct(model, none, { nonFinite: 'zero-and-restore' });
    expect(c.corrected.data.every(Number.isNaN)).toBe(true);
    model.dispose();
  });

  it('refuses another policy', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 1 });
    const volume = phantom(8, 8, 1);
    for (const nonFinite of ['zero', true, null]) {
      const e = await expectMriError(() => correct(model, volume, { nonFinite } as never));
      expect(e.message).toMatch(
        /^correct: options.nonFinite must be 'reject' or 'zero-and-restore', got /,
      );
    }
    await expectMriError(() =>
      correctionStatistics(volume, model.config, { nonFinite: 'zero' } as never),
    );
    model.dispose();
  });
});
