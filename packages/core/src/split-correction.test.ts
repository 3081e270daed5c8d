import { createVolume, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, phantom, TINY, useBackend } from '../test/helpers.js';
import { assertSliceSize } from './assert-slice-size.js';
import { correct } from './correct.js';
import { createModel } from './create-model.js';
import { splitCorrection } from './split-correction.js';

describe('splitCorrection', () => {
  it('corrects runs of slices separately, bit for bit as one pass with the same batches', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 8 });
    const base = phantom(18, 16, 10);
    // A NaN and an infinity, under 'zero-and-restore'; the reject case has none.
    const withBad = withData(
      base,
      Float32Array.from(base.data, (v, i) =>
        i === 5 ? Number.NaN : i === 700 ? Number.POSITIVE_INFINITY : v,
      ),
    );
    for (const [volume, nonFinite] of [
      [base, 'reject'],
      [withBad, 'zero-and-restore'],
    ] as const) {
      for (const axis of [0, 1, 2] as const) {
        const reference = await correct(model, volume, { axis, batchSize: 3, nonFinite });
        const split = splitCorrection(volume, model.config, { axis, nonFinite });
        expect(split.options.axis).toBe(axis);
        // Mirror averaging is on by default, in the reference pass and in every run.
        expect(split.options.flips).toBe(true);
        expect(split.slices).toBe(volume.shape[axis]);
        const runs = split.runs(3);
        // Out of order, as workers finish them.
        for (const run of runs.reverse()) {
          const voxels = split.extract(run);
          const { corrected } = await correct(model, createVolume(voxels), {
            ...split.options,
            batchSize: run.count,
          });
          split.insert(run, corrected.data);
        }
        const { corrected, artefactMap } = split.finish();
        expect([nonFinite, axis, corrected.data]).toEqual([
          nonFinite,
          axis,
          reference.corrected.data,
        ]);
        expect(artefactMap.data).toEqual(reference.artefactMap.data);
        expect(corrected.affine).toEqual(volume.affine);
      }
    }
    model.dispose();
  });

  it('refuses bad volumes, options and runs with MriError', async () => {
    const config = { lowPercentile: 0.5, highPercentile: 99.5 };
    const volume = phantom(12, 10, 4);
    const nan = withData(
      volume,
      Float32Array.from(volume.data, (v, i) => (i === 3 ? Number.NaN : v)),
    );
    await expectMriError(() => splitCorrection(nan, config));
    await expectMriError(() => splitCorrection(phantom(12, 6, 4), config));
    await expectMriError(() => splitCorrection(volume, config, { axis: 3 as never }));
    await expectMriError(() => splitCorrection(volume, { lowPercentile: 60, highPercentile: 40 }));
    const split = splitCorrection(volume, config);
    await expectMriError(() => split.runs(0));
    await expectMriError(() => split.extract({ start: 3, count: 2 }));
    await expectMriError(
      () => split.insert({ start: 0, count: 2 }, new Float32Array(5)),
      'INTERNAL',
    );
    split.insert({ start: 0, count: 2 }, new Float32Array(12 * 10 * 2));
    const missing = await expectMriError(() => split.finish(), 'INTERNAL');
    expect(missing.message).toMatch(/got slice 2 of 4 missing/);
  });
});

describe('assertSliceSize', () => {
  it('accepts 8x8 slices and names the axis option and the shape of smaller ones', async () => {
    assertSliceSize([8, 8, 1], 2, 'test');
    assertSliceSize([8, 3, 8], 1, 'test');
    const e = await expectMriError(() =>
      assertSliceSize([256, 256, 4], 1, 'duncan correct', '--axis'),
    );
    expect(e.message).toBe(
      'duncan correct: volume slices along --axis y must be at least 8x8 voxels, got 256x4 (volume 256x256x4)',
    );
    const f = await expectMriError(() => assertSliceSize([6, 6, 2], 2, 'correct'));
    expect(f.message).toMatch(
      /^correct: volume slices along axis 2 must be at least 8x8 voxels, got 6x6/,
    );
  });
});
