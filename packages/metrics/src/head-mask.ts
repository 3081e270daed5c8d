import { invalidArgument, type Volume, validateNumber, validateObject } from '@duncan-mri/volume';
import { fillHoles, type Grid, largestComponent, otsuThreshold } from './internal/morphology.js';
import { percentile } from './internal/percentile.js';
import { validateVolume } from './internal/validate.js';

/** Options of {@link headMask}. */
export interface HeadMaskOptions {
  /**
   * Foreground is `voxel > fraction * robust maximum`. Default 0.1 (10 %): above the noise
   * floor and ghosts of magnitude images, below scalp, skin and muscle on T1, T2 and PD; the
   * dark skull, CSF and air cavities inside the head come back through hole filling.
   */
  readonly fraction?: number;
  /** The percentile (0-100) of all voxels of the volume used as its robust maximum. Default 99.5. */
  readonly robustMaxPercentile?: number;
  /**
   * An explicit threshold instead of `fraction` (foreground is `voxel > threshold`), or `'otsu'`
   * for Otsu's threshold of the whole volume (256 bins, as `brainMask`).
   */
  readonly threshold?: number | 'otsu';
}

const WHERE = 'headMask';

/**
 * A head mask (1 = head: scalp, skull, brain, everything inside the skin; 0 = the air around
 * it) of a clean magnitude image, for scoring images where there is anatomy rather than over
 * the dark background, whose near-zero voxels inflate whole-image SSIM and PSNR:
 *
 * 1. threshold the whole volume at `fraction` (10 %) of its robust maximum, the 99.5th
 *    percentile of all voxels (numpy's linear rule), so one bright artefact does not set it;
 * 2. then, slice by slice in 2-D (every z slice on its own, as the slices are scored): fill the
 *    holes of the slice's foreground (every background region that does not touch the slice's
 *    border becomes head: dark skull, CSF, air cavities; the scalp ring and the brain it
 *    encloses become one piece), keep the largest 4-connected piece, and fill its holes again
 *    (smaller pieces dropped from inside it).
 *
 * Slices without any voxel above the threshold get an empty mask (scoring functions skip them).
 * On the Colin27 T1 at 2 mm, the mask contains every voxel of the brain-extracted `ch2bet`
 * (tested) and one piece per slice. The threshold assumes a magnitude image whose background is
 * near 0; give `threshold` for other intensity scales. A heuristic, not a segmentation: bright
 * objects touching the head (a head rest, a marker) are included.
 *
 * No paper defines this rule: it is a plain intensity-and-connectivity heuristic, and its
 * defaults were chosen on Colin27 and on synthetic heads (see the tests). Separating head from
 * air before computing quality measures is what MRI quality control does (e.g. MRIQC, Esteban
 * et al., PLoS ONE 2017).
 *
 * @returns one byte per voxel, x fastest, 1 inside the head and 0 outside (the `mask` type of
 *   every function in this package).
 * @throws `MriError` `INVALID_ARGUMENT` for a non-volume, NaN or infinite voxels, a bad option,
 *   or a threshold that leaves no voxel anywhere (e.g. an all-zero image).
 *
 * @example
 * ```ts
 * const mask = headMask(clean);                                  // Uint8Array, 1 = head
 * const inHead = ssim(clean, corrected, { dataRange: 255, mask });
 * ```
 */
export function headMask(volume: Volume, options: HeadMaskOptions = {}): Uint8Array {
  validateVolume(WHERE, 'volume', volume);
  const opts = validateObject(WHERE, 'options', options, true);
  const fraction = validateNumber(WHERE, 'fraction', opts.fraction, { min: 0, max: 1 }, 0.1);
  const robustMaxPercentile = validateNumber(
    WHERE,
    'robustMaxPercentile',
    opts.robustMaxPercentile,
    { min: 0, max: 100 },
    99.5,
  );
  const data = volume.data;
  let threshold: number;
  if (opts.threshold === 'otsu') {
    threshold = otsuThreshold(data);
    if (Number.isNaN(threshold)) {
      invalidArgument(WHERE, 'volume', 'must have more than one intensity for Otsu', data[0]);
    }
  } else if (opts.threshold !== undefined) {
    threshold = validateNumber(WHERE, 'threshold', opts.threshold, {});
  } else {
    threshold = fraction * percentile(data, robustMaxPercentile);
  }
  const [nx, ny, nz] = volume.shape;
  const plane = nx * ny;
  const grid: Grid = [nx, ny, 1];
  const out = new Uint8Array(data.length);
  const foreground = new Uint8Array(plane);
  let any = false;
  for (let z = 0; z < nz; z++) {
    const offset = z * plane;
    let count = 0;
    for (let i = 0; i < plane; i++) {
      const inside = data[offset + i]! > threshold ? 1 : 0;
      foreground[i] = inside;
      count += inside;
    }
    if (count === 0) continue;
    any = true;
    out.set(fillHoles(largestComponent(fillHoles(foreground, grid), grid), grid), offset);
  }
  if (!any) {
    invalidArgument(WHERE, 'threshold', 'must leave at least one voxel above it', threshold);
  }
  return out;
}
