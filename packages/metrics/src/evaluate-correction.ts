import { invalidArgument } from '@duncan-mri/volume';
import {
  scoreValidCase,
  validateCorrectionCase,
  validateCorrectionOptions,
} from './internal/correction-case.js';
import type { CorrectionCase } from './score-correction-case.js';
import {
  type CorrectionReport,
  type SummariseCorrectionOptions,
  summariseCorrection,
} from './summarise-correction.js';

/** Options of {@link evaluateCorrection}: those of {@link summariseCorrection}. */
export type EvaluateCorrectionOptions = SummariseCorrectionOptions;

const WHERE = 'evaluateCorrection';

/**
 * Judges an artefact correction honestly: per z slice, in the head and on the whole slice, the
 * model against three no-learning baselines, with paired bootstrap intervals over slices.
 * Whole-image scores of head MRI are dominated by the dark background, which any rule that
 * zeroes dim voxels "improves"; the in-head scores are the yardstick, the whole-image ones come
 * second, for comparison with earlier numbers.
 *
 * It is {@link scoreCorrectionCase} on every case, then {@link summariseCorrection}:
 * - per case, four methods are scored against `clean` with {@link sliceScores} (SSIM, PSNR,
 *   NRMSE; in the mask and on whole slices; slices without mask voxels skipped):
 *   **unchanged** (the corrupted image), **threshold** (the corrupted image with voxels below
 *   5 % of its robust maximum, the 99.5th percentile, set to 0: the background rule),
 *   **median** (a 3x3 in-plane median filter of the corrupted image, applied inside the mask
 *   only; outside it the corrupted values stay) and **model** (`corrected`, when given). The
 *   mask is `brainMask` when given, else {@link headMask}`(clean)`; the data range of SSIM and
 *   PSNR is the clean image's max - min, per case; NRMSE is RMSE over the clean image's range in
 *   the scored voxels (scikit-image's `normalized_root_mse(normalization='min-max')`).
 * - groups: each subject x contrast x artefact x severity; each artefact x severity; each
 *   contrast and overall (without the clean-through cases, artefact `'none'`, whose corrupted
 *   image is the clean one and which check that a clean input stays unchanged);
 * - per group and region: mean metrics of each method, gains over unchanged and of the model
 *   over the best baseline, with percentile-bootstrap intervals over slices (`createRng(seed)`
 *   for every group; reproducible with {@link pairedBootstrap});
 * - **the model beats the baselines** when its mean in-head SSIM is strictly above that of
 *   unchanged, threshold and median (`modelBeatsBaselines`; `modelBeatsBaselinesCi` also asks
 *   the interval of its gain over the best baseline to lie above 0).
 *
 * Every volume of every case is held until the end; to score a long run case by case, use
 * {@link scoreCorrectionCase} and {@link summariseCorrection} directly.
 *
 * @returns the groups (subject rows, then artefact x severity, contrast, overall), the
 *   per-slice scores of every case and the settings; {@link formatCorrectionReport} turns it
 *   into Markdown.
 * @throws `MriError` `INVALID_ARGUMENT` for an empty or non-array `cases`, a case that is not an
 *   object, a non-volume or non-finite image, missing or empty labels, a constant clean image, a
 *   mask without voxels, slices smaller than 11x11, or bad options; `SHAPE_MISMATCH` when
 *   `corrupted`, `corrected` or `brainMask` do not match `clean`'s voxels.
 *
 * @example
 * ```ts
 * const labels = { subject: 'sub-01', contrast: 'T1', artefact: 'motion', severity: 'severe' };
 * const report = evaluateCorrection([
 *   { clean, corrupted, corrected, labels },
 *   { clean, corrupted: clean, corrected: correctedClean, labels: { ...labels, artefact: 'none', severity: 'none' } },
 * ], { seed: 1 });
 * const overall = report.groups.at(-1)!;
 * overall.inHead.gains.model?.ssim;     // { mean, low, high }: in-head SSIM gain over unchanged, 95 % CI
 * overall.inHead.modelBeatsBaselines;   // true when the model's in-head SSIM beats all three baselines
 * console.log(formatCorrectionReport(report));
 * ```
 */
export function evaluateCorrection(
  cases: readonly CorrectionCase[],
  options: EvaluateCorrectionOptions = {},
): CorrectionReport {
  if (!Array.isArray(cases) || cases.length === 0) {
    invalidArgument(WHERE, 'cases', 'must be a non-empty array of cases', cases);
  }
  const settings = validateCorrectionOptions(WHERE, options);
  const valid = cases.map((c, i) => validateCorrectionCase(WHERE, `cases[${i}]`, c));
  return summariseCorrection(valid.map(scoreValidCase), settings);
}
