import { type CorrectionReport, formatCorrectionReport } from '@duncan-mri/metrics';
import type { Volume } from '@duncan-mri/volume';
import type {
  EvaluationCase,
  EvaluationExample,
  EvaluationRow,
  ImageScores,
} from '../evaluate-corrector.js';
import { type BoxStats, boxStats } from '../internal/figures/box-plot.js';
import {
  renderEvaluationBoxPlot,
  renderEvaluationPanel,
} from '../internal/figures/evaluation-figures.js';
import type { RenderedFigure } from '../internal/figures/render-figure.js';
import { formatMetric } from './context.js';

const METRICS = ['ssim', 'msssim', 'vif', 'uqi', 'psnr'] as const;
type MetricKey = (typeof METRICS)[number] | 'dice' | 'dice1' | 'dice2' | 'dice3';
const LABELS: Record<MetricKey, string> = {
  ssim: 'SSIM',
  msssim: 'MS-SSIM',
  vif: 'VIF',
  uqi: 'UQI',
  psnr: 'PSNR (dB)',
  dice: 'Dice (mean)',
  dice1: 'Dice 1 (CSF)',
  dice2: 'Dice 2 (GM)',
  dice3: 'Dice 3 (WM)',
};
const ALL_KEYS: readonly MetricKey[] = [...METRICS, 'dice', 'dice1', 'dice2', 'dice3'];

function scoreOf(scores: ImageScores, key: MetricKey): number | null {
  switch (key) {
    case 'dice':
      return scores.dice?.mean ?? null;
    case 'dice1':
    case 'dice2':
    case 'dice3':
      return scores.dice?.perClass[Number(key.slice(4)) - 1] ?? null;
    default: {
      const v = scores[key];
      return v === null || Number.isNaN(v) ? null : v;
    }
  }
}

/** Mean and sample standard deviation (null under 2 values) of the non-null values. */
export interface Summary {
  readonly n: number;
  readonly mean: number | null;
  readonly sd: number | null;
}

export function summarise(values: readonly (number | null)[]): Summary {
  const v = values.filter((x): x is number => x !== null && !Number.isNaN(x));
  if (v.length === 0) return { n: 0, mean: null, sd: null };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2 || !Number.isFinite(mean)) return { n: v.length, mean, sd: null };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { n: v.length, mean, sd };
}

/** One artefact at one severity, over every case. */
export interface EvaluationGroup {
  readonly artefact: string;
  readonly severity: string;
  readonly cases: number;
  /** Per metric: mean and SD over cases of corrupted (no correction) and corrected. */
  readonly metrics: Record<MetricKey, { readonly corrupted: Summary; readonly corrected: Summary }>;
  /** Box statistics over every z slice of every case (what the box plots draw). */
  readonly boxes: {
    readonly ssim: { readonly corrupted: BoxStats | null; readonly corrected: BoxStats | null };
    readonly dice: { readonly corrupted: BoxStats | null; readonly corrected: BoxStats | null };
  };
}

const finite = (values: readonly (number | null)[]): number[] =>
  values.filter((v): v is number => v !== null && Number.isFinite(v));

/** The groups (artefact x severity, in order of first appearance) of the rows. */
export function groupRows(rows: readonly EvaluationRow[]): EvaluationGroup[] {
  const order: string[] = [];
  const byKey = new Map<string, EvaluationRow[]>();
  for (const row of rows) {
    const key = `${row.artefact}\u0000${row.severity}`;
    if (!byKey.has(key)) {
      order.push(key);
      byKey.set(key, []);
    }
    byKey.get(key)!.push(row);
  }
  return order.map((key) => {
    const members = byKey.get(key)!;
    const metrics = {} as EvaluationGroup['metrics'];
    for (const k of ALL_KEYS) {
      metrics[k] = {
        corrupted: summarise(members.map((r) => scoreOf(r.corrupted, k))),
        corrected: summarise(members.map((r) => scoreOf(r.corrected, k))),
      };
    }
    const pool = (pick: (r: EvaluationRow) => readonly (number | null)[]) =>
      finite(members.flatMap((r) => [...pick(r)]));
    return {
      artefact: members[0]!.artefact,
      severity: members[0]!.severity,
      cases: members.length,
      metrics,
      boxes: {
        ssim: {
          corrupted: boxStats(pool((r) => r.slices.ssim.corrupted)),
          corrected: boxStats(pool((r) => r.slices.ssim.corrected)),
        },
        dice: {
          corrupted: boxStats(pool((r) => r.slices.dice.corrupted)),
          corrected: boxStats(pool((r) => r.slices.dice.corrected)),
        },
      },
    };
  });
}

function digitsOf(key: MetricKey): number {
  return key === 'psnr' ? 2 : 3;
}

