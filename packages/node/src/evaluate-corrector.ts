import {
  brainMask,
  type CorrectionCaseScores,
  type CorrectionReport,
  compareImages,
  dice,
  type ImageComparison,
  scoreCorrectionCase,
  segmentTissues,
  sliceDice,
  sliceSsim,
  summariseCorrection,
  type TissueSegmentation,
} from '@duncan-mri/metrics';
import { SEVERITIES } from '@duncan-mri/simulate';
import {
  assertVolume,
  intensityRange,
  invalidArgument,
  isMriError,
  MriError,
  type Volume,
  validateBoolean,
  validateNumber,
  validateObject,
  withData,
} from '@duncan-mri/volume';
import type { NodeCorrector } from './create-corrector.js';

/** Tissue classes segmented (CSF, GM, WM on a T1). */
const CLASSES = 3;
/** Fewer voxels than this in the mask: no segmentation (Dice n/a), rather than a meaningless fit. */
export const MIN_SEGMENTATION_VOXELS = 100;

const WHERE = 'evaluateCorrector';

/** One corrupted version of a case's clean image. */
export interface EvaluationVariant {
  /** The artefact label of the report's rows (e.g. `motion`, `shot-motion`, `unlabelled`). */
  readonly artefact: string;
  /** The severity label (`mild`, `moderate`, `severe` sort in that order; others first). */
  readonly severity: string;
  /**
   * The corrupted image (the clean one with artefacts, on its grid), or a function that makes or
   * reads it from the clean image when its turn comes, so that a long run holds one at a time.
   */
  readonly corrupted: Volume | ((clean: Volume) => Volume | Promise<Volume>);
  /** Where the corrupted image came from (a file), for the report's `corruptedFile`; default null. */
  readonly source?: string;
}

/** One subject: a clean image and its corrupted versions. */
export interface EvaluationCaseInput {
  /** The subject's name (unique per call: the rows and groups are keyed by it). */
  readonly name: string;
  /** The contrast label of the in-head tables (T1, T2, ...). Default `unlabelled`. */
  readonly contrast?: string;
  /** The artefact-free image, or a function that reads it when the case's turn comes. */
  readonly clean: Volume | (() => Volume | Promise<Volume>);
  /** Where the clean image came from (a file), for the report; default null. */
  readonly source?: string;
  /**
   * The brain mask (one entry per voxel, non-zero inside), or a function of the clean image that
   * gives it. Default: `brainMask(clean)` for the segmentations and `headMask(clean)` for the
   * in-head scores.
   */
  readonly mask?: Uint8Array | ((clean: Volume) => Uint8Array | Promise<Uint8Array>);
  /** How the report names the given mask. Default `the given mask`. */
  readonly maskSource?: string;
  readonly variants: readonly EvaluationVariant[];
}

/** Options of {@link evaluateCorrector}. */
export interface EvaluateCorrectorOptions {
  /** The slicing axis of the correction and of the examples: 0, 1 or 2 (x, y, z). Default 2. */
  readonly axis?: 0 | 1 | 2;
  /**
   * Mirror averaging of the correction (`flips` of core's `correct`: each batch and its three
   * mirror images, four forward passes). Default true.
   */
  readonly flips?: boolean;
  /**
   * Residual shrinkage of the correction (`shrinkage` of core's `correct`: each slice's
   * correction soft-thresholded at this multiple of the slice's noise level; 0: off). Default:
   * core's (`DEFAULT_SHRINKAGE`, 1).
   */
  readonly shrinkage?: number;
  /** Seed of the paired bootstrap of {@link @duncan-mri/metrics!summariseCorrection | summariseCorrection}. Default 0. */
  readonly seed?: number;
  /** Called as the work advances: corrections done (a clean image or a variant each) of `total`. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Called with notes for people: why a Dice is n/a, an empty mask. */
  readonly onNote?: (text: string) => void;
  /**
   * Called once per artefact with the first variant at its severest level, while its volumes are
   * at hand (to draw an example figure); awaited.
   */
  readonly onExample?: (example: EvaluationExample) => void | Promise<void>;
}

