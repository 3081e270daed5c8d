import {
  intensityRange,
  invalidArgument,
  isMriError,
  MriError,
  type Volume,
  validateObject,
  withData,
} from '@duncan-mri/volume';
import { headMask } from '../head-mask.js';
import type { CorrectionCaseScores, CorrectionLabels } from '../score-correction-case.js';
import { sliceScores } from '../slice-scores.js';
import { type BootstrapSettings, validateBootstrapSettings } from './bootstrap-intervals.js';
import { medianFilter3x3 } from './median-filter.js';
import { percentile } from './percentile.js';
import { validateVolume } from './validate.js';

/** The threshold baseline: voxels below 5 % of the robust maximum become 0. */
export const THRESHOLD_FRACTION = 0.05;
/** The percentile of all voxels that is the robust maximum. */
export const ROBUST_MAX_PERCENTILE = 99.5;

/** A case after {@link validateCorrectionCase}: its mask and data range resolved. */
export interface ValidCase {
  readonly clean: Volume;
  readonly corrupted: Volume;
  readonly corrected: Volume | undefined;
  readonly labels: CorrectionLabels;
  readonly mask: Uint8Array;
  readonly maskSource: 'brainMask' | 'headMask';
  readonly dataRange: number;
}

/**
 * Checks one case of `scoreCorrectionCase` / `evaluateCorrection` (`at` names it in messages,
 * e.g. `cases[2]`) and resolves its mask (`brainMask`, else `headMask(clean)`) and data range.
 */
export function validateCorrectionCase(where: string, at: string, value: unknown): ValidCase {
  const c = validateObject(where, at, value);
  validateVolume(where, `${at}.clean`, c.clean);
  const clean = c.clean;
  const [nx, ny] = clean.shape;
  if (nx < 11 || ny < 11) {
    invalidArgument(
      where,
      `${at}.clean`,
      'must be at least 11x11 in-plane (the SSIM window)',
      `shape [${clean.shape.join(', ')}]`,
    );
  }
  const sameShape = (name: 'corrupted' | 'corrected'): Volume => {
    validateVolume(where, `${at}.${name}`, c[name]);
    const v = c[name] as Volume;
    if (v.shape.some((d, k) => d !== clean.shape[k])) {
      throw new MriError(
        'SHAPE_MISMATCH',
        `${where}: ${at}.${name} must have the shape of ${at}.clean [${clean.shape.join(', ')}], got [${v.shape.join(', ')}]`,
        { argument: `${at}.${name}` },
      );
    }
    return v;
  };
  const corrupted = sameShape('corrupted');
  const corrected = c.corrected === undefined ? undefined : sameShape('corrected');
  const labelObject = validateObject(where, `${at}.labels`, c.labels);
  for (const key of ['subject', 'contrast', 'artefact', 'severity'] as const) {
    const v = labelObject[key];
    if (typeof v !== 'string' || v.length === 0) {
      invalidArgument(where, `${at}.labels.${key}`, 'must be a non-empty string', v);
    }
  }
  const labels = labelObject as unknown as CorrectionLabels;
  // validateVolume has checked that every voxel is finite.
  const { min, range: dataRange } = intensityRange(clean);
  if (!(dataRange > 0)) {
    invalidArgument(
      where,
      `${at}.clean`,
      "must not be constant (its max - min is the metrics' data range)",
      `a constant image of ${min}`,
    );
  }
  let mask: Uint8Array;
  let maskSource: 'brainMask' | 'headMask';
  if (c.brainMask !== undefined) {
    const m = c.brainMask;
    if (!(m instanceof Uint8Array)) {
      invalidArgument(where, `${at}.brainMask`, 'must be a Uint8Array (non-zero = inside)', m);
    }
    if (m.length !== clean.data.length) {
      throw new MriError(
        'SHAPE_MISMATCH',
        `${where}: ${at}.brainMask must have one entry per voxel of ${at}.clean (${clean.data.length}), got ${m.length}`,
        { argument: `${at}.brainMask` },
      );
    }
    if (m.every((v) => v === 0)) {
      invalidArgument(where, `${at}.brainMask`, 'must select at least one voxel', 'an empty mask');
    }
    mask = m;
    maskSource = 'brainMask';
  } else {
    try {
      mask = headMask(clean);
    } catch (error) {
      if (!isMriError(error)) throw error;
      invalidArgument(
        where,
        `${at}.clean`,
        `must have a head to mask (${error.message})`,
        undefined,
        { got: 'none', cause: error },
      );
    }
    maskSource = 'headMask';
  }
  return {
    clean,
    corrupted,
    corrected,
    labels: {
      subject: labels.subject,
      contrast: labels.contrast,
      artefact: labels.artefact,
      severity: labels.severity,
    },
    mask,
    maskSource,
    dataRange,
  };
}

/** The background rule: voxels below 5 % of the 99.5th percentile of all voxels become 0. */
export function thresholdBaseline(volume: Volume): Volume {
  const t = THRESHOLD_FRACTION * percentile(volume.data, ROBUST_MAX_PERCENTILE);
  return withData(
    volume,
    volume.data.map((v) => (v < t ? 0 : v)),
  );
}

/** The four methods of a validated case, scored slice by slice against its clean image. */
export function scoreValidCase(c: ValidCase): CorrectionCaseScores {
  const options = { dataRange: c.dataRange, mask: c.mask };
  const median = withData(
    c.corrupted,
    medianFilter3x3(c.corrupted.data, c.corrupted.shape, c.mask),
  );
  let maskVoxels = 0;
  for (const m of c.mask) if (m !== 0) maskVoxels++;
  return {
    labels: c.labels,
    dataRange: c.dataRange,
    mask: c.maskSource,
    maskVoxels,
    slices: {
      unchanged: sliceScores(c.clean, c.corrupted, options),
      threshold: sliceScores(c.clean, thresholdBaseline(c.corrupted), options),
      median: sliceScores(c.clean, median, options),
      model: c.corrected === undefined ? null : sliceScores(c.clean, c.corrected, options),
    },
  };
}

/** The options of `summariseCorrection` and `evaluateCorrection`, with their defaults. */
export function validateCorrectionOptions(where: string, options: unknown): BootstrapSettings {
  return validateBootstrapSettings(where, validateObject(where, 'options', options, true), 0);
}
