import { createRng, invalidArgument, validateObject } from '@duncan-mri/volume';
import { bootstrapIntervals } from './internal/bootstrap-intervals.js';
import {
  ROBUST_MAX_PERCENTILE,
  THRESHOLD_FRACTION,
  validateCorrectionOptions,
} from './internal/correction-case.js';
import {
  CORRECTION_METHODS,
  type CorrectionBaseline,
  type CorrectionCaseScores,
  type CorrectionLabels,
  type CorrectionMethod,
} from './score-correction-case.js';
import type { SliceMetrics } from './slice-scores.js';

/** Options of {@link summariseCorrection} and `evaluateCorrection`. */
export interface SummariseCorrectionOptions {
  /** Seed of every group's bootstrap (`createRng(seed)`). Default 0. */
  readonly seed?: number;
  /** Bootstrap resamples per group. Default 2000. */
  readonly resamples?: number;
  /** Coverage of the intervals, in (0, 1). Default 0.95. */
  readonly confidence?: number;
}

/** A mean difference over slices with its bootstrap interval (null when a difference is not finite). */
export interface CorrectionGain {
  readonly mean: number;
  readonly low: number | null;
  readonly high: number | null;
}

/** Mean paired differences `method - other` of the three metrics. */
export interface CorrectionGains {
  /** Higher is better: a positive gain is an improvement. */
  readonly ssim: CorrectionGain;
  /** dB; higher is better. */
  readonly psnr: CorrectionGain;
  /** Lower is better: a NEGATIVE gain is an improvement. */
  readonly nrmse: CorrectionGain;
}

/** A group's scores over one region (in the head mask, or whole slices). */
export interface CorrectionRegion {
  /** Mean over the group's slices of each method's per-slice metrics; `model` null without corrections. */
  readonly means: Readonly<Record<CorrectionBaseline, SliceMetrics>> & {
    readonly model: SliceMetrics | null;
  };
  /** Each method minus `unchanged`, slice by slice. */
  readonly gains: Readonly<Record<'threshold' | 'median', CorrectionGains>> & {
    readonly model: CorrectionGains | null;
  };
  /** The baseline with the highest mean SSIM in this region (the first of unchanged, threshold, median on ties). */
  readonly bestBaseline: CorrectionBaseline;
  /** `model - bestBaseline`, slice by slice. */
  readonly modelVsBestBaseline: CorrectionGains | null;
  /** The rule of the report: the model's mean SSIM is above every baseline's (null without a model). */
  readonly modelBeatsBaselines: boolean | null;
  /** Stricter: the lower end of the interval of `model - bestBaseline` in SSIM is above 0. */
  readonly modelBeatsBaselinesCi: boolean | null;
}

/** How a group pools cases. */
export type CorrectionGroupKind = 'subject' | 'artefact' | 'contrast' | 'overall';

/** One row of the report. Label fields pooled over are null. */
export interface CorrectionGroup {
  /**
   * `subject`: one subject x contrast x artefact x severity; `artefact`: one artefact x severity
   * over subjects and contrasts; `contrast` and `overall`: every artefact except `'none'`.
   */
  readonly kind: CorrectionGroupKind;
  /** A display name, e.g. `sub-01, T1, motion, severe` or `motion, severe (all subjects)`. */
  readonly name: string;
  readonly subject: string | null;
  readonly contrast: string | null;
  readonly artefact: string | null;
  readonly severity: string | null;
  /** Cases pooled. */
  readonly cases: number;
  /** Slices pooled (the bootstrap's unit). */
  readonly slices: number;
  /** In the mask: the honest yardstick. */
  readonly inHead: CorrectionRegion;
  /** Over whole slices (what the background inflates), on the same slices. */
  readonly wholeImage: CorrectionRegion;
}

/** What {@link summariseCorrection} and `evaluateCorrection` return. */
export interface CorrectionReport {
  /** Subject groups, then artefact x severity, then contrast, then overall (each in order of first appearance). */
  readonly groups: readonly CorrectionGroup[];
  /** Per case, in input order. */
  readonly cases: readonly CorrectionCaseScores[];
  readonly settings: {
    readonly seed: number;
    readonly resamples: number;
    readonly confidence: number;
    /** The threshold baseline zeroes voxels below this fraction of the robust maximum. */
    readonly thresholdFraction: number;
    /** The percentile (of all voxels of the corrupted volume) that is the robust maximum. */
    readonly robustMaxPercentile: number;
  };
}