/** The volumes of one variant, for an example figure (see {@link EvaluateCorrectorOptions.onExample}). */
export interface EvaluationExample {
  readonly case: string;
  readonly artefact: string;
  readonly severity: string;
  readonly clean: Volume;
  readonly corrupted: Volume;
  readonly corrected: Volume;
  /** corrupted - corrected. */
  readonly artefactMap: Volume;
  /** The segmentations (label volumes) of the clean, corrupted and corrected images; null when not segmented. */
  readonly labels: {
    readonly clean: Volume | null;
    readonly corrupted: Volume | null;
    readonly corrected: Volume | null;
  };
  /** The mask of the segmentations as a 0/1 volume, or null without one. */
  readonly mask: Volume | null;
  /** The corrupted and the corrected image's scores against the clean one (as in the variant's row). */
  readonly scores: { readonly corrupted: ImageScores; readonly corrected: ImageScores };
}

/** Per-tissue Dice of one segmentation against the clean image's (classes 1..3). */
export interface DiceScores {
  /** Classes 1, 2, 3 in increasing order of mean intensity (CSF, GM, WM on a T1); null if absent from both. */
  readonly perClass: readonly (number | null)[];
  /** The mean of the defined classes. */
  readonly mean: number | null;
}

/** The scores of one image (corrupted or corrected) against the clean one. */
export interface ImageScores extends ImageComparison {
  /** null when no segmentation was possible (see {@link EvaluationCase.segmentation} and `diceError`). */
  readonly dice: DiceScores | null;
  /** Why this image could not be segmented when the clean image could (e.g. a constant image). */
  readonly diceError?: string;
}

/** One case at one artefact and severity. */
export interface EvaluationRow {
  readonly case: string;
  /** The clean image's `source`, or null. */
  readonly clean: string | null;
  /** The corrupted image's `source` (a file), or null when made from the clean image. */
  readonly corruptedFile: string | null;
  readonly artefact: string;
  readonly severity: string;
  /** Baseline: the corrupted image, no correction. */
  readonly corrupted: ImageScores;
  /** After correction by the model. */
  readonly corrected: ImageScores;
  /** Per z slice: SSIM and mean Dice of corrupted and corrected (the box plots' samples). */
  readonly slices: {
    readonly ssim: { readonly corrupted: number[]; readonly corrected: number[] };
    readonly dice: { readonly corrupted: (number | null)[]; readonly corrected: (number | null)[] };
  };
}

/** What the clean image of a case gave. */
export interface EvaluationCase {
  readonly name: string;
  /** The clean image's `source`, or null. */
  readonly clean: string | null;
  readonly shape: readonly [number, number, number];
  /** The clean image's max - min: the data range of every metric of the case. */
  readonly dataRange: number;
  /** Voxels in the mask the three segmentations share, and where it came from. */
  readonly mask: { readonly source: string; readonly voxels: number } | null;
  /** The clean image's segmentation, or why there is none (then every Dice of the case is n/a). */
  readonly segmentation:
    | {
        readonly means: number[];
        readonly proportions: number[];
        readonly iterations: number;
        readonly converged: boolean;
      }
    | { readonly error: string };
  /** The clean image itself corrected: how much the model changes an image without artefacts. */
  readonly cleanAfterCorrection: ImageComparison;
}

/** What {@link evaluateCorrector} resolves to. */
export interface CorrectorEvaluation {
  /** The yardstick: in-head and whole-slice scores against three no-learning baselines. */
  readonly correction: CorrectionReport;
  /** Per case, in input order. */
  readonly cases: readonly EvaluationCase[];
  /** Per case and variant, in input order. */
  readonly rows: readonly EvaluationRow[];
}

/** Where a severity sorts (severest last); labels that are not severities sort first. */
function severityRank(severity: string): number {
  return (SEVERITIES as readonly string[]).indexOf(severity);
}

/** segmentTissues, with its MriErrors (a constant image, too few intensities) as a reason. */
function trySegment(volume: Volume, mask: Uint8Array): TissueSegmentation | string {
  try {
    return segmentTissues(volume, { classes: CLASSES, mask });
  } catch (error) {
    if (isMriError(error)) return error.message;
    throw error;
  }
}

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

interface Reference {
  readonly clean: Volume;
  readonly dataRange: number;
  readonly mask: Uint8Array | null;
  readonly segmentation: TissueSegmentation | null;
}

