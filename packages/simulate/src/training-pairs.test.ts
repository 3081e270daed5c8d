import { affineFromSpacing, createRng, createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { argumentError, expectMriError, phantom } from '../test/helpers.js';
import { truncateKspace } from './ringing.js';
import { createTrainingPairs } from './training-pairs.js';

const unitAffine = affineFromSpacing([1, 1, 1]);

describe('createTrainingPairs', () => {
  const volume = phantom(40, 48, 36, [1.2, 1, 1.5]);
  const labels = createVolume({
    data: Float32Array.from(volume.data, (x) => (x > 150 ? 2 : x > 0 ? 1 : 0)),
    shape: volume.shape,
    affine: volume.affine,
  });
  const sources = [{ volume, labels }];

  it('gives each index the same pair whatever the order of calls', () => {
    const a = createTrainingPairs(sources, { seed: 7, size: 32 });
    const b = createTrainingPairs(sources, { seed: 7, size: 32 });
    const late = a.pair(5);
    a.pair(0);
    const again = b.pair(5);
    expect(again.clean).toEqual(late.clean);
    expect(again.corrupted).toEqual(late.corrupted);
    expect(again.mask).toEqual(late.mask);
    expect(again.description).toBe(late.description);
    expect(createTrainingPairs(sources, { seed: 8, size: 32 }).pair(5).clean).not.toEqual(
      late.clean,
    );
  });

  it('returns size x size images on one scale, a head mask, and a share of clean pairs', () => {
    const pairs = createTrainingPairs(sources, { seed: 1, size: 32, cleanFraction: 0.3 });
    let cleanPairs = 0;
    const n = 60;
    for (let i = 0; i < n; i++) {
      const p = pairs.pair(i);
      expect(p.clean).toHaveLength(32 * 32);
      expect(p.corrupted).toHaveLength(32 * 32);
      expect(p.mask).toHaveLength(32 * 32);
      expect(p.clean.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
      expect(p.corrupted.every((x) => Number.isFinite(x))).toBe(true);
      // The head's 99.5th percentile is rescaled to 1 (before a noise floor of at most 0.04).
      const sorted = Float32Array.from(p.clean).sort();
      expect(sorted[sorted.length - 1]!).toBeLessThan(1.6);
      expect(sorted[Math.floor(0.995 * sorted.length)]!).toBeGreaterThan(0.5);
      // Every bright pixel is inside the mask; the mask is not everything.
      const inside = p.mask.reduce((s, m) => s + m, 0);
      expect(inside).toBeGreaterThan(0);
      for (let k = 0; k < p.clean.length; k++) {
        if (p.clean[k]! > 0.2) expect(p.mask[k]).toBe(1);
      }
      if (p.description.endsWith('| clean')) {
        cleanPairs++;
        expect(p.corrupted).toEqual(p.clean);
      } else {
        expect(p.corrupted).not.toEqual(p.clean);
        expect(p.description).toMatch(/motion|ghosting/);
      }
    }
    expect(cleanPairs).toBeGreaterThan(n * 0.1);
    expect(cleanPairs).toBeLessThan(n * 0.55);
  });

  it('without randomisation it resamples the slice itself', () => {
    const pairs = createTrainingPairs([{ volume }], {
      seed: 3,
      size: 32,
      contrast: false,
      geometry: false,
      acquisition: false,
      cleanFraction: 1,
      axes: [2],
    });
    const p = pairs.pair(0);
    expect(p.description).toMatch(/^src0 axis2 k\d+ \| clean$/);
    // The phantom has two intensity levels (100 and 160, scaled by its percentiles): no look-up
    // table, so the brightest pixels are the inner ellipse and the image is not constant.
    const max = Math.max(...p.clean);
    expect(max).toBeGreaterThan(0.9);
    expect(Math.min(...p.clean)).toBe(0);
  });

  it('uses label maps for synthesis when asked', () => {
    const pairs = createTrainingPairs(sources, { seed: 2, size: 32, synthesisProbability: 1 });
    expect(pairs.pair(0).description).toMatch(/synth2/);
    const none = createTrainingPairs([{ volume }], { seed: 2, size: 32, synthesisProbability: 1 });
    expect(none.pair(0).description).not.toMatch(/synth/);
  });

  it('draws one of several label maps for each synthesised image', () => {
    // A second map subdivides label 1 into two regions by x, as an atlas subdivides a tissue.
    const nx = volume.shape[0];
    const regions = createVolume({
      data: Float32Array.from(labels.data, (l, k) => (l === 1 && k % nx < nx / 2 ? 3 : l)),
      shape: volume.shape,
      affine: volume.affine,
    });
    const multi = createTrainingPairs([{ volume, labels: [labels, regions] }], {
      seed: 2,
      size: 32,
      synthesisProbability: 1,
    });
    const used = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const d = multi.pair(i).description;
      const m = / synth(\d+) map(\d)/.exec(d);
      expect(m, d).not.toBeNull();
      // Map 0 has labels up to 2, map 1 up to 3: the description names the map actually drawn.
      expect(m![1]).toBe(m![2] === '0' ? '2' : '3');
      used.add(m![2]!);
    }
    expect([...used].sort()).toEqual(['0', '1']);
    // A single map given as a one-element array draws it without consuming a draw: same pairs.
    const single = createTrainingPairs([{ volume, labels }], {
      seed: 2,
      size: 32,
      synthesisProbability: 1,
    });
    const asArray = createTrainingPairs([{ volume, labels: [labels] }], {
      seed: 2,
      size: 32,
      synthesisProbability: 1,
    });
    expect(asArray.pair(3).clean).toEqual(single.pair(3).clean);
    expectMriError(
      () =>
        createTrainingPairs(
          [
            {
              volume,
              labels: [
                labels,
                createVolume({ data: new Float32Array(8 * 8 * 2), shape: [8, 8, 2] }),
              ],
            },
          ],
          { seed: 1 },
        ),
      argumentError('sources[0].labels[1]'),
    );
    expectMriError(
      () => createTrainingPairs([{ volume, labels: [] }], { seed: 1 }),
      argumentError('sources[0].labels'),
    );
  });

  it('acquires a share of the motion in interleaved shots; pairs without motion do not depend on it', () => {
    const count = (fraction?: number) => {
      const pairs = createTrainingPairs(sources, {
        seed: 4,
        size: 32,
        cleanFraction: 0,
        ...(fraction === undefined ? {} : { multiShotFraction: fraction }),
      });
      let shots = 0;
      let motion = 0;
      for (let i = 0; i < 40; i++) {
        const d = pairs.pair(i).description;
        if (d.includes('motion:')) motion++;
        if (d.includes(',shots)')) shots++;
      }
      return { shots, motion };
    };
    const all = count(1);
    expect(all.motion).toBeGreaterThan(10);
    expect(all.shots).toBe(all.motion);
    expect(count(0).shots).toBe(0);
    const half = count();
    expect(half.shots).toBeGreaterThan(0);
    expect(half.shots).toBeLessThan(half.motion);
    // Only motion draws the multi-shot choice: other pairs are the same with it on or off.
    const on = createTrainingPairs(sources, { seed: 4, size: 32, multiShotFraction: 1 });
    const off = createTrainingPairs(sources, { seed: 4, size: 32, multiShotFraction: 0 });
    let compared = 0;
    for (let i = 0; i < 40; i++) {
      const a = on.pair(i);
      if (a.description.includes('motion:')) continue;
      compared++;
      expect(off.pair(i).corrupted).toEqual(a.corrupted);
      expect(off.pair(i).description).toBe(a.description);
    }
    expect(compared).toBeGreaterThan(3);
  });

  it('adds the noise artefact to a share noiseFraction of the corrupted pairs; other pairs do not depend on it', () => {
    const options = { seed: 6, size: 32, cleanFraction: 0 };
    const withNoise = (pairs: ReturnType<typeof createTrainingPairs>) =>
      Array.from({ length: 60 }, (_, i) => pairs.pair(i).description.includes('noise:'));
    const byDefault = withNoise(createTrainingPairs(sources, options)).filter(Boolean).length;
    expect(byDefault).toBeGreaterThan(2);
    expect(byDefault).toBeLessThan(20);
    expect(
      withNoise(createTrainingPairs(sources, { ...options, noiseFraction: 1 })).every(Boolean),
    ).toBe(true);
    const none = createTrainingPairs(sources, { ...options, noiseFraction: 0 });
    expect(withNoise(none).some(Boolean)).toBe(false);
    // The choice is drawn either way: a pair without the noise artefact under both is the same.
    const usual = createTrainingPairs(sources, options);
    let compared = 0;
    for (let i = 0; i < 60; i++) {
      const a = usual.pair(i);
      if (a.description.includes('noise:')) continue;
      compared++;
      expect(none.pair(i).corrupted).toEqual(a.corrupted);
      expect(none.pair(i).description).toBe(a.description);
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('band-limits a share kspaceTruncation of the clean images; every other draw is the same', () => {
    const options = { seed: 4, size: 32, noiseFloor: [0, 0] as const };
    const plain = createTrainingPairs(sources, options);
    const all = createTrainingPairs(sources, { ...options, kspaceTruncation: 1 });
    const some = createTrainingPairs(sources, { ...options, kspaceTruncation: 0.5 });
    let banded = 0;
    for (let i = 0; i < 40; i++) {
      const a = plain.pair(i);
      const b = all.pair(i);
      // The documented draws: the pair's second generator, then the kept fraction of each axis.
      const band = createRng(Number.MAX_SAFE_INTEGER - (4 * 2 ** 21 + i));
      band.float();
      const keep = [0.5 + 0.5 * band.float(), 0.5 + 0.5 * band.float()] as const;
      expect(b.description.replace(/ band\S+/, '')).toBe(a.description);
      expect(b.description).toContain(` band${keep[0].toFixed(2)}x${keep[1].toFixed(2)}`);
      // Without a noise floor, the band-limited image is the plain one cut in k-space (a linear
      // operation, so up to the rescale of the 99.5th percentile to 1): the same slice, contrast
      // and corruption draws, only the band limit differs.
      const cut = truncateKspace(
        createVolume({ data: a.clean, shape: [32, 32, 1], affine: unitAffine }),
        [keep[0], keep[1], 1],
      ).data;
      let dot = 0;
      let norm = 0;
      for (let k = 0; k < cut.length; k++) {
        dot += cut[k]! * b.clean[k]!;
        norm += cut[k]! * cut[k]!;
      }
      const scale = dot / norm;
      let worst = 0;
      for (let k = 0; k < cut.length; k++) {
        worst = Math.max(worst, Math.abs(b.clean[k]! - scale * cut[k]!));
      }
      expect(worst).toBeLessThan(1e-4);
      expect(Math.abs(scale - 1)).toBeLessThan(0.5);
      // Cut before the rescale: the band-limited image's head has its 99.5th percentile at 1.
      const fg = b.clean.filter((x) => x > 1e-3).sort();
      expect(fg[Math.floor(0.995 * (fg.length - 1))]!).toBeCloseTo(1, 1);
      // ... and before the corruption, which acts on the cut image.
      if (b.description.endsWith('| clean')) expect(b.corrupted).toEqual(b.clean);
      else expect(b.corrupted).not.toEqual(a.corrupted);
      if (Math.min(...keep) < 0.9) expect(b.clean).not.toEqual(a.clean);
      if (some.pair(i).description.includes(' band')) banded++;
      else expect(some.pair(i).corrupted).toEqual(a.corrupted);
    }
    expect(banded).toBeGreaterThan(8);
    expect(banded).toBeLessThan(32);
  });

  it('draws the noise floor from noiseFloor', () => {
    const pairs = createTrainingPairs(sources, { seed: 5, size: 32, noiseFloor: [0.05, 0.05] });
    const floors = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const m = pairs.pair(i).description.match(/noise(0\.\d+)/);
      if (m) floors.add(m[1]!);
    }
    expect([...floors]).toEqual(['0.050']);
    // Background pixels of a clean pair are Rician with that σ: their mean is σ·sqrt(π/2).
    const p = createTrainingPairs(sources, {
      seed: 5,
      size: 32,
      noiseFloor: [0.05, 0.05],
      geometry: false,
      contrast: false,
    });
    const with0 = Array.from({ length: 20 }, (_, i) => p.pair(i)).find((q) =>
      q.description.includes('noise0.050'),
    )!;
    let sum = 0;
    let n = 0;
    for (let k = 0; k < with0.clean.length; k++) {
      if (!with0.mask[k]) {
        sum += with0.clean[k]!;
        n++;
      }
    }
    expect(n).toBeGreaterThan(50);
    expect(sum / n).toBeGreaterThan(0.05 * Math.sqrt(Math.PI / 2) * 0.8);
    expect(sum / n).toBeLessThan(0.05 * Math.sqrt(Math.PI / 2) * 1.2);
  });

  it('with noiseAfterCorruption, adds one noise floor to both images after the corruption', () => {
    const options = { seed: 5, size: 32, noiseFloor: [0.05, 0.05] as const, cleanFraction: 0 };
    const before = createTrainingPairs(sources, options);
    const after = createTrainingPairs(sources, { ...options, noiseAfterCorruption: true });
    // σ = 0 draws every value the same way and adds nothing: the noise-free pair.
    const noiseFree = createTrainingPairs(sources, { ...options, noiseFloor: [0, 0] });
    // Shares of pixels where the two images differ by more than their noise-free versions do.
    // One complex draw n added to both gives ||c + n| - |x + n|| <= |c - x| everywhere.
    const beyond = (p: { clean: Float32Array; corrupted: Float32Array }, free: typeof p) => {
      let count = 0;
      for (let k = 0; k < p.clean.length; k++) {
        const noisy = Math.abs(p.corrupted[k]! - p.clean[k]!);
        if (noisy > Math.abs(free.corrupted[k]! - free.clean[k]!) + 1e-5) count++;
      }
      return count / p.clean.length;
    };
    let noisy = 0;
    for (let i = 0; i < 20; i++) {
      const b = before.pair(i);
      const a = after.pair(i);
      // Every other draw is the same: the description, the mask, and the clean image (the
      // same noise, added at another moment: equal up to float32 rounding).
      expect(a.description).toBe(b.description.replace(/noise0\.050/, 'noise0.050 after'));
      expect(a.mask).toEqual(b.mask);
      for (let k = 0; k < a.clean.length; k++) {
        expect(Math.abs(a.clean[k]! - b.clean[k]!)).toBeLessThan(1e-6);
      }
      if (!b.description.includes('noise0.050')) {
        // No noise floor: nothing changes at all.
        expect(a.corrupted).toEqual(b.corrupted);
        continue;
      }
      noisy++;
      const free = noiseFree.pair(i);
      expect(beyond(a, free)).toBe(0);
      // Before, the corruption moves the noise: the two images' noise differs.
      expect(beyond(b, free)).toBeGreaterThan(0.2);
    }
    expect(noisy).toBeGreaterThan(5);
  });

  it('rejects bad sources, options and indices with MriError', () => {
    expectMriError(() => createTrainingPairs([], { seed: 1 }), argumentError('sources'));
    expectMriError(
      () => createTrainingPairs(sources, { seed: 1, size: 30 }),
      argumentError('options.size'),
    );
    expectMriError(() => createTrainingPairs(sources, { seed: -1 }), argumentError('options.seed'));
    expectMriError(
      () => createTrainingPairs(sources, { seed: 1, axes: [3 as 0] }),
      argumentError('options.axes'),
    );
    expectMriError(
      () => createTrainingPairs(sources, { seed: 1, cleanFraction: 2 }),
      argumentError('options.cleanFraction'),
    );
    expectMriError(
      () => createTrainingPairs(sources, { seed: 1, multiShotFraction: -0.1 }),
      argumentError('options.multiShotFraction'),
    );
    expectMriError(
      () => createTrainingPairs(sources, { seed: 1, headFill: [0.05, 1] }),
      argumentError('options.headFill'),
    );
    expectMriError(
      () => createTrainingPairs(sources, { seed: 1, noiseAfterCorruption: 1 as never }),
      argumentError('options.noiseAfterCorruption'),
    );
    for (const kspaceTruncation of [1.5, -0.1, Number.NaN, '0.5'] as never[]) {
      expectMriError(
        () => createTrainingPairs(sources, { seed: 1, kspaceTruncation }),
        argumentError('options.kspaceTruncation'),
      );
    }
    for (const noiseFraction of [1.5, -0.1, Number.NaN, '0.5'] as never[]) {
      expectMriError(
        () => createTrainingPairs(sources, { seed: 1, noiseFraction }),
        argumentError('options.noiseFraction'),
      );
    }
    for (const noiseFloor of [[0.02, 0.01], [0, 0.6], [0.01]] as never[]) {
      expectMriError(
        () => createTrainingPairs(sources, { seed: 1, noiseFloor }),
        argumentError('options.noiseFloor'),
      );
    }
    const empty = createVolume({ data: new Float32Array(8 * 8 * 2), shape: [8, 8, 2] });
    expectMriError(
      () => createTrainingPairs([{ volume: empty }], { seed: 1 }),
      argumentError('sources'),
    );
    const wrongLabels = createVolume({ data: new Float32Array(8 * 8 * 2), shape: [8, 8, 2] });
    expectMriError(
      () => createTrainingPairs([{ volume, labels: wrongLabels }], { seed: 1 }),
      argumentError('sources[0].labels'),
    );
    const pairs = createTrainingPairs(sources, { seed: 1, size: 32 });
    expectMriError(() => pairs.pair(-1), argumentError('index'));
    expectMriError(() => pairs.pair(2 ** 21), argumentError('index'));
    expectMriError(() => pairs.pair(1.5), argumentError('index'));
  });
});