const WHERE = 'summariseCorrection';
const BASELINES: readonly CorrectionBaseline[] = ['unchanged', 'threshold', 'median'];
const METRICS = ['ssim', 'psnr', 'nrmse'] as const;

/**
 * The report of {@link evaluateCorrection} from per-case scores ({@link scoreCorrectionCase},
 * or the `cases` of earlier reports): groups, means, gains with paired bootstrap intervals over
 * slices, and the verdict. Use it to score cases one at a time and keep only their scores, or
 * to pool the cases of several runs (scores read back from JSON need their `Infinity` PSNRs
 * restored: JSON has no `Infinity`, and `null` is refused).
 *
 * Groups, in this order, each in order of first appearance: every subject x contrast x artefact
 * x severity; every artefact x severity over subjects and contrasts; every contrast, and
 * overall, both over the cases whose artefact is not `'none'`. Cases labelled artefact `'none'`
 * are clean-through checks (the corrupted image is the clean one, the model's output for it is
 * the correction): they measure whether a clean input stays unchanged (model SSIM close to 1;
 * `unchanged` scores SSIM 1 there, so the model cannot "beat" it) and are kept out of the
 * contrast and overall rows. A group has model values only when every case in it has them.
 *
 * Per group and region (in the mask, and whole slices): the mean over the group's slices of
 * each method's SSIM, PSNR and NRMSE; each method's gain over `unchanged`; and the model's gain
 * over the best baseline (the highest mean SSIM in that region). Gains are mean paired
 * differences over slices with percentile-bootstrap intervals (see {@link pairedBootstrap}):
 * every group resamples its slices with `createRng(seed)`, all of a group's differences with the
 * same draws, so `pairedBootstrap(a, b, { seed, resamples, confidence })` on a group's slices
 * (in case order) reproduces any of its intervals. An interval is null where a difference is
 * not finite (the PSNR of identical slices is `Infinity`). Slices are treated as independent
 * samples, which they are not quite (neighbouring slices of a volume are alike): the intervals
 * describe these slices, not a population of subjects.
 *
 * **The model beats the baselines** (`modelBeatsBaselines`) when its mean in-head SSIM is
 * strictly above the mean in-head SSIM of each of unchanged, threshold and median (the rule the
 * report states). `modelBeatsBaselinesCi` also requires the interval of its gain over the best
 * baseline to lie above 0. Both are given for the whole image too, for comparison.
 *
 * @throws `MriError` `INVALID_ARGUMENT` for an empty or non-array `caseScores`, missing labels,
 *   slice lists of different lengths or missing metrics, or bad options.
 *
 * @example
 * ```ts
 * const scores = [];
 * for (const c of cases) scores.push(scoreCorrectionCase(await load(c)));   // volumes freed
 * const report = summariseCorrection(scores, { seed: 0 });
 * report.groups.at(-1)!.inHead.modelBeatsBaselines;
 * ```
 */
export function summariseCorrection(
  caseScores: readonly CorrectionCaseScores[],
  options: SummariseCorrectionOptions = {},
): CorrectionReport {
  if (!Array.isArray(caseScores) || caseScores.length === 0) {
    invalidArgument(
      WHERE,
      'caseScores',
      'must be a non-empty array (of scoreCorrectionCase results)',
      caseScores,
    );
  }
  const settings = validateCorrectionOptions(WHERE, options);
  caseScores.forEach((c, i) => {
    validateCaseScores(c, i);
  });
  return {
    groups: buildGroups(caseScores, settings.seed, settings.resamples, settings.confidence),
    cases: caseScores,
    settings: {
      ...settings,
      thresholdFraction: THRESHOLD_FRACTION,
      robustMaxPercentile: ROBUST_MAX_PERCENTILE,
    },
  };
}