function scoreImage(
  ref: Reference,
  test: Volume,
): { scores: ImageScores; ssims: number[]; dices: (number | null)[]; labels: Volume | null } {
  const metrics = compareImages(ref.clean, test, { dataRange: ref.dataRange, slicewise: true });
  let diceScores: ImageScores['dice'] = null;
  let dices: (number | null)[] = Array.from({ length: ref.clean.shape[2] }, () => null);
  let labels: Volume | null = null;
  let diceError: string | undefined;
  if (ref.segmentation !== null && ref.mask !== null) {
    const seg = trySegment(test, ref.mask);
    if (typeof seg === 'string') diceError = seg;
    else {
      labels = seg.labels;
      const d = dice(ref.segmentation.labels, seg.labels, { classes: CLASSES });
      diceScores = { perClass: d.perClass.map(nullIfNaN), mean: nullIfNaN(d.mean) };
      dices = sliceDice(ref.segmentation.labels, seg.labels, { classes: CLASSES }).map((s) =>
        nullIfNaN(s.mean),
      );
    }
  }
  return {
    scores: { ...metrics, dice: diceScores, ...(diceError === undefined ? {} : { diceError }) },
    ssims: sliceSsim(ref.clean, test, { dataRange: ref.dataRange }),
    dices,
    labels,
  };
}

