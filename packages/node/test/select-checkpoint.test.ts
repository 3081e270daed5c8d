// The checkpoint rule's arithmetic in scripts/select-checkpoint.mjs (docs/training-and-evaluation.md,
// "The checkpoint rule"): the numbers it reads from a report of `duncan evaluate`, and when a
// cached report may stand for a candidate. The candidates themselves are scored outside CI.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../scripts/select-checkpoint.mjs');

interface Group {
  kind: string;
  subject: string;
  artefact: string;
  inHead: { means: { model: { ssim: number } }; gains: { model: { ssim: { mean: number } } } };
  wholeImage: { means: { model: { ssim: number } } };
}

/** A group of a report as `duncan evaluate` writes it, with the fields the rule reads. */
const group = (subject: string, artefact: string, inHead: number, whole = inHead): Group => ({
  kind: 'subject',
  subject,
  artefact,
  inHead: { means: { model: { ssim: inHead } }, gains: { model: { ssim: { mean: inHead } } } },
  wholeImage: { means: { model: { ssim: whole } } },
});

/** A report: per subject its clean-through (in the head, whole) and the gains of its rows. */
function report(subjects: Record<string, { clean: [number, number]; gains: number[] }>) {
  const groups: Group[] = [];
  for (const [name, s] of Object.entries(subjects)) {
    groups.push(group(name, 'none', s.clean[0], s.clean[1]));
    s.gains.forEach((g, i) => {
      groups.push(group(name, `row-${i}`, g));
    });
  }
  // Groups of other kinds (per contrast, per artefact) must not enter the rule's numbers.
  groups.push({ ...group('all', 'motion', 0.5), kind: 'artefact' });
  return { correction: { groups } };
}

describe('select-checkpoint.mjs', () => {
  it('scores the mean over subjects of each subject’s mean row gain, and the worst clean-throughs', async () => {
    const { ruleNumbers } = await import(SCRIPT);
    const numbers = ruleNumbers(
      report({
        a: { clean: [0.999, 0.995], gains: [0.01, 0.03] },
        b: { clean: [0.996, 0.989], gains: [-0.01, 0.0, 0.01, 0.04] },
      }),
    );
    // a: (0.01 + 0.03) / 2 = 0.02; b: 0.04 / 4 = 0.01; the subjects weigh equally, not the rows.
    expect(numbers.score).toBeCloseTo(0.015, 12);
    expect(numbers.worstClean).toBe(0.996);
    expect(numbers.worstWholeClean).toBe(0.989);
    expect(numbers.perSubject.map((s: { name: string; rows: number }) => [s.name, s.rows])).toEqual(
      [
        ['a', 2],
        ['b', 4],
      ],
    );
  });

  it('reuses a cached report only for the same settings and exactly the same, older, clean files', async () => {
    const { reusable } = await import(SCRIPT);
    const settings = { flips: true, shrinkage: 1, draws: 4 };
    const dir = '/data/validation';
    const cached = {
      ...settings,
      cases: [{ clean: `${dir}/dipy-t2-epi.nii` }, { clean: `${dir}/odin-pd.nii` }],
    };
    const files = (...names: string[]) => names.map((n) => ({ path: `${dir}/${n}`, mtimeMs: 100 }));
    expect(reusable(cached, 200, settings, files('dipy-t2-epi.nii', 'odin-pd.nii'))).toBe(true);
    // A subject added to the validation set: the report no longer stands for the candidate.
    const six = files('dipy-t2-epi.nii', 'heudiconv-dwi-b0.nii', 'odin-pd.nii');
    expect(reusable(cached, 200, settings, six)).toBe(false);
    // One taken away, or one renamed: neither.
    expect(reusable(cached, 200, settings, files('dipy-t2-epi.nii'))).toBe(false);
    expect(reusable(cached, 200, settings, files('dipy-t2-epi.nii', 'odin-t1w.nii'))).toBe(false);
    // A clean file rewritten after the report was made.
    expect(reusable(cached, 50, settings, files('dipy-t2-epi.nii', 'odin-pd.nii'))).toBe(false);
    // Other inference settings, or a report from before an option existed (its default assumed).
    expect(
      reusable({ ...cached, draws: 1 }, 200, settings, files('dipy-t2-epi.nii', 'odin-pd.nii')),
    ).toBe(false);
    const { draws: _, ...beforeDraws } = cached;
    expect(
      reusable(
        beforeDraws,
        200,
        { ...settings, draws: 1 },
        files('dipy-t2-epi.nii', 'odin-pd.nii'),
      ),
    ).toBe(true);
    expect(
      reusable({ ...cached, shrinkage: 0 }, 200, settings, files('dipy-t2-epi.nii', 'odin-pd.nii')),
    ).toBe(false);
    expect(
      reusable({ ...cached, flips: false }, 200, settings, files('dipy-t2-epi.nii', 'odin-pd.nii')),
    ).toBe(false);
  });
});