/** The shape of one case's scores: labels, and per method arrays of slice scores of one length. */
function validateCaseScores(value: unknown, i: number): void {
  const at = `caseScores[${i}]`;
  const c = validateObject(WHERE, at, value);
  const labels = validateObject(WHERE, `${at}.labels`, c.labels);
  for (const key of ['subject', 'contrast', 'artefact', 'severity'] as const) {
    const v = labels[key];
    if (typeof v !== 'string' || v.length === 0) {
      invalidArgument(WHERE, `${at}.labels.${key}`, 'must be a non-empty string', v);
    }
  }
  const slices = validateObject(WHERE, `${at}.slices`, c.slices);
  const n = Array.isArray(slices.unchanged) ? slices.unchanged.length : -1;
  if (n < 1) {
    invalidArgument(
      WHERE,
      `${at}.slices.unchanged`,
      'must be a non-empty array of slice scores',
      slices.unchanged,
    );
  }
  for (const method of CORRECTION_METHODS) {
    const list = slices[method];
    if (method === 'model' && list === null) continue;
    if (!Array.isArray(list) || list.length !== n) {
      invalidArgument(
        WHERE,
        `${at}.slices.${method}`,
        `must be an array of ${n} slice scores (as slices.unchanged)${method === 'model' ? ' or null' : ''}`,
        list,
      );
    }
    list.forEach((s: unknown, k: number) => {
      const score = validateObject(WHERE, `${at}.slices.${method}[${k}]`, s);
      for (const region of ['inMask', 'whole'] as const) {
        const r = validateObject(WHERE, `${at}.slices.${method}[${k}].${region}`, score[region]);
        for (const metric of METRICS) {
          if (typeof r[metric] !== 'number') {
            invalidArgument(
              WHERE,
              `${at}.slices.${method}[${k}].${region}.${metric}`,
              'must be a number',
              r[metric],
            );
          }
        }
      }
    });
  }
}

/** A group before scoring: its labels and the indices of the cases it pools. */
interface GroupSpec
  extends Pick<
    CorrectionGroup,
    'kind' | 'name' | 'subject' | 'contrast' | 'artefact' | 'severity'
  > {
  readonly members: number[];
}

function buildGroups(
  scored: readonly CorrectionCaseScores[],
  seed: number,
  resamples: number,
  confidence: number,
): CorrectionGroup[] {
  const specs: GroupSpec[] = [];
  const collect = (
    kind: CorrectionGroupKind,
    keyOf: (l: CorrectionLabels) => string[] | null,
    make: (l: CorrectionLabels) => Omit<GroupSpec, 'kind' | 'members'>,
  ): void => {
    const byKey = new Map<string, GroupSpec>();
    scored.forEach((c, i) => {
      const key = keyOf(c.labels);
      if (key === null) return;
      const k = JSON.stringify(key);
      let spec = byKey.get(k);
      if (spec === undefined) {
        spec = { kind, ...make(c.labels), members: [] };
        byKey.set(k, spec);
        specs.push(spec);
      }
      spec.members.push(i);
    });
  };
  const pooled = { subject: null, contrast: null, artefact: null, severity: null };
  collect(
    'subject',
    (l) => [l.subject, l.contrast, l.artefact, l.severity],
    (l) => ({
      subject: l.subject,
      contrast: l.contrast,
      artefact: l.artefact,
      severity: l.severity,
      name: `${l.subject}, ${l.contrast}, ${l.artefact}, ${l.severity}`,
    }),
  );
  collect(
    'artefact',
    (l) => [l.artefact, l.severity],
    (l) => ({
      ...pooled,
      artefact: l.artefact,
      severity: l.severity,
      name: `${l.artefact}, ${l.severity} (all subjects)`,
    }),
  );
  collect(
    'contrast',
    (l) => (l.artefact === 'none' ? null : [l.contrast]),
    (l) => ({ ...pooled, contrast: l.contrast, name: `${l.contrast} (all artefacts)` }),
  );
  collect(
    'overall',
    (l) => (l.artefact === 'none' ? null : []),
    () => ({ ...pooled, name: 'overall (all artefacts)' }),
  );
  return specs.map(({ members, ...spec }) => ({
    ...spec,
    cases: members.length,
    ...summariseGroup(
      members.map((i) => scored[i]!),
      seed,
      resamples,
      confidence,
    ),
  }));
}