/** A volume argument: well formed, finite, and (with `like`) on the clean image's grid. */
function checkVolume(argument: string, value: unknown, like?: Volume): Volume {
  assertVolume(value, WHERE, argument);
  for (const v of value.data) {
    if (!Number.isFinite(v)) invalidArgument(WHERE, argument, 'must contain only finite voxels', v);
  }
  if (like !== undefined && value.shape.some((d, i) => d !== like.shape[i])) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${WHERE}: ${argument} must have the shape of its clean image [${like.shape.join(', ')}], got [${value.shape.join(', ')}]`,
      { argument },
    );
  }
  return value;
}

function checkCases(cases: unknown): readonly EvaluationCaseInput[] {
  if (!Array.isArray(cases) || cases.length === 0)
    invalidArgument(WHERE, 'cases', 'must be a non-empty array of cases', cases);
  const names = new Set<string>();
  cases.forEach((c: unknown, i: number) => {
    const at = `cases[${i}]`;
    const item = validateObject(WHERE, at, c);
    if (typeof item.name !== 'string' || item.name === '' || names.has(item.name))
      invalidArgument(
        WHERE,
        `${at}.name`,
        'must be a non-empty string, unique per call',
        item.name,
      );
    names.add(item.name);
    if (!Array.isArray(item.variants))
      invalidArgument(WHERE, `${at}.variants`, 'must be an array of variants', item.variants);
    (item.variants as unknown[]).forEach((v, j) => {
      const variant = validateObject(WHERE, `${at}.variants[${j}]`, v);
      for (const key of ['artefact', 'severity'] as const)
        if (typeof variant[key] !== 'string' || variant[key] === '')
          invalidArgument(
            WHERE,
            `${at}.variants[${j}].${key}`,
            'must be a non-empty string',
            variant[key],
          );
    });
  });
  return cases as readonly EvaluationCaseInput[];
}

/**
 * Evaluates an artefact corrector on clean images and their corrupted versions, as `duncan
 * evaluate` does (the command reads the files, calls this and writes the report):
 *
 * - **the yardstick first**: every corrupted image and its correction are scored per z slice
 *   inside the head and on whole slices against three no-learning baselines
 *   ({@link @duncan-mri/metrics!scoreCorrectionCase | scoreCorrectionCase}, pooled with
 *   {@link @duncan-mri/metrics!summariseCorrection | summariseCorrection} and `seed`), with a
 *   clean-through case per subject (artefact `none`: the clean image corrected);
 * - **then, as the DUNCAN paper did**: SSIM (slice-wise), MS-SSIM, VIF, UQI and PSNR of the whole
 *   corrupted and corrected images against the clean one (its max - min as the data range), and
 *   the per-tissue Dice of 3-class segmentations (`segmentTissues`) of both against the clean
 *   image's, all inside one mask (`mask`, else `brainMask(clean)`; under
 *   {@link MIN_SEGMENTATION_VOXELS} voxels or a failed segmentation gives Dice null, with the
 *   reason as a note), with per-slice SSIM and mean Dice (`sliceSsim`, `sliceDice`).
 *
 * Cases run in order, one clean image and one corrupted image at a time; only the scores are
 * kept. The in-head scores use `mask` when it has voxels, else `headMask(clean)`.
 *
 * @returns the yardstick report, and per case and row the whole-image scores.
 * @throws `MriError` `INVALID_ARGUMENT` for empty or malformed cases, a non-finite or constant
 *   clean image, a non-finite corrupted image; `SHAPE_MISMATCH` for a corrupted image or mask
 *   off the clean image's grid; and what the corrector throws.
 *
 * @example
 * ```ts
 * const corrector = await createCorrector();
 * const result = await evaluateCorrector(corrector, [
 *   {
 *     name: 'sub-01',
 *     contrast: 'T1',
 *     clean,
 *     variants: [{
 *       artefact: 'motion',
 *       severity: 'severe',
 *       corrupted: (c) => simulateSlices(c, [{ artefact: 'motion', severity: 'severe' }], createRng(1)).volume,
 *     }],
 *   },
 * ], { seed: 1 });
 * await corrector.close();
 * result.correction.groups.at(-1)?.inHead.modelBeatsBaselines;
 * ```
 */
export async function evaluateCorrector(
  corrector: Pick<NodeCorrector, 'correct'>,
  cases: readonly EvaluationCaseInput[],
  options: EvaluateCorrectorOptions = {},
): Promise<CorrectorEvaluation> {
  if (typeof corrector?.correct !== 'function')
    invalidArgument(WHERE, 'corrector', 'must have a correct(volume, options) method', corrector);
  const specs = checkCases(cases);
  const opts = validateObject(WHERE, 'options', options) as EvaluateCorrectorOptions;
  const axis = opts.axis ?? 2;
  if (axis !== 0 && axis !== 1 && axis !== 2)
    invalidArgument(WHERE, 'options.axis', 'must be 0, 1 or 2', axis);
  const flips = validateBoolean(WHERE, 'options.flips', opts.flips, true);
  const shrinkage =
    opts.shrinkage === undefined
      ? undefined
      : validateNumber(WHERE, 'options.shrinkage', opts.shrinkage, { min: 0 });
  const note = opts.onNote ?? (() => {});
  const progress = opts.onProgress ?? (() => {});

  // The examples: per artefact, the first variant at its severest level.
  const exampleFor = new Map<string, { spec: EvaluationCaseInput; variant: EvaluationVariant }>();
  for (const spec of specs) {
    for (const variant of spec.variants) {
      const held = exampleFor.get(variant.artefact);
      if (
        held === undefined ||
        severityRank(variant.severity) > severityRank(held.variant.severity)
      )
        exampleFor.set(variant.artefact, { spec, variant });
    }
  }

  const total = specs.reduce((n, s) => n + 1 + s.variants.length, 0);
  let done = 0;
  const correct = (volume: Volume, label: string) =>
    corrector.correct(volume, {
      axis,
      flips,
      ...(shrinkage === undefined ? {} : { shrinkage }),
      onProgress: () => progress(done, total, label),
    });
  const evaluationCases: EvaluationCase[] = [];
  const rows: EvaluationRow[] = [];
  // Per-slice scores of every corrupted image (and clean-through check) against the baselines;
  // the volumes themselves are not kept.
  const correctionScores: CorrectionCaseScores[] = [];
  for (const [i, spec] of specs.entries()) {
    const at = `cases[${i}]`;
    const clean = checkVolume(
      `${at}.clean`,
      typeof spec.clean === 'function' ? await spec.clean() : spec.clean,
    );
    const dataRange = intensityRange(clean).range;
    if (!(dataRange > 0))
      invalidArgument(
        WHERE,
        `${at}.clean`,
        "must not be a constant image (its max - min is the metrics' data range)",
        `range ${dataRange}`,
      );
    // One mask for all three segmentations of the case, so that Dice compares like with like.
    let mask: Uint8Array | null = null;
    let maskSource = 'brainMask of the clean image';
    let segmentation: TissueSegmentation | null = null;
    let reason: string | undefined;
    if (spec.mask !== undefined) {
      mask = typeof spec.mask === 'function' ? await spec.mask(clean) : spec.mask;
      if (!(mask instanceof Uint8Array) || mask.length !== clean.data.length)
        throw new MriError(
          'SHAPE_MISMATCH',
          `${WHERE}: ${at}.mask must be a Uint8Array with one entry per voxel of the clean image (${clean.data.length}), got ${mask instanceof Uint8Array ? mask.length : typeof mask}`,
          { argument: `${at}.mask` },
        );
      maskSource = spec.maskSource ?? 'the given mask';
    } else {
      try {
        mask = brainMask(clean);
      } catch (error) {
        if (!isMriError(error)) throw error;
        reason = `no brain mask: ${error.message}`;
      }
    }
    let voxels = 0;
    if (mask !== null) for (const v of mask) if (v !== 0) voxels++;
    if (mask !== null && voxels < MIN_SEGMENTATION_VOXELS) {
      reason = `the mask holds ${voxels} voxels, fewer than the ${MIN_SEGMENTATION_VOXELS} segmentation needs`;
    } else if (mask !== null) {
      const seg = trySegment(clean, mask);
      if (typeof seg === 'string') reason = `segmentation failed: ${seg}`;
      else segmentation = seg;
    }
    if (reason !== undefined) note(`${spec.name}: Dice is n/a (${reason})`);
    const ref: Reference = { clean, dataRange, mask, segmentation };
    const { corrected: cleanCorrected } = await correct(clean, `${spec.name} clean`);
    done++;
    // In-head scores: inside the given mask when it has voxels, else the clean image's headMask.
    const givenMask = spec.mask !== undefined && mask !== null && voxels > 0 ? mask : undefined;
    if (spec.mask !== undefined && givenMask === undefined)
      note(`${spec.name}: the mask is empty; the in-head scores use headMask instead`);
    const labels = { subject: spec.name, contrast: spec.contrast ?? 'unlabelled' };
    const scoreCase = (
      corrupted: Volume,
      corrected: Volume,
      artefact: string,
      severity: string,
    ) => {
      correctionScores.push(
        scoreCorrectionCase({
          clean,
          corrupted,
          corrected,
          labels: { ...labels, artefact, severity },
          brainMask: givenMask,
        }),
      );
    };
    // The clean-through check: does the model leave an image without artefacts alone?
    scoreCase(clean, cleanCorrected, 'none', 'none');
    evaluationCases.push({
      name: spec.name,
      clean: spec.source ?? null,
      shape: clean.shape,
      dataRange,
      mask: mask === null ? null : { source: maskSource, voxels },
      segmentation:
        segmentation === null
          ? { error: reason ?? 'not segmented' }
          : {
              means: segmentation.means,
              proportions: segmentation.proportions,
              iterations: segmentation.iterations,
              converged: segmentation.converged,
            },
      cleanAfterCorrection: compareImages(clean, cleanCorrected, { dataRange, slicewise: true }),
    });
    for (const [j, variant] of spec.variants.entries()) {
      const label = `${spec.name} ${variant.artefact} ${variant.severity}`;
      progress(done, total, label);
      const corrupted = checkVolume(
        `${at}.variants[${j}].corrupted`,
        typeof variant.corrupted === 'function'
          ? await variant.corrupted(clean)
          : variant.corrupted,
        clean,
      );
      const { corrected, artefactMap } = await correct(corrupted, label);
      scoreCase(corrupted, corrected, variant.artefact, variant.severity);
      const before = scoreImage(ref, corrupted);
      const after = scoreImage(ref, corrected);
      for (const [what, scored] of [
        ['corrupted', before],
        ['corrected', after],
      ] as const) {
        if (scored.scores.diceError !== undefined)
          note(`${label}: Dice of the ${what} image is n/a (${scored.scores.diceError})`);
      }
      rows.push({
        case: spec.name,
        clean: spec.source ?? null,
        corruptedFile: variant.source ?? null,
        artefact: variant.artefact,
        severity: variant.severity,
        corrupted: before.scores,
        corrected: after.scores,
        slices: {
          ssim: { corrupted: before.ssims, corrected: after.ssims },
          dice: { corrupted: before.dices, corrected: after.dices },
        },
      });
      const example = exampleFor.get(variant.artefact);
      if (example?.spec === spec && example.variant === variant && opts.onExample !== undefined) {
        await opts.onExample({
          case: spec.name,
          artefact: variant.artefact,
          severity: variant.severity,
          clean,
          corrupted,
          corrected,
          artefactMap,
          labels: {
            clean: segmentation?.labels ?? null,
            corrupted: before.labels,
            corrected: after.labels,
          },
          mask: mask === null ? null : withData(clean, Float32Array.from(mask)),
          scores: { corrupted: before.scores, corrected: after.scores },
        });
      }
      done++;
      progress(done, total, label);
    }
  }
  const correction = summariseCorrection(correctionScores, { seed: opts.seed ?? 0 });
  return { correction, cases: evaluationCases, rows };
}
