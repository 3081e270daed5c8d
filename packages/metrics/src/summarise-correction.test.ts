import { codeOf } from '@duncan-mri/test-helpers';
import { createRng, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { evaluateCorrection } from './evaluate-correction.js';
import { headPhantom } from './internal/head-phantom.js';
import { scoreCorrectionCase } from './score-correction-case.js';
import { summariseCorrection } from './summarise-correction.js';

const clean = headPhantom(24, 24, 3, 1).volume;
const noisy = (seed: number, sigma: number) => {
  const rng = createRng(seed);
  return withData(
    clean,
    clean.data.map((v) => v + rng.normal(0, sigma)),
  );
};
const cases = [
  {
    clean,
    corrupted: noisy(1, 8),
    corrected: noisy(2, 3),
    labels: { subject: 'a', contrast: 'T1', artefact: 'noise', severity: 'severe' },
  },
  {
    clean,
    corrupted: noisy(3, 4),
    corrected: noisy(4, 2),
    labels: { subject: 'b', contrast: 'T1', artefact: 'noise', severity: 'mild' },
  },
];

describe('summariseCorrection', () => {
  it('from per-case scores gives exactly the report of evaluateCorrection', () => {
    const options = { seed: 3, resamples: 400, confidence: 0.9 };
    const scores = cases.map((c) => scoreCorrectionCase(c));
    expect(summariseCorrection(scores, options)).toEqual(evaluateCorrection(cases, options));
  });

  it('pools the cases of two reports', () => {
    const first = evaluateCorrection([cases[0]!]);
    const second = evaluateCorrection([cases[1]!]);
    const pooled = summariseCorrection([...first.cases, ...second.cases]);
    expect(pooled).toEqual(evaluateCorrection(cases));
    expect(pooled.groups.at(-1)).toMatchObject({ kind: 'overall', cases: 2, slices: 6 });
  });

  const scores = scoreCorrectionCase(cases[0]!);
  it.each([
    ['an empty array', () => summariseCorrection([])],
    ['not an array', () => summariseCorrection(scores as never)],
    ['missing labels', () => summariseCorrection([{ ...scores, labels: undefined as never }])],
    [
      'slice lists of different lengths',
      () =>
        summariseCorrection([
          { ...scores, slices: { ...scores.slices, median: scores.slices.median.slice(1) } },
        ]),
    ],
    [
      'a metric that is not a number (null from JSON)',
      () =>
        summariseCorrection([
          JSON.parse(
            JSON.stringify(evaluateCorrection([{ ...cases[0]!, corrected: clean }]).cases[0]),
          ),
        ]),
    ],
    ['a bad confidence', () => summariseCorrection([scores], { confidence: 2 })],
  ] as const)('rejects %s with INVALID_ARGUMENT', (_label, fn) => {
    expect(codeOf(fn)).toBe('INVALID_ARGUMENT');
  });
});