type Region = 'inMask' | 'whole';
type Metric = (typeof METRICS)[number];
type Samples = Record<CorrectionMethod, Record<Metric, Float64Array>>;
const REGIONS: readonly Region[] = ['inMask', 'whole'];

function summariseGroup(
  members: readonly CorrectionCaseScores[],
  seed: number,
  resamples: number,
  confidence: number,
): { slices: number; inHead: CorrectionRegion; wholeImage: CorrectionRegion } {
  const hasModel = members.every((m) => m.slices.model !== null);
  const slices = members.reduce((n, m) => n + m.slices.unchanged.length, 0);
  // Per region, method and metric: the group's slices in case order.
  const samplesOf = (region: Region): Samples => {
    const out = {} as Samples;
    for (const method of CORRECTION_METHODS) {
      out[method] = {} as Record<Metric, Float64Array>;
      for (const metric of METRICS) {
        const values = new Float64Array(slices);
        let k = 0;
        for (const m of members) {
          for (const s of m.slices[method] ?? []) values[k++] = s[region][metric];
        }
        out[method][metric] = values;
      }
    }
    return out;
  };
  const samples: Record<Region, Samples> = {
    inMask: samplesOf('inMask'),
    whole: samplesOf('whole'),
  };
  const mean = (v: Float64Array): number => v.reduce((a, b) => a + b, 0) / v.length;
  const meansOf = (region: Region, method: CorrectionMethod): SliceMetrics => ({
    ssim: mean(samples[region][method].ssim),
    psnr: mean(samples[region][method].psnr),
    nrmse: mean(samples[region][method].nrmse),
  });

  // The comparisons, per region: threshold, median, model vs unchanged; model vs the best baseline.
  const plan: { region: Region; method: CorrectionMethod; other: CorrectionMethod }[] = [];
  const means = {} as Record<Region, CorrectionRegion['means']>;
  const best = {} as Record<Region, CorrectionBaseline>;
  for (const region of REGIONS) {
    const m = {
      unchanged: meansOf(region, 'unchanged'),
      threshold: meansOf(region, 'threshold'),
      median: meansOf(region, 'median'),
      model: hasModel ? meansOf(region, 'model') : null,
    };
    let b: CorrectionBaseline = 'unchanged';
    for (const candidate of BASELINES) if (m[candidate].ssim > m[b].ssim) b = candidate;
    means[region] = m;
    best[region] = b;
    plan.push(
      { region, method: 'threshold', other: 'unchanged' },
      { region, method: 'median', other: 'unchanged' },
    );
    if (hasModel) {
      plan.push(
        { region, method: 'model', other: 'unchanged' },
        { region, method: 'model', other: b },
      );
    }
  }
  // Every difference of the group is resampled with the same draws of createRng(seed).
  const differences = plan.flatMap(({ region, method, other }) =>
    METRICS.map((metric) => {
      const a = samples[region][other][metric];
      return samples[region][method][metric].map((v, i) => v - a[i]!);
    }),
  );
  const intervals = bootstrapIntervals(differences, resamples, confidence, createRng(seed));
  const gainsAt = (k: number): CorrectionGains => ({
    ssim: intervals[3 * k]!,
    psnr: intervals[3 * k + 1]!,
    nrmse: intervals[3 * k + 2]!,
  });
  const regionResult = (region: Region): CorrectionRegion => {
    const first = plan.findIndex((p) => p.region === region);
    const m = means[region];
    const model = hasModel ? gainsAt(first + 2) : null;
    const vsBest = hasModel ? gainsAt(first + 3) : null;
    return {
      means: m,
      gains: { threshold: gainsAt(first), median: gainsAt(first + 1), model },
      bestBaseline: best[region],
      modelVsBestBaseline: vsBest,
      modelBeatsBaselines:
        m.model === null ? null : BASELINES.every((b) => m.model!.ssim > m[b].ssim),
      modelBeatsBaselinesCi:
        vsBest === null ? null : vsBest.ssim.low !== null && vsBest.ssim.low > 0,
    };
  };
  return { slices, inHead: regionResult('inMask'), wholeImage: regionResult('whole') };
}
