import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brainMask } from './brain-mask.js';
import { dice } from './dice.js';
import { badMaskCases, sameBytes, tissuePhantom, volumeShape } from './internal/test-helpers.js';
import { segmentTissues } from './segment-tissues.js';

// 64x64x40: about 83,000 voxels in the head, more than the 65,536 of the initialisation sample,
// so the seed is used.
const phantom3d = tissuePhantom(64, 64, 40, 12);
const phantom2d = tissuePhantom(128, 128, 1, 12, 11);

describe('segmentTissues', () => {
  it('recovers a noisy 3-D three-class phantom (Dice >= 0.95 per class) with ordered classes', () => {
    const { volume, truth, mask } = phantom3d;
    const result = segmentTissues(volume, { classes: 3, mask });
    const { perClass } = dice(truth, result.labels, { classes: 3 });
    for (const d of perClass) expect(d).toBeGreaterThanOrEqual(0.95);
    expect(result.means[0]).toBeCloseTo(40, -1);
    expect(result.means[1]).toBeCloseTo(90, -1);
    expect(result.means[2]).toBeCloseTo(130, -1);
    for (const s of result.stds) expect(Math.abs(s - 12)).toBeLessThan(3);
    expect(result.converged).toBe(true);
    expect(result.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(result.labels.shape).toEqual(volume.shape);
    expect(result.labels.affine).toEqual(volume.affine);
  });

  it('recovers a noisy 2-D phantom, and the MRF term beats the plain mixture', () => {
    const { volume, truth, mask } = phantom2d;
    const smooth = dice(truth, segmentTissues(volume, { classes: 3, mask }).labels, { classes: 3 });
    const plain = dice(truth, segmentTissues(volume, { classes: 3, mask, beta: 0 }).labels, {
      classes: 3,
    });
    for (const d of smooth.perClass) expect(d).toBeGreaterThanOrEqual(0.95);
    expect(smooth.mean).toBeGreaterThan(plain.mean);
  });

  it('is deterministic per seed and stable across seeds', () => {
    const { volume, mask } = phantom3d;
    const a = segmentTissues(volume, { classes: 3, mask, seed: 5 });
    const b = segmentTissues(volume, { classes: 3, mask, seed: 5 });
    expect(sameBytes(b.labels.data, a.labels.data)).toBe(true);
    expect(b.means).toEqual(a.means);
    expect(b.stds).toEqual(a.stds);
    const c = segmentTissues(volume, { classes: 3, mask, seed: 123456 });
    for (const d of dice(a.labels, c.labels, { classes: 3 }).perClass) {
      expect(d).toBeGreaterThan(0.999);
    }
  });

  it('labels 0 exactly outside the given mask and never modifies its inputs', () => {
    const { volume, mask } = phantom2d;
    const half = mask.map((m, i) => (m && i % 128 < 64 ? 1 : 0));
    const before = Float32Array.from(volume.data);
    const maskBefore = Uint8Array.from(half);
    const { labels, mask: used } = segmentTissues(volume, { classes: 3, mask: half });
    expect(used).toBe(half);
    expect(labels.data.every((l, i) => l > 0 === (half[i] === 1))).toBe(true);
    expect(sameBytes(volume.data, before)).toBe(true);
    expect(sameBytes(half, maskBefore)).toBe(true);
  });

  it('uses brainMask(volume) when no mask is given', () => {
    const { volume } = phantom2d;
    const auto = brainMask(volume);
    const result = segmentTissues(volume, { classes: 3 });
    expect(sameBytes(result.mask, auto)).toBe(true);
    expect(result.labels.data.every((l, i) => l > 0 === (auto[i] === 1))).toBe(true);
  });

  it('returns posteriors that sum to 1 in the mask, 0 outside, with the labels as argmax', () => {
    const { volume, mask } = phantom2d;
    const { labels, posteriors } = segmentTissues(volume, { classes: 3, mask, posteriors: true });
    expect(posteriors).toHaveLength(3);
    let bad = 0;
    for (let i = 0; i < mask.length; i++) {
      const p = posteriors!.map((v) => v.data[i]!);
      const ok = mask[i]
        ? Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-5 && p[labels.data[i]! - 1] === Math.max(...p)
        : p.every((x) => x === 0);
      if (!ok) bad++;
    }
    expect(bad).toBe(0);
  });

  it('segments an image of exactly `classes` values exactly, and classes = 1 labels the mask 1', () => {
    const data = Float32Array.from({ length: 30 * 20 }, (_, i) => [5, 17, 11][(i % 30) % 3]!);
    const volume = createVolume({ data, shape: [30, 20] });
    const all = new Uint8Array(600).fill(1);
    const { labels, means } = segmentTissues(volume, { classes: 3, mask: all });
    expect(means).toEqual([5, 11, 17]);
    for (let i = 0; i < 600; i++) expect(labels.data[i]).toBe({ 5: 1, 11: 2, 17: 3 }[data[i]!]);
    const one = segmentTissues(volume, { classes: 1, mask: all });
    expect(one.labels.data.every((l) => l === 1)).toBe(true);
  });

  it('labels lie in 0..classes, 0 outside the mask, means increase (property)', () => {
    fc.assert(
      fc.property(
        volumeShape(2, 12, 4),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        ([nx, ny, nz], classes, seed) => {
          const n = nx * ny * nz;
          const data = Float32Array.from({ length: n }, (_, i) => ((i * 7919 + seed) % 97) / 3);
          const mask = Uint8Array.from({ length: n }, (_, i) => (i % 5 === 4 ? 0 : 1));
          const volume = createVolume({ data, shape: [nx, ny, nz] });
          const distinct = new Set(data.filter((_, i) => mask[i])).size;
          if (distinct < classes) {
            expect(codeOf(() => segmentTissues(volume, { classes, mask }))).toBe(
              'INVALID_ARGUMENT',
            );
            return;
          }
          const { labels, means } = segmentTissues(volume, { classes, mask, seed });
          for (let i = 0; i < n; i++) {
            const l = labels.data[i]!;
            expect(Number.isInteger(l)).toBe(true);
            expect(l === 0).toBe(mask[i] === 0);
            expect(l).toBeLessThanOrEqual(classes);
          }
          for (let k = 1; k < classes; k++) expect(means[k]!).toBeGreaterThanOrEqual(means[k - 1]!);
        },
      ),
      { numRuns: 40 },
    );
  });

  const v = phantom2d.volume;
  const m = phantom2d.mask;
  it.each([
    ['options missing', () => segmentTissues(v, undefined as never), 'INVALID_ARGUMENT'],
    ['classes missing', () => segmentTissues(v, {} as never), 'INVALID_ARGUMENT'],
    ['classes 0', () => segmentTissues(v, { classes: 0, mask: m }), 'INVALID_ARGUMENT'],
    ['classes 2.5', () => segmentTissues(v, { classes: 2.5, mask: m }), 'INVALID_ARGUMENT'],
    ['classes 17', () => segmentTissues(v, { classes: 17, mask: m }), 'INVALID_ARGUMENT'],
    ['a negative beta', () => segmentTissues(v, { classes: 3, beta: -1 }), 'INVALID_ARGUMENT'],
    [
      'maxIterations 0',
      () => segmentTissues(v, { classes: 3, mask: m, maxIterations: 0 }),
      'INVALID_ARGUMENT',
    ],
    ['tolerance 0', () => segmentTissues(v, { classes: 3, tolerance: 0 }), 'INVALID_ARGUMENT'],
    ['a negative seed', () => segmentTissues(v, { classes: 3, seed: -1 }), 'INVALID_ARGUMENT'],
    [
      'a non-boolean posteriors',
      () => segmentTissues(v, { classes: 3, posteriors: 1 as never }),
      'INVALID_ARGUMENT',
    ],
    ...badMaskCases((mask) => segmentTissues(v, { classes: 3, mask }), m.length, 5),
    [
      'a constant image',
      () =>
        segmentTissues(createVolume({ data: new Float32Array(64).fill(3), shape: [8, 8] }), {
          classes: 3,
          mask: new Uint8Array(64).fill(1),
        }),
      'INVALID_ARGUMENT',
    ],
    [
      'fewer distinct intensities than classes',
      () =>
        segmentTissues(
          createVolume({ data: Float32Array.from({ length: 64 }, (_, i) => i % 2), shape: [8, 8] }),
          { classes: 3, mask: new Uint8Array(64).fill(1) },
        ),
      'INVALID_ARGUMENT',
    ],
    [
      'a NaN voxel',
      () =>
        segmentTissues(createVolume({ data: [0, 1, Number.NaN, 3], shape: [2, 2] }), {
          classes: 2,
        }),
      'INVALID_ARGUMENT',
    ],
    ['not a volume', () => segmentTissues({} as never, { classes: 3 }), 'INVALID_ARGUMENT'],
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
