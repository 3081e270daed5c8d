// The group level of `duncan bids`: one table of every corrected image's change measures (from
// the sidecars the participant level wrote) and a box plot of them, in <output_dir>/group/.
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { MriError } from '@duncan-mri/volume';
import { BASELINE_COLOUR, CORRECTED_COLOUR, renderBoxPlot } from '../internal/figures/box-plot.js';
import type { RenderedFigure } from '../internal/figures/render-figure.js';
import { DESC_ARTEFACT, DESC_CORRECTED, findCorrectedSidecars } from './bids-derivatives.js';
import { parseBidsName } from './bids-layout.js';
import { writeFileAtomic } from './files.js';

const WHERE = 'duncan bids';

/** One row of `group/summary.tsv`. */
export interface GroupRow {
  readonly participant_id: string;
  readonly session_id: string | null;
  readonly suffix: string;
  readonly source: string;
  readonly corrected: string;
  readonly artefact_map: string;
  readonly head_voxels: number | null;
  readonly robust_range: number | null;
  readonly mean_abs_change: number | null;
  readonly max_slice_mean_abs_change: number | null;
  readonly artefact_mean: number | null;
  readonly ssim_to_input: number | null;
  readonly non_finite_voxels: number | null;
  readonly change_rank: number | null;
}

/** Column descriptions: `group/summary.json`, the TSV's sidecar as BIDS describes TSV columns. */
export const SUMMARY_COLUMNS: Record<keyof GroupRow, { Description: string; Units?: string }> = {
  participant_id: { Description: 'Participant label, sub-<label>' },
  session_id: { Description: 'Session label, ses-<label> (n/a without sessions)' },
  suffix: { Description: 'BIDS suffix of the image (T1w, T2w, FLAIR, PDw, ...)' },
  source: { Description: 'The source image: a BIDS URI into the source dataset' },
  corrected: { Description: 'The corrected image, relative to the derivative dataset' },
  artefact_map: {
    Description: 'The artefact map (source - corrected), relative to the derivative dataset',
  },
  head_voxels: { Description: 'Voxels inside headMask(source) (@duncan-mri/metrics)' },
  robust_range: {
    Description: '99.5th minus 0.5th percentile of the source inside the head',
    Units: 'source intensity units',
  },
  mean_abs_change: {
    Description:
      'Mean |corrected - source| inside the head divided by robust_range: how much the corrector changed the image',
    Units: 'fraction of robust_range',
  },
  max_slice_mean_abs_change: {
    Description: 'The largest mean_abs_change of a single z slice',
    Units: 'fraction of robust_range',
  },
  artefact_mean: {
    Description:
      'Mean of the artefact map inside the head divided by robust_range (signed: > 0 means intensity was removed)',
    Units: 'fraction of robust_range',
  },
  ssim_to_input: {
    Description:
      'Mean over z slices of the in-head SSIM of the corrected against the source image (1 = unchanged; n/a for slices under 11 x 11)',
  },
  non_finite_voxels: {
    Description: 'Source voxels that were NaN or infinite (corrected as 0, written as NaN)',
  },
  change_rank: {
    Description: '1 = the image changed most (by mean_abs_change); rows are sorted by it',
  },
};

interface Sidecar {
  Sources?: unknown;
  ChangeMeasures?: Record<string, unknown>;
  CorrectionSettings?: Record<string, unknown>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The rows of the group table: one per `*_desc-duncan_<suffix>.json` under the output folder's
 * `sub-*` folders (of the given participants and sessions only, when given), sorted by
 * `mean_abs_change`, largest first (images without a measure last, by name).
 */
export function groupRows(
  outputDir: string,
  filter: {
    participants?: readonly string[] | undefined;
    sessions?: readonly string[] | undefined;
  },
): GroupRow[] {
  const rows: Omit<GroupRow, 'change_rank'>[] = [];
  for (const path of findCorrectedSidecars(outputDir)) {
    const rel = relative(outputDir, path).split(sep).join('/');
    const name = parseBidsName(rel.slice(rel.lastIndexOf('/') + 1));
    if (name === undefined) continue;
    const get = (key: string) => name.entities.find(([k]) => k === key)?.[1];
    const subject = get('sub')!;
    const session = get('ses');
    if (filter.participants !== undefined && !filter.participants.includes(subject)) continue;
    if (
      filter.sessions !== undefined &&
      (session === undefined || !filter.sessions.includes(session))
    )
      continue;
    let sidecar: Sidecar;
    try {
      sidecar = JSON.parse(readFileSync(path, 'utf8')) as Sidecar;
    } catch (error) {
      throw new MriError(
        'CORRUPT_FILE',
        `${WHERE}: a sidecar must be JSON, got unparsable text in ${JSON.stringify(path)}`,
        {
          argument: 'output_dir',
          cause: error,
        },
      );
    }
    const m = sidecar.ChangeMeasures ?? {};
    const stem = rel.slice(0, -'.json'.length);
    rows.push({
      participant_id: `sub-${subject}`,
      session_id: session === undefined ? null : `ses-${session}`,
      suffix: name.suffix,
      source: Array.isArray(sidecar.Sources) ? String(sidecar.Sources[0]) : '',
      corrected: `${stem}.nii.gz`,
      artefact_map: `${stem.replace(`_desc-${DESC_CORRECTED}_`, `_desc-${DESC_ARTEFACT}_`)}.nii.gz`,
      head_voxels: num(m.HeadVoxels),
      robust_range: num(m.RobustRange),
      mean_abs_change: num(m.MeanAbsChange),
      max_slice_mean_abs_change: num(m.MaxSliceMeanAbsChange),
      artefact_mean: num(m.ArtefactMean),
      ssim_to_input: num(m.SsimToInput),
      non_finite_voxels: num(sidecar.CorrectionSettings?.NonFiniteVoxels),
    });
  }
  rows.sort((a, b) => {
    const x = a.mean_abs_change;
    const y = b.mean_abs_change;
    if (x !== null && y !== null && x !== y) return y - x;
    if (x === null && y !== null) return 1;
    if (y === null && x !== null) return -1;
    return a.corrected < b.corrected ? -1 : a.corrected > b.corrected ? 1 : 0;
  });
  let rank = 0;
  return rows.map((r) => ({ ...r, change_rank: r.mean_abs_change === null ? null : ++rank }));
}

const COLUMNS = Object.keys(SUMMARY_COLUMNS) as (keyof GroupRow)[];

/** The rows as a BIDS TSV: a header line, tabs, `n/a` for missing values, 6 significant digits. */
export function groupTsv(rows: readonly GroupRow[]): string {
  const cell = (v: string | number | null) =>
    v === null
      ? 'n/a'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? String(v)
          : String(Number(v.toPrecision(6)))
        : v;
  return `${[COLUMNS.join('\t'), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join('\t'))].join('\n')}\n`;
}

/** A round upper end for a y axis: 1, 2 or 5 times a power of ten, at or above `max`. */
function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * power >= max) return m * power;
  return 10 * power;
}

