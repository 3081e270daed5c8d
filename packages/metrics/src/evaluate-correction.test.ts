import { codeOf } from '@duncan-mri/test-helpers';
import { createRng, createVolume, type Volume, withData } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCorrection } from './evaluate-correction.js';
import { headMask } from './head-mask.js';
import { headPhantom } from './internal/head-phantom.js';
import { pairedBootstrap } from './paired-bootstrap.js';
import type { CorrectionCase, CorrectionLabels } from './score-correction-case.js';

const clean = headPhantom(32, 32, 4, 1).volume;
const labels = (
  subject = 's1',
  artefact = 'motion',
  severity = 'severe',
  contrast = 'T1',
): CorrectionLabels => ({ subject, contrast, artefact, severity });

/** The clean image plus a ghost (a copy shifted by half the field along y) and noise. */
function ghosted(volume: Volume, strength: number, seed: number): Volume {
  const [nx, ny, nz] = volume.shape;
  const rng = createRng(seed);
  const out = new Float32Array(volume.data.length);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        const j = x + nx * (((y + ny / 2) % ny) + ny * z);
        out[i] = volume.data[i]! + strength * volume.data[j]! + rng.normal(0, 2);
      }
  return withData(volume, out);
}

/** Adds `value` to the air (outside the phantom's head). */
function haze(volume: Volume, value: number, inside: Uint8Array): Volume {
  return withData(
    volume,
    volume.data.map((v, i) => (inside[i] ? v : v + value)),
  );
}

