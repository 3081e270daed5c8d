import { codeOf } from '@duncan-mri/test-helpers';
import { createRng, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { evaluateCorrection } from './evaluate-correction.js';
import { formatCorrectionReport } from './format-correction-report.js';
import { headPhantom } from './internal/head-phantom.js';

const clean = headPhantom(32, 32, 4, 1).volume;
const rng = createRng(1);
const corrupted = withData(
  clean,
  clean.data.map((v) => v + rng.normal(0, 8)),
);
const labels = (subject: string, artefact = 'noise') => ({
  subject,
  contrast: 'T1',
  artefact,
  severity: 'severe',
});
const report = evaluateCorrection(
  [
    { clean, corrupted, corrected: clean, labels: labels('s1') },
    { clean, corrupted, labels: labels('s2') },
    { clean, corrupted: clean, corrected: clean, labels: labels('s1', 'none') },
  ],
  { resamples: 200 },
);

describe('formatCorrectionReport', () => {
  const md = formatCorrectionReport(report);
  const tableRows = (from: number) =>
    md
      .slice(from)
      .split('\n')
      .filter((l) => l.startsWith('| '));

  it('leads with the in-head table, then the whole-image one, each with a row per group', () => {
    const inHead = md.indexOf('**In the head**');
    const whole = md.indexOf('**Whole image**');
    expect(inHead).toBeGreaterThan(0);
    expect(whole).toBeGreaterThan(inHead);
    const header =
      '| group | n slices | SSIM unchanged | SSIM threshold | SSIM median | SSIM model | ΔSSIM model − unchanged [95 % CI] (↑ better) | ΔSSIM model − best baseline [95 % CI] (↑ better) | ΔPSNR model − unchanged (dB, ↑ better) | ΔNRMSE model − unchanged (↓ better) | model beats baselines |';
    expect(md.split('\n').filter((l) => l === header)).toHaveLength(2);
    const rows = tableRows(inHead).slice(0, 2 + report.groups.length);
    expect(rows[1]).toMatch(/^\| --- \|( ---: \|){9} --- \|$/);
    expect(rows.slice(2).map((r) => r.split(' | ')[0])).toEqual(
      report.groups.map((g) => `| ${g.name}`),
    );
    expect(tableRows(whole)).toHaveLength(2 + report.groups.length);
    expect(md).toContain('(mask: `headMask` of the clean image)');
    expect(md).toContain('95 % CI (200 resamples of the slices, seed 0)');
  });

  it('writes means, signed gains with intervals, n/a without a model, and the verdict', () => {
    const row = (name: string) => md.split('\n').find((l) => l.startsWith(`| ${name} |`))!;
    const s1 = row('s1, T1, noise, severe').split(' | ');
    const g = report.groups[0]!.inHead;
    expect(s1[1]).toBe('4');
    expect(s1[2]).toBe(g.means.unchanged.ssim.toFixed(4));
    expect(s1[5]).toBe('1.0000');
    const gain = g.gains.model!.ssim;
    expect(s1[6]).toBe(
      `+${gain.mean.toFixed(4)} [+${gain.low!.toFixed(4)}, +${gain.high!.toFixed(4)}]`,
    );
    expect(s1[7]).toMatch(/^\+[0-9.]+ \[\+[0-9.]+, \+[0-9.]+\] vs (unchanged|threshold|median)$/);
    expect(s1[8]).toBe('+∞'); // PSNR of identical slices is Infinity
    expect(s1[9]).toMatch(/^-[0-9.]+$/);
    expect(s1[10]).toBe('yes, CI |');
    const s2 = row('s2, T1, noise, severe').split(' | ');
    expect(s2.slice(5)).toEqual(['n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a |']);
    // clean-through: the unchanged image is the clean one, which the model cannot beat
    const none = row('s1, T1, none, severe').split(' | ');
    expect(none[2]).toBe('1.0000');
    expect(none[10]).toBe('no |');
  });

  it('shows only the kinds asked for', () => {
    const pooled = formatCorrectionReport(report, { kinds: ['overall'] });
    const rows = pooled.split('\n').filter((l) => l.startsWith('| overall'));
    expect(rows).toHaveLength(2);
    expect(pooled).not.toContain('| s1, T1');
  });

  it.each([
    ['no report', () => formatCorrectionReport(undefined as never)],
    ['a report without groups', () => formatCorrectionReport({ cases: [] } as never)],
    ['an unknown kind', () => formatCorrectionReport(report, { kinds: ['case' as never] })],
    ['options that are not an object', () => formatCorrectionReport(report, 'x' as never)],
  ] as const)('rejects %s with INVALID_ARGUMENT', (_label, fn) => {
    expect(codeOf(fn)).toBe('INVALID_ARGUMENT');
  });
});