/**
 * The group figure: one group of boxes per suffix (in `suffixes` order), in each the
 * `mean_abs_change` (orange) and the `max_slice_mean_abs_change` (blue) of its images, as
 * fractions of the robust range; y from 0 to a round value at or above the largest.
 */
export async function groupFigure(rows: readonly GroupRow[]): Promise<{
  figure: RenderedFigure;
  suffixes: string[];
  yMax: number;
}> {
  const suffixes = [...new Set(rows.map((r) => r.suffix))].sort();
  const values = (s: string, key: 'mean_abs_change' | 'max_slice_mean_abs_change') =>
    rows.filter((r) => r.suffix === s && r[key] !== null).map((r) => r[key]!);
  const all = rows
    .flatMap((r) => [r.mean_abs_change, r.max_slice_mean_abs_change])
    .filter((v) => v !== null);
  const yMax = niceCeiling(Math.max(0, ...all) * 1.05);
  const figure = await renderBoxPlot(
    suffixes.map((s) => ({
      label: s,
      samples: [values(s, 'mean_abs_change'), values(s, 'max_slice_mean_abs_change')],
    })),
    {
      title: 'How much the corrector changed each image',
      subtitle: [
        `${rows.length} corrected image${rows.length === 1 ? '' : 's'}; change inside the head (headMask of the source)`,
        'Tukey boxes: Q1 to Q3, median (black), whiskers within 1.5 IQR, circles are outliers',
      ],
      xTitle: 'BIDS suffix',
      yTitle: 'mean |corrected − source| (fraction of the robust range)',
      legendTitle: 'measure',
      series: [
        { name: 'mean_abs_change (whole image)', colour: BASELINE_COLOUR },
        { name: 'max_slice_mean_abs_change (worst slice)', colour: CORRECTED_COLOUR },
      ],
      yDomain: [0, yMax],
    },
  );
  return { figure, suffixes, yMax };
}

/**
 * Writes `group/summary.tsv`, its column descriptions `group/summary.json`, the figure
 * `group/summary.png` (and `group/summary.svg`) and `group/README.md` (what the figure shows),
 * replacing earlier ones: they are computed from the derivative dataset alone.
 */
export async function writeGroupSummary(
  outputDir: string,
  rows: readonly GroupRow[],
): Promise<{
  tsv: string;
  json: string;
  png: string;
  svg: string;
  readme: string;
  suffixes: string[];
  yMax: number;
}> {
  const folder = join(outputDir, 'group');
  const tsv = join(folder, 'summary.tsv');
  const json = join(folder, 'summary.json');
  const png = join(folder, 'summary.png');
  const svg = join(folder, 'summary.svg');
  const readme = join(folder, 'README.md');
  const figure = await groupFigure(rows);
  const top = rows.slice(0, 5).filter((r) => r.mean_abs_change !== null);
  const text = [
    '# duncan bids: group summary',
    '',
    `${rows.length} corrected image${rows.length === 1 ? '' : 's'}. \`summary.tsv\` has one row per image, the images`,
    'the corrector changed most first (`change_rank`); `summary.json` describes its columns.',
    '',
    `\`summary.png\` (and \`summary.svg\`): box plots of mean_abs_change (orange) and`,
    `max_slice_mean_abs_change (blue), one group per suffix, left to right: ${figure.suffixes.join(', ')};`,
    `y from 0 to ${figure.yMax}, as a fraction of each image's robust range (see \`summary.json\`).`,
    '',
    'Changed most:',
    '',
    ...top.map(
      (r) =>
        `${r.change_rank}. ${r.corrected}: mean |change| ${(100 * r.mean_abs_change!).toFixed(2)} % of the robust range`,
    ),
    '',
  ].join('\n');
  writeFileAtomic(tsv, groupTsv(rows), true);
  writeFileAtomic(json, `${JSON.stringify(SUMMARY_COLUMNS, null, 2)}\n`, true);
  writeFileAtomic(png, figure.figure.png, true);
  writeFileAtomic(svg, figure.figure.svg, true);
  writeFileAtomic(readme, text, true);
  return { tsv, json, png, svg, readme, suffixes: figure.suffixes, yMax: figure.yMax };
}
