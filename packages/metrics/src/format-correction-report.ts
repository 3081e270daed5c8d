import { invalidArgument, validateObject } from '@duncan-mri/volume';
import type {
  CorrectionGain,
  CorrectionGroup,
  CorrectionGroupKind,
  CorrectionRegion,
  CorrectionReport,
} from './summarise-correction.js';

/** Options of {@link formatCorrectionReport}. */
export interface FormatCorrectionReportOptions {
  /** Which group rows to show, in the report's order. Default: all (subject, artefact, contrast, overall). */
  readonly kinds?: readonly CorrectionGroupKind[];
}

const WHERE = 'formatCorrectionReport';
const KINDS: readonly CorrectionGroupKind[] = ['subject', 'artefact', 'contrast', 'overall'];

/**
 * The report of {@link evaluateCorrection} as Markdown: a short legend, the in-head table first
 * (the yardstick), then the whole-image table (same slices, whole slices). Columns: group,
 * number of slices, mean SSIM of unchanged, threshold, median and model, the model's SSIM gain
 * over unchanged and over the best baseline with their bootstrap intervals, its PSNR and NRMSE
 * gains over unchanged, and whether it beats the baselines. Headers carry the direction that is
 * better (↑ or ↓). `n/a`: no model, or a value that is not defined (e.g. an interval over a
 * PSNR of `Infinity`); `∞` for infinite values.
 *
 * @example
 * ```ts
 * const report = evaluateCorrection(cases, { seed: 1 });
 * writeFileSync('report.md', formatCorrectionReport(report));
 * formatCorrectionReport(report, { kinds: ['artefact', 'overall'] });   // the pooled rows only
 * ```
 */
export function formatCorrectionReport(
  report: CorrectionReport,
  options: FormatCorrectionReportOptions = {},
): string {
  const r = validateObject(WHERE, 'report', report);
  if (!Array.isArray(r.groups) || !Array.isArray(r.cases) || typeof r.settings !== 'object') {
    invalidArgument(WHERE, 'report', 'must be what evaluateCorrection returns', report);
  }
  const opts = validateObject(WHERE, 'options', options, true);
  const kinds = (opts.kinds ?? KINDS) as readonly CorrectionGroupKind[];
  if (!Array.isArray(kinds) || kinds.some((k) => !KINDS.includes(k))) {
    invalidArgument(WHERE, 'kinds', `must be an array of ${KINDS.join(', ')}`, opts.kinds);
  }
  const groups = report.groups.filter((g) => kinds.includes(g.kind));
  const { confidence, resamples, seed, thresholdFraction, robustMaxPercentile } = report.settings;
  const ci = `${formatPercent(confidence)} CI`;
  const sources = new Set(report.cases.map((c) => c.mask));
  const maskText =
    sources.size === 2
      ? 'the given brain mask, else `headMask` of the clean image'
      : sources.has('brainMask')
        ? 'the given brain mask'
        : '`headMask` of the clean image';
  const lines: string[] = [
    `Per z slice against the clean image; means over slices. Methods: **unchanged** (the corrupted image), **threshold** (voxels below ${formatPercent(thresholdFraction)} of the ${robustMaxPercentile}th percentile set to 0), **median** (3x3 median filter inside the mask), **model** (the correction). Δ: mean paired difference over slices with a percentile-bootstrap ${ci} (${resamples} resamples of the slices, seed ${seed}). The model **beats the baselines** when its mean in-head SSIM is above that of unchanged, threshold and median ("yes, CI" when the interval of its gain over the best baseline is also above 0). Clean-through rows (artefact none) check that a clean image stays unchanged; they are not pooled into the contrast and overall rows.`,
    '',
    `**In the head** (mask: ${maskText})`,
    '',
    ...table(groups, (g) => g.inHead, ci),
    '',
    '**Whole image** (the same slices, every voxel: the dark background inflates these)',
    '',
    ...table(groups, (g) => g.wholeImage, ci),
  ];
  return `${lines.join('\n')}\n`;
}

function table(
  groups: readonly CorrectionGroup[],
  regionOf: (g: CorrectionGroup) => CorrectionRegion,
  ci: string,
): string[] {
  const head = [
    'group',
    'n slices',
    'SSIM unchanged',
    'SSIM threshold',
    'SSIM median',
    'SSIM model',
    `ΔSSIM model − unchanged [${ci}] (↑ better)`,
    `ΔSSIM model − best baseline [${ci}] (↑ better)`,
    'ΔPSNR model − unchanged (dB, ↑ better)',
    'ΔNRMSE model − unchanged (↓ better)',
    'model beats baselines',
  ];
  const out = [
    `| ${head.join(' | ')} |`,
    `| --- | ${head
      .slice(1, -1)
      .map(() => '---:')
      .join(' | ')} | --- |`,
  ];
  for (const g of groups) {
    const r = regionOf(g);
    const m = r.means;
    const model = r.gains.model;
    const vsBest = r.modelVsBestBaseline;
    const beats =
      r.modelBeatsBaselines === null
        ? 'n/a'
        : r.modelBeatsBaselines
          ? r.modelBeatsBaselinesCi
            ? 'yes, CI'
            : 'yes'
          : 'no';
    const cells = [
      escapeCell(g.name),
      String(g.slices),
      number(m.unchanged.ssim, 4),
      number(m.threshold.ssim, 4),
      number(m.median.ssim, 4),
      number(m.model?.ssim ?? null, 4),
      model === null ? 'n/a' : withInterval(model.ssim, 4),
      vsBest === null ? 'n/a' : `${withInterval(vsBest.ssim, 4)} vs ${r.bestBaseline}`,
      model === null ? 'n/a' : signed(model.psnr.mean, 2),
      model === null ? 'n/a' : signed(model.nrmse.mean, 4),
      beats,
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  return out;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))} %`;
}

function number(value: number | null, digits: number): string {
  if (value === null || Number.isNaN(value)) return 'n/a';
  if (value === Number.POSITIVE_INFINITY) return '∞';
  if (value === Number.NEGATIVE_INFINITY) return '-∞';
  return value.toFixed(digits);
}

function signed(value: number | null, digits: number): string {
  const text = number(value, digits);
  return value !== null && value >= 0 ? `+${text}` : text;
}

function withInterval(gain: CorrectionGain, digits: number): string {
  const interval =
    gain.low === null || gain.high === null
      ? 'n/a'
      : `${signed(gain.low, digits)}, ${signed(gain.high, digits)}`;
  return `${signed(gain.mean, digits)} [${interval}]`;
}
