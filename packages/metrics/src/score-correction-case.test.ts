import { codeOf } from '@duncan-mri/test-helpers';
import { createRng, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { evaluateCorrection } from './evaluate-correction.js';
import { headMask } from './head-mask.js';
import { headPhantom } from './internal/head-phantom.js';
import { medianFilter3x3 } from './internal/median-filter.js';
import { percentile } from './internal/percentile.js';
import { scoreCorrectionCase } from './score-correction-case.js';
import { sliceScores } from './slice-scores.js';

const clean = headPhantom(32, 32, 4, 1).volume;
const rng = createRng(2);
const corrupted = withData(
  clean,
  clean.data.map((v) => Math.abs(v + rng.normal(0, 6))),
);
const corrected = withData(
  clean,
  clean.data.map((v, i) => 0.5 * (v + corrupted.data[i]!)),
);
const labels = { subject: 's', contrast: 'T2', artefact: 'noise', severity: 'mild' };

describe('scoreCorrectionCase', () => {
  const scores = scoreCorrectionCase({ clean, corrupted, corrected, labels });

  it('scores each method with sliceScores against the clean image, in the head mask', () => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of clean.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const mask = headMask(clean);
    const options = { dataRange: hi - lo, mask };
    expect(scores.dataRange).toBe(hi - lo);
    expect(scores.mask).toBe('headMask');
    expect(scores.labels).toEqual(labels);
    expect(scores.slices.unchanged).toEqual(sliceScores(clean, corrupted, options));
    expect(scores.slices.model).toEqual(sliceScores(clean, corrected, options));
    // threshold: voxels below 5 % of the 99.5th percentile of the corrupted image become 0
    const t = 0.05 * percentile(corrupted.data, 99.5);
    const thresholded = withData(
      corrupted,
      corrupted.data.map((v) => (v < t ? 0 : v)),
    );
    expect(scores.slices.threshold).toEqual(sliceScores(clean, thresholded, options));
    // median: 3x3 inside the mask only
    const median = withData(corrupted, medianFilter3x3(corrupted.data, corrupted.shape, mask));
    expect(scores.slices.median).toEqual(sliceScores(clean, median, options));
  });

  it('is the per-case part of evaluateCorrection; without a correction, model is null', () => {
    expect(evaluateCorrection([{ clean, corrupted, corrected, labels }]).cases[0]).toEqual(scores);
    expect(scoreCorrectionCase({ clean, corrupted, labels }).slices.model).toBeNull();
    expect(corrupted.data).toEqual(withData(clean, corrupted.data).data);
  });

  it.each([
    ['no case', () => scoreCorrectionCase(undefined as never), 'INVALID_ARGUMENT'],
    [
      'labels that are not strings',
      () => scoreCorrectionCase({ clean, corrupted, labels: { ...labels, severity: 3 as never } }),
      'INVALID_ARGUMENT',
    ],
    [
      'a corrupted image of another shape',
      () => scoreCorrectionCase({ clean, corrupted: headPhantom(32, 32, 2).volume, labels }),
      'SHAPE_MISMATCH',
    ],
    [
      'a brain mask that is not a Uint8Array',
      () => scoreCorrectionCase({ clean, corrupted, labels, brainMask: [1, 0] as never }),
      'INVALID_ARGUMENT',
    ],
    [
      'a constant clean image',
      () =>
        scoreCorrectionCase({
          clean: withData(clean, new Float32Array(clean.data.length)),
          corrupted,
          labels,
        }),
      'INVALID_ARGUMENT',
    ],
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('names the argument in its messages', () => {
    expect(() =>
      scoreCorrectionCase({ clean, corrupted: clean, labels: { ...labels, subject: '' } }),
    ).toThrow(/^scoreCorrectionCase: case\.labels\.subject must be a non-empty string, got/);
  });
});