describe('evaluateCorrection', () => {
  it('a model that changes nothing gains exactly 0 over unchanged, with a zero-width interval', () => {
    const corrupted = ghosted(clean, 0.2, 1);
    const report = evaluateCorrection([
      { clean, corrupted, corrected: corrupted, labels: labels() },
    ]);
    for (const g of report.groups) {
      for (const region of [g.inHead, g.wholeImage]) {
        for (const metric of ['ssim', 'psnr', 'nrmse'] as const) {
          expect(region.gains.model![metric]).toEqual({ mean: 0, low: 0, high: 0 });
        }
        expect(region.modelBeatsBaselines).toBe(false);
      }
    }
    expect(report.groups.map((g) => g.kind)).toEqual([
      'subject',
      'artefact',
      'contrast',
      'overall',
    ]);
    expect(report.groups[0]!.slices).toBe(4);
  });

  it('a model that returns the clean image scores SSIM 1 in the head and beats every baseline', () => {
    const corrupted = ghosted(clean, 0.25, 2);
    const report = evaluateCorrection([{ clean, corrupted, corrected: clean, labels: labels() }], {
      seed: 5,
    });
    const overall = report.groups.at(-1)!;
    expect(overall.kind).toBe('overall');
    const m = overall.inHead.means.model!;
    expect(m.ssim).toBeCloseTo(1, 6);
    expect(m.psnr).toBe(Number.POSITIVE_INFINITY);
    expect(m.nrmse).toBe(0);
    expect(overall.inHead.modelBeatsBaselines).toBe(true);
    expect(overall.inHead.modelBeatsBaselinesCi).toBe(true);
    expect(overall.inHead.modelVsBestBaseline!.ssim.low).toBeGreaterThan(0);
    // PSNR differences are infinite: a mean, but no interval
    expect(overall.inHead.gains.model!.psnr).toEqual({
      mean: Number.POSITIVE_INFINITY,
      low: null,
      high: null,
    });
    expect(overall.inHead.gains.model!.nrmse.high).toBeLessThan(0);
  });

  it('the threshold baseline cleans the background but leaves the head almost unchanged', () => {
    // a head in the middle of a field of air, as in a real scan
    const small = headPhantom(32, 32, 4, 1, 11, 0.6);
    const corrupted = haze(ghosted(small.volume, 0, 3), 4, small.head);
    const report = evaluateCorrection([{ clean: small.volume, corrupted, labels: labels() }]);
    const g = report.groups[0]!;
    expect(g.inHead.means.model).toBeNull();
    expect(g.inHead.gains.model).toBeNull();
    expect(g.inHead.modelBeatsBaselines).toBeNull();
    const inHead = g.inHead.gains.threshold.ssim.mean;
    const whole = g.wholeImage.gains.threshold.ssim.mean;
    expect(Math.abs(inHead)).toBeLessThan(0.01);
    expect(whole).toBeGreaterThan(0.03);
    expect(whole).toBeGreaterThan(5 * Math.abs(inHead));
    expect(g.wholeImage.gains.threshold.ssim.low).toBeGreaterThan(0);
    expect(g.wholeImage.bestBaseline).toBe('threshold');
  });

  it('the median baseline removes impulse noise in the head', () => {
    const large = headPhantom(64, 64, 2, 1);
    const rng = createRng(4);
    const corrupted = withData(
      large.volume,
      large.volume.data.map((v, i) => (large.head[i] && rng.float() < 0.1 ? v + 80 : v)),
    );
    const g = evaluateCorrection([{ clean: large.volume, corrupted, labels: labels() }]).groups[0]!;
    expect(g.inHead.gains.median.ssim.low).toBeGreaterThan(0.1);
    expect(g.inHead.bestBaseline).toBe('median');
  });

  it('groups: subject rows, artefact x severity, contrast and overall without clean-through cases', () => {
    const cleanThrough = withData(
      clean,
      clean.data.map((v) => v * 1.01),
    );
    const cases: CorrectionCase[] = [
      { clean, corrupted: ghosted(clean, 0.2, 1), corrected: clean, labels: labels('s1') },
      { clean, corrupted: ghosted(clean, 0.2, 2), labels: labels('s2') },
      { clean, corrupted: clean, corrected: cleanThrough, labels: labels('s1', 'none', 'none') },
      {
        clean,
        corrupted: ghosted(clean, 0.1, 3),
        corrected: clean,
        labels: labels('s1', 'ghosting', 'mild', 'T2'),
      },
    ];
    const report = evaluateCorrection(cases, { seed: 9, resamples: 300 });
    const rows = report.groups.map((g) => [g.kind, g.name, g.cases, g.slices]);
    expect(rows).toEqual([
      ['subject', 's1, T1, motion, severe', 1, 4],
      ['subject', 's2, T1, motion, severe', 1, 4],
      ['subject', 's1, T1, none, none', 1, 4],
      ['subject', 's1, T2, ghosting, mild', 1, 4],
      ['artefact', 'motion, severe (all subjects)', 2, 8],
      ['artefact', 'none, none (all subjects)', 1, 4],
      ['artefact', 'ghosting, mild (all subjects)', 1, 4],
      ['contrast', 'T1 (all artefacts)', 2, 8],
      ['contrast', 'T2 (all artefacts)', 1, 4],
      ['overall', 'overall (all artefacts)', 3, 12],
    ]);
    expect(report.groups[4]).toMatchObject({
      subject: null,
      contrast: null,
      artefact: 'motion',
      severity: 'severe',
    });
    // s2 has no correction: no model scores wherever it is pooled
    expect(report.groups.map((g) => g.inHead.means.model !== null)).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
    // clean-through: unchanged is the clean image itself
    const none = report.groups[2]!.inHead;
    expect(none.means.unchanged.ssim).toBe(1);
    expect(none.means.unchanged.psnr).toBe(Number.POSITIVE_INFINITY);
    expect(none.means.model!.ssim).toBeGreaterThan(0.99);
    expect(none.means.model!.ssim).toBeLessThan(1);
    expect(none.modelBeatsBaselines).toBe(false);
    expect(none.gains.model!.psnr.low).toBeNull();
    // the per-case slices, and every interval reproducible with pairedBootstrap
    expect(report.cases.map((c) => c.slices.model?.length ?? null)).toEqual([4, null, 4, 4]);
    const s1 = report.cases[0]!.slices;
    const again = pairedBootstrap(
      s1.unchanged.map((s) => s.inMask.ssim),
      s1.model!.map((s) => s.inMask.ssim),
      { seed: 9, resamples: 300 },
    );
    const gain = report.groups[0]!.inHead.gains.model!.ssim;
    expect([gain.mean, gain.low, gain.high]).toEqual([again.mean, again.low, again.high]);
    const whole = pairedBootstrap(
      s1.unchanged.map((s) => s.whole.nrmse),
      s1.threshold.map((s) => s.whole.nrmse),
      { seed: 9, resamples: 300 },
    );
    const t = report.groups[0]!.wholeImage.gains.threshold.nrmse;
    expect([t.mean, t.low, t.high]).toEqual([whole.mean, whole.low, whole.high]);
    expect(report.settings).toEqual({
      seed: 9,
      resamples: 300,
      confidence: 0.95,
      thresholdFraction: 0.05,
      robustMaxPercentile: 99.5,
    });
  });

  it('uses a given brain mask instead of the head mask; same inputs, same report', () => {
    const corrupted = ghosted(clean, 0.2, 6);
    const brain = Uint8Array.from(clean.data, (v) => (v > 90 ? 1 : 0));
    const given = evaluateCorrection([
      { clean, corrupted, corrected: clean, labels: labels(), brainMask: brain },
    ]);
    expect(given.cases[0]).toMatchObject({
      mask: 'brainMask',
      maskVoxels: brain.reduce((a, b) => a + b, 0),
    });
    const auto = evaluateCorrection([{ clean, corrupted, corrected: clean, labels: labels() }]);
    expect(auto.cases[0]).toMatchObject({
      mask: 'headMask',
      maskVoxels: headMask(clean).reduce((a, b) => a + b, 0),
    });
    expect(evaluateCorrection([{ clean, corrupted, corrected: clean, labels: labels() }])).toEqual(
      auto,
    );
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of clean.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(auto.cases[0]!.dataRange).toBe(hi - lo);
  });

  it('gains are differences of means, intervals hold them, the verdict follows the means (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, ghost, blend) => {
          const base = headPhantom(20, 18, 2, 1, seed).volume;
          const corrupted = ghosted(base, ghost, seed);
          // a "model" between the corrupted and the clean image
          const corrected = withData(
            base,
            base.data.map((v, i) => blend * v + (1 - blend) * corrupted.data[i]!),
          );
          const report = evaluateCorrection(
            [{ clean: base, corrupted, corrected, labels: labels() }],
            { seed, resamples: 60 },
          );
          expect(
            evaluateCorrection([{ clean: base, corrupted, corrected, labels: labels() }], {
              seed,
              resamples: 60,
            }),
          ).toEqual(report);
          for (const g of report.groups) {
            for (const r of [g.inHead, g.wholeImage]) {
              const m = r.means;
              for (const method of ['unchanged', 'threshold', 'median'] as const) {
                expect(m[method].ssim).toBeLessThanOrEqual(1 + 1e-12);
              }
              const gain = r.gains.model!.ssim;
              expect(gain.mean).toBeCloseTo(m.model!.ssim - m.unchanged.ssim, 10);
              expect(gain.low!).toBeLessThanOrEqual(gain.mean + 1e-12);
              expect(gain.high!).toBeGreaterThanOrEqual(gain.mean - 1e-12);
              const best = Math.max(m.unchanged.ssim, m.threshold.ssim, m.median.ssim);
              expect(m[r.bestBaseline].ssim).toBe(best);
              expect(r.modelBeatsBaselines).toBe(m.model!.ssim > best);
              if (r.modelBeatsBaselinesCi) expect(r.modelBeatsBaselines).toBe(true);
            }
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  const ok = { clean, corrupted: clean, labels: labels() };
  const small = createVolume({ data: new Float32Array(100).fill(1), shape: [10, 10] });
  it.each([
    ['an empty array', () => evaluateCorrection([]), 'INVALID_ARGUMENT'],
    ['not an array', () => evaluateCorrection(ok as never), 'INVALID_ARGUMENT'],
    ['a case that is not an object', () => evaluateCorrection([3 as never]), 'INVALID_ARGUMENT'],
    [
      'a missing label',
      () => evaluateCorrection([{ ...ok, labels: { subject: 's' } as never }]),
      'INVALID_ARGUMENT',
    ],
    [
      'an empty label',
      () => evaluateCorrection([{ ...ok, labels: labels('') }]),
      'INVALID_ARGUMENT',
    ],
    [
      'a corrupted image of another shape',
      () => evaluateCorrection([{ ...ok, corrupted: headPhantom(32, 32, 3).volume }]),
      'SHAPE_MISMATCH',
    ],
    [
      'a corrected image of another shape',
      () => evaluateCorrection([{ ...ok, corrected: headPhantom(32, 30, 4).volume }]),
      'SHAPE_MISMATCH',
    ],
    [
      'a brain mask of the wrong length',
      () => evaluateCorrection([{ ...ok, brainMask: new Uint8Array(5).fill(1) }]),
      'SHAPE_MISMATCH',
    ],
    [
      'an empty brain mask',
      () => evaluateCorrection([{ ...ok, brainMask: new Uint8Array(clean.data.length) }]),
      'INVALID_ARGUMENT',
    ],
    [
      'a constant clean image',
      () =>
        evaluateCorrection([
          {
            ...ok,
            clean: withData(clean, new Float32Array(clean.data.length).fill(3)),
          },
        ]),
      'INVALID_ARGUMENT',
    ],
    [
      'a NaN voxel in the correction',
      () =>
        evaluateCorrection([
          {
            ...ok,
            corrected: withData(
              clean,
              clean.data.map((v, i) => (i === 7 ? Number.NaN : v)),
            ),
          },
        ]),
      'INVALID_ARGUMENT',
    ],
    [
      'slices under 11x11',
      () => evaluateCorrection([{ clean: small, corrupted: small, labels: labels() }]),
      'INVALID_ARGUMENT',
    ],
    ['a negative seed', () => evaluateCorrection([ok], { seed: -1 }), 'INVALID_ARGUMENT'],
    ['0 resamples', () => evaluateCorrection([ok], { resamples: 0 }), 'INVALID_ARGUMENT'],
    ['confidence 0', () => evaluateCorrection([ok], { confidence: 0 }), 'INVALID_ARGUMENT'],
    [
      'options that are not an object',
      () => evaluateCorrection([ok], 1 as never),
      'INVALID_ARGUMENT',
    ],
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