function cell(s: Summary, key: MetricKey, withSpread: boolean): string {
  if (s.mean === null) return 'n/a';
  const m = formatMetric(s.mean, digitsOf(key));
  return withSpread && s.sd !== null ? `${m} ± ${formatMetric(s.sd, digitsOf(key))}` : m;
}

/**
 * The summary table (Markdown): one row per artefact and severity; for each metric the
 * baseline "no correction" (the corrupted image) beside the corrected one. With `spread`,
 * cells are `mean ± SD` over cases (SD only with 2 or more cases).
 */
export function summaryTable(
  groups: readonly EvaluationGroup[],
  keys: readonly MetricKey[] = [...METRICS, 'dice'],
  spread = false,
): string {
  const head = ['artefact', 'severity', 'cases'];
  const rule = ['---', '---', '---:'];
  for (const k of keys) {
    head.push(`${LABELS[k]} no correction`, `${LABELS[k]} corrected`);
    rule.push('---:', '---:');
  }
  const lines = [`| ${head.join(' | ')} |`, `| ${rule.join(' | ')} |`];
  for (const g of groups) {
    const cells = [g.artefact, g.severity, String(g.cases)];
    for (const k of keys) {
      cells.push(cell(g.metrics[k].corrupted, k, spread), cell(g.metrics[k].corrected, k, spread));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const f3 = (v: number | null) => formatMetric(v, 3);

function boxCell(b: BoxStats | null): string {
  return b === null ? 'n/a' : `${f3(b.median)} [${f3(b.q1)}, ${f3(b.q3)}] (${b.n})`;
}

/** Everything the report needs besides the rows. */
export interface ReportInfo {
  readonly command: string;
  readonly model: string;
  readonly backend: string;
  readonly axis: 0 | 1 | 2;
  /** Whether the correction averaged each batch over its mirror images (no --no-flips). */
  readonly flips: boolean;
  /** The residual shrinkage k of the correction (--shrinkage; 0: off). */
  readonly shrinkage: number;
  readonly seed: number | null;
  /** Corrupted versions per clean image, artefact and severity (--draws), null for given files. */
  readonly draws: number | null;
  readonly recipe: unknown;
  readonly simulation: string;
  /** In-head and whole-image scores against the three baselines (`evaluateCorrection`'s report). */
  readonly correction: CorrectionReport;
  readonly cases: readonly EvaluationCase[];
  readonly rows: readonly EvaluationRow[];
  readonly groups: readonly EvaluationGroup[];
  readonly figures: {
    readonly ssimBoxPlot: string;
    readonly diceBoxPlot: string;
    /** The same box plots as SVG (vector). */
    readonly ssimBoxPlotSvg: string;
    readonly diceBoxPlotSvg: string;
    readonly panels: readonly {
      file: string;
      case: string;
      artefact: string;
      severity: string;
      slice: number;
    }[];
  };
  readonly seconds: number;
}

/** report.md: what was run, the tables, the figures and how to read them. */
export function reportMarkdown(info: ReportInfo): string {
  const { groups, rows, cases } = info;
  const axisName = 'xyz'[info.axis];
  const out: string[] = [];
  out.push('# DUNCAN evaluation report', '');
  out.push(`- command: \`${info.command}\``);
  out.push(
    `- model: ${info.model}; backend: ${info.backend}; slicing axis: ${axisName}; mirror averaging: ${info.flips ? 'on (4 views)' : 'off (--no-flips)'}`,
  );
  out.push(
    `- residual shrinkage: ${info.shrinkage === 0 ? 'off (--shrinkage 0)' : `each slice's correction soft-thresholded at ${info.shrinkage} x its noise level (--shrinkage ${info.shrinkage})`}`,
  );
  out.push(`- corrupted images: ${info.simulation}`);
  out.push(
    `- cases: ${cases.map((c) => `${c.name} (${c.shape.join('x')}, data range ${formatMetric(c.dataRange, 4)})`).join(', ')}`,
  );
  out.push(`- time: ${info.seconds.toFixed(1)} s`, '');
  out.push('## Model vs baselines: in the head first, whole image second', '');
  out.push(
    'The yardstick. Whole-image scores of head MRI are dominated by the dark air around the head,',
    'which a rule as simple as zeroing dim voxels improves; these tables score each z slice inside',
    "the head (the clean image's `headMask`, or `--mask`) and compare the model with three",
    'no-learning baselines. One row per subject (case), contrast (from the file name), artefact and',
    'severity, then pooled rows. Artefact **none** is the clean-through check: the clean image itself',
    'corrected (SSIM near 1 means the model leaves clean images alone). Per-slice scores are in',
    'report.json (`correction.cases`).',
    '',
  );
  out.push(formatCorrectionReport(info.correction));
  out.push(
    '**Whole-image metrics and tissue Dice** (as the DUNCAN paper reports them). Every score',
    'compares an image with the clean one. **No correction** is the corrupted image as',
    "it is (the baseline); **corrected** is the model output. Metrics use the clean image's data",
    'range (max - min); SSIM is the mean of 2-D scores over z slices; MS-SSIM needs slices of at',
    'least 176x176 and VIF 41x41 (otherwise n/a). Dice compares the 3-class segmentation',
    '(`segmentTissues`, HMRF-EM after FAST) of the corrupted or the corrected image with the',
    "segmentation of the clean image, all three inside the same mask (the clean image's",
    '`brainMask`, or `--mask`). Classes are numbered by increasing mean intensity: CSF, GM, WM on',
    'a T1 (on other contrasts only the order is meaningful). n/a: not computable (see the notes).',
    '',
  );
  out.push('## Summary (mean ± SD over cases)', '');
  out.push(summaryTable(groups, [...METRICS, 'dice'], true), '');
  out.push('## Dice per tissue (mean ± SD over cases)', '');
  out.push(summaryTable(groups, ['dice1', 'dice2', 'dice3'], true), '');
  out.push('## Spread over slices (box plots)', '');
  out.push(
    'Median [Q1, Q3] (number of slices) of the per-slice SSIM and mean Dice, over every z slice of',
    'every case. Slices without segmented voxels have no Dice.',
    '',
  );
  out.push(
    '| artefact | severity | SSIM no correction | SSIM corrected | Dice no correction | Dice corrected |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const g of groups) {
    out.push(
      `| ${g.artefact} | ${g.severity} | ${boxCell(g.boxes.ssim.corrupted)} | ${boxCell(g.boxes.ssim.corrected)} | ${boxCell(g.boxes.dice.corrupted)} | ${boxCell(g.boxes.dice.corrected)} |`,
    );
  }
  out.push('');
  out.push(
    `![SSIM per slice](${info.figures.ssimBoxPlot})`,
    '',
    `![mean Dice per slice](${info.figures.diceBoxPlot})`,
    '',
    `Box plots of the per-slice SSIM and mean Dice (the same as SVG: \`${info.figures.ssimBoxPlotSvg}\`,`,
    `\`${info.figures.diceBoxPlotSvg}\`). One group per artefact and severity, in each the corrupted`,
    'image (no correction, orange) and the corrected one (blue). Boxes span Q1 to Q3 with the median',
    'in black; whiskers reach the last slice within 1.5 IQR; open circles are outliers.',
    '',
  );
  if (info.figures.panels.length > 0) {
    out.push('## Examples', '');
    out.push(
      'A middle slice (along the slicing axis) per artefact at its severest level, each tile',
      'captioned. Top row: clean, corrupted and corrected (with their SSIM), and the artefact map',
      '(corrupted - corrected; mid-grey is 0). Bottom row: the segmentations of the clean, corrupted',
      'and corrected images (with their Dice) and the mask. The colour scales are under the tiles.',
      '',
    );
    for (const p of info.figures.panels) {
      out.push(`### ${p.artefact} (${p.severity}), ${p.case}, slice ${p.slice}`, '');
      out.push(`![${p.artefact} ${p.severity}](${p.file})`, '');
    }
  }
  out.push('## Per case', '');
  out.push(
    '| case | artefact | severity | SSIM no correction | SSIM corrected | gain | PSNR no correction (dB) | PSNR corrected (dB) | Dice no correction | Dice corrected |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of rows) {
    const gain = r.corrected.ssim - r.corrupted.ssim;
    out.push(
      `| ${r.case} | ${r.artefact} | ${r.severity} | ${f3(r.corrupted.ssim)} | ${f3(r.corrected.ssim)} | ${gain >= 0 ? '+' : ''}${f3(gain)} | ${formatMetric(r.corrupted.psnr, 2)} | ${formatMetric(r.corrected.psnr, 2)} | ${f3(r.corrupted.dice?.mean ?? null)} | ${f3(r.corrected.dice?.mean ?? null)} |`,
    );
  }
  out.push('');
  out.push('## Clean images after correction', '');
  out.push(
    'How much the model changes an image that has no artefact (1 would be no change).',
    '',
    '| case | SSIM | PSNR (dB) | mask voxels | segmentation of the clean image |',
    '| --- | ---: | ---: | ---: | --- |',
  );
  for (const c of cases) {
    const seg =
      'error' in c.segmentation
        ? `n/a: ${c.segmentation.error}`
        : `class means ${c.segmentation.means.map((m) => formatMetric(m, 1)).join(', ')}; ${c.segmentation.iterations} iterations${c.segmentation.converged ? '' : ' (not converged)'}`;
    out.push(
      `| ${c.name} | ${f3(c.cleanAfterCorrection.ssim)} | ${formatMetric(c.cleanAfterCorrection.psnr, 2)} | ${c.mask === null ? 'n/a' : `${c.mask.voxels} (${c.mask.source})`} | ${seg.replace(/\|/g, '\\|')} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

/**
 * The example figure of one artefact (panel-<artefact>.png): a middle slice along `axis` of the
 * clean, corrupted and corrected images and the artefact map, then of the three segmentations
 * and the mask, each tile captioned with its score.
 */
export async function examplePanel(
  example: EvaluationExample,
  axis: 0 | 1 | 2,
): Promise<{ png: Uint8Array; slice: number }> {
  const k = Math.floor(example.clean.shape[axis] / 2);
  const scored = (volume: Volume, labels: Volume | null, scores: ImageScores) => ({
    volume,
    labels,
    ssim: scores.ssim,
    dice: scores.dice?.mean ?? null,
  });
  const { png } = await renderEvaluationPanel({
    caseName: example.case,
    artefact: example.artefact,
    severity: example.severity,
    axis,
    index: k,
    clean: example.clean,
    cleanLabels: example.labels.clean,
    corrupted: scored(example.corrupted, example.labels.corrupted, example.scores.corrupted),
    corrected: scored(example.corrected, example.labels.corrected, example.scores.corrected),
    artefactMap: example.artefactMap,
    mask: example.mask,
  });
  return { png, slice: k };
}

/** The box plots of per-slice SSIM and mean Dice, corrupted beside corrected, one group per artefact and severity. */
export async function boxPlots(
  rows: readonly EvaluationRow[],
  groups: readonly EvaluationGroup[],
): Promise<{ ssim: RenderedFigure; dice: RenderedFigure }> {
  // The samples: every slice of every case of a group, without the slices with no Dice.
  const plot = (metric: 'ssim' | 'dice') =>
    renderEvaluationBoxPlot(
      metric,
      groups.map((g) => {
        const members = rows.filter((r) => r.artefact === g.artefact && r.severity === g.severity);
        return {
          label: `${g.artefact} ${g.severity}`,
          samples: (['corrupted', 'corrected'] as const).map((side) =>
            members
              .flatMap((r): (number | null)[] => r.slices[metric][side])
              .filter((v): v is number => v !== null),
          ),
        };
      }),
    );
  return { ssim: await plot('ssim'), dice: await plot('dice') };
}

/** The summary that `duncan evaluate --json` prints: the pooled rows of both tables. */
export function summaryJson(info: ReportInfo, output: string, files: readonly string[]): object {
  const { cases, correction, groups } = info;
  const means = (g: EvaluationGroup, side: 'corrupted' | 'corrected') => ({
    ssim: g.metrics.ssim[side].mean,
    msssim: g.metrics.msssim[side].mean,
    vif: g.metrics.vif[side].mean,
    uqi: g.metrics.uqi[side].mean,
    psnr: g.metrics.psnr[side].mean,
    dice: g.metrics.dice[side].mean,
    dicePerClass: [
      g.metrics.dice1[side].mean,
      g.metrics.dice2[side].mean,
      g.metrics.dice3[side].mean,
    ],
  });
  return {
    command: 'evaluate',
    output,
    files,
    model: info.model,
    backend: info.backend,
    flips: info.flips,
    shrinkage: info.shrinkage,
    cases: cases.length,
    seconds: info.seconds,
    // In the head and whole image, against the baselines (report.json has the per-slice scores).
    correction: { settings: correction.settings, groups: correction.groups },
    groups: groups.map((g) => ({
      artefact: g.artefact,
      severity: g.severity,
      cases: g.cases,
      corrupted: means(g, 'corrupted'),
      corrected: means(g, 'corrected'),
    })),
  };
}

/** What `duncan evaluate` prints without --json: the pooled in-head table, then the summary table. */
export function summaryText(info: ReportInfo, files: readonly string[], seconds: number): string {
  const { cases, correction, groups, rows } = info;
  return [
    `duncan evaluate: ${cases.length} case(s), ${rows.length} corrupted image(s), ${info.simulation}; model ${info.model}`,
    '',
    '## Model vs baselines, in the head first (pooled rows; per subject in report.md)',
    '',
    formatCorrectionReport(correction, { kinds: ['artefact', 'contrast', 'overall'] }),
    '## Whole-image metrics and tissue Dice (mean over cases)',
    '',
    summaryTable(groups),
    '',
    `clean images after correction: SSIM ${cases.map((c) => formatMetric(c.cleanAfterCorrection.ssim, 3)).join(', ')}`,
    `wrote ${files.join(', ')} in ${seconds.toFixed(1)} s`,
  ].join('\n');
}
