import type { Volume } from '@duncan-mri/volume';
import { scoreValidCase, validateCorrectionCase } from './internal/correction-case.js';
import type { SliceScore } from './slice-scores.js';

/** The baselines every correction is compared with (see {@link scoreCorrectionCase}). */
export type CorrectionBaseline = 'unchanged' | 'threshold' | 'median';
/** The baselines and the model. */
export type CorrectionMethod = CorrectionBaseline | 'model';
/** The methods in report order. */
export const CORRECTION_METHODS: readonly CorrectionMethod[] = Object.freeze([
  'unchanged',
  'threshold',
  'median',
  'model',
]);

/** What a case is: the grouping keys of the report. Artefact `'none'` marks a clean-through case. */
export interface CorrectionLabels {
  readonly subject: string;
  readonly contrast: string;
  readonly artefact: string;
  readonly severity: string;
}

/** One corrupted image with its clean original and, optionally, the model's correction. */
export interface CorrectionCase {
  /** The artefact-free image: the reference of every score; its max - min is the data range. */
  readonly clean: Volume;
  /** The clean image with artefacts (the clean image itself for a clean-through case). */
  readonly corrupted: Volume;
  /** The model's correction of `corrupted`; without it the case scores only the baselines. */
  readonly corrected?: Volume | undefined;
  readonly labels: CorrectionLabels;
  /** The region to score in (one entry per voxel); default `headMask(clean)`. */
  readonly brainMask?: Uint8Array | undefined;
}

/** The per-slice scores of one case. */
export interface CorrectionCaseScores {
  readonly labels: CorrectionLabels;
  /** The clean image's max - min. */
  readonly dataRange: number;
  /** Where the mask came from. */
  readonly mask: 'brainMask' | 'headMask';
  readonly maskVoxels: number;
  /** {@link sliceScores} of each method against the clean image (the same slices for all). */
  readonly slices: Readonly<Record<CorrectionBaseline, readonly SliceScore[]>> & {
    readonly model: readonly SliceScore[] | null;
  };
}

const WHERE = 'scoreCorrectionCase';

/**
 * Scores one corrupted image, its correction and three no-learning baselines against the clean
 * image, slice by slice: the per-case step of {@link evaluateCorrection}, for callers that
 * score cases one at a time (to keep only the scores, not the volumes, of a long run) and
 * summarise them at the end with {@link summariseCorrection}.
 *
 * Methods, each scored with {@link sliceScores} (SSIM, PSNR, NRMSE in the mask and on the whole
 * slice; slices without mask voxels skipped, the same slices for every method):
 * - `unchanged`: the corrupted image as it is;
 * - `threshold`: the corrupted image with every voxel below 5 % of its robust maximum (the
 *   99.5th percentile of all its voxels, numpy's rule) set to 0: the background rule;
 * - `median`: a 3x3 in-plane median filter of each corrupted slice (mirrored borders, as
 *   scipy.ndimage's `median_filter(size=(3, 3), mode='reflect')`), applied only inside the mask:
 *   outside it the corrupted values stay, so its whole-image scores differ from `unchanged` only
 *   through the voxels inside the mask;
 * - `model`: `corrected`, when given (else `slices.model` is null).
 *
 * The mask is `brainMask` when given, else {@link headMask}`(clean)` with its defaults. The data
 * range of SSIM and PSNR is the clean image's max - min (the whole volume). NRMSE divides by
 * the clean image's range over the scored voxels (see {@link sliceScores}). A clean-through case
 * (artefact `'none'`) has `corrupted` equal to `clean` and the model's output for the clean
 * image as `corrected`.
 *
 * @throws `MriError` `INVALID_ARGUMENT` for a case that is not an object, a non-volume or
 *   non-finite image, missing or empty labels, a constant clean image, a mask without voxels
 *   (or a clean image `headMask` finds nothing in), or slices smaller than 11x11;
 *   `SHAPE_MISMATCH` when `corrupted`, `corrected` or `brainMask` do not match `clean`'s voxels.
 *
 * @example
 * ```ts
 * const scores = scoreCorrectionCase({
 *   clean, corrupted, corrected,
 *   labels: { subject: 'sub-01', contrast: 'T1', artefact: 'motion', severity: 'severe' },
 * });
 * scores.slices.model?.map((s) => s.inMask.ssim);   // per-slice in-head SSIM of the model
 * ```
 */
export function scoreCorrectionCase(correctionCase: CorrectionCase): CorrectionCaseScores {
  return scoreValidCase(validateCorrectionCase(WHERE, 'case', correctionCase));
}
