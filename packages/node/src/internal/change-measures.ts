import { headMask, sliceScores } from '@duncan-mri/metrics';
import { isMriError, type Volume, withData } from '@duncan-mri/volume';

/**
 * How much a correction changed an image inside the head, without a reference image: what
 * `duncan bids` records per image so that a lab sees which scans the corrector touched most.
 * Intensities are divided by the input's robust range, so the numbers compare across scans,
 * contrasts and scanners. `null` where a measure cannot be computed (see `note`).
 */
export interface ChangeMeasures {
  /** Voxels in the input's `headMask` (and finite in every image). */
  readonly headVoxels: number;
  /** The input's 99.5th minus 0.5th percentile inside the head, in the image's units. */
  readonly robustRange: number | null;
  /** Mean of `|corrected - input|` inside the head, divided by `robustRange`. */
  readonly meanAbsChange: number | null;
  /** The largest per-slice (z) `meanAbsChange`: a single slice the corrector rewrote shows here. */
  readonly maxSliceMeanAbsChange: number | null;
  /** Mean of the artefact map (`input - corrected`) inside the head, divided by `robustRange`. */
  readonly artefactMean: number | null;
  /**
   * Mean over z slices of the in-head SSIM of the corrected against the input image (Wang et
   * al. 2004, `sliceScores` of `@duncan-mri/metrics`, data range `robustRange`); 1 = unchanged.
   * `null` for slices under 11 x 11 voxels.
   */
  readonly ssimToInput: number | null;
  /** Why a measure is `null`, when one is. */
  readonly note?: string;
}

/** Linear interpolation between order statistics (numpy's default `percentile`). */
function percentile(sorted: Float32Array, p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const a = sorted[i]!;
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return a + (b - a) * (pos - i);
}

/** The robust range used to normalise the measures: percentiles 0.5 and 99.5 (as the model's). */
const LOW_PERCENTILE = 0.5;
const HIGH_PERCENTILE = 99.5;

const EMPTY = {
  robustRange: null,
  meanAbsChange: null,
  maxSliceMeanAbsChange: null,
  artefactMean: null,
  ssimToInput: null,
} as const;

/**
 * {@link ChangeMeasures} of one correction. `input` is the corrected image's input, `corrected`
 * and `artefactMap` what the correction returned; voxels not finite in either output are left
 * out. A non-finite input voxel (corrected as 0 under core's `nonFinite: 'zero-and-restore'`,
 * NaN in both outputs) is 0 here too, as the network saw it, so it is background to the head
 * mask. The head is `headMask(input)` (10 % of the robust maximum, holes filled,
 * per slice; `@duncan-mri/metrics`). No paper defines these numbers: they are plain summaries of
 * the change, in the spirit of MRIQC's no-reference image-quality metrics (Esteban et al., PLoS
 * ONE 2017), and they say how much was changed, not whether the change was right.
 */
export function changeMeasures(
  input: Volume,
  corrected: Volume,
  artefactMap: Volume,
): ChangeMeasures {
  const n = input.data.length;
  const seen = input.data.every(Number.isFinite)
    ? input
    : withData(
        input,
        Float32Array.from(input.data, (v) => (Number.isFinite(v) ? v : 0)),
      );
  let mask: Uint8Array;
  try {
    mask = headMask(seen);
  } catch (error) {
    if (!isMriError(error)) throw error;
    return { headVoxels: 0, ...EMPTY, note: `no head found: ${error.message}` };
  }
  const a = seen.data;
  const c = corrected.data;
  const m = artefactMap.data;
  // The corrected image with its non-finite voxels replaced by the input's (zero change there).
  const test = new Float32Array(n);
  let headVoxels = 0;
  for (let i = 0; i < n; i++) {
    const finite = Number.isFinite(c[i]!) && Number.isFinite(m[i]!);
    test[i] = finite ? c[i]! : a[i]!;
    if (!finite) mask[i] = 0;
    headVoxels += mask[i]!;
  }
  if (headVoxels === 0) return { headVoxels, ...EMPTY, note: 'no finite voxel in the head' };
  const inHead = new Float32Array(headVoxels);
  for (let i = 0, k = 0; i < n; i++) if (mask[i]) inHead[k++] = a[i]!;
  inHead.sort();
  const robustRange = percentile(inHead, HIGH_PERCENTILE) - percentile(inHead, LOW_PERCENTILE);
  if (!(robustRange > 0))
    return { headVoxels, ...EMPTY, robustRange, note: 'the input is constant inside the head' };
  const [nx, ny, nz] = input.shape;
  const plane = nx * ny;
  let sumAbs = 0;
  let sumMap = 0;
  let maxSlice = 0;
  for (let z = 0; z < nz; z++) {
    let sliceAbs = 0;
    let sliceVoxels = 0;
    for (let i = z * plane; i < (z + 1) * plane; i++) {
      if (!mask[i]) continue;
      const d = Math.abs(test[i]! - a[i]!);
      sliceAbs += d;
      sumMap += m[i]!;
      sliceVoxels++;
    }
    sumAbs += sliceAbs;
    if (sliceVoxels > 0) maxSlice = Math.max(maxSlice, sliceAbs / sliceVoxels / robustRange);
  }
  let ssimToInput: number | null = null;
  let note: string | undefined;
  if (nx >= 11 && ny >= 11) {
    const scores = sliceScores(seen, withData(corrected, test), { dataRange: robustRange, mask });
    ssimToInput = scores.reduce((s, x) => s + x.inMask.ssim, 0) / scores.length;
  } else {
    note = `slices of ${nx} x ${ny} voxels are too small for SSIM's 11 x 11 window`;
  }
  return {
    headVoxels,
    robustRange,
    meanAbsChange: sumAbs / headVoxels / robustRange,
    maxSliceMeanAbsChange: maxSlice,
    artefactMean: sumMap / headVoxels / robustRange,
    ssimToInput,
    ...(note === undefined ? {} : { note }),
  };
}
