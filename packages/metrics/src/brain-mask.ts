import {
  invalidArgument,
  spacing,
  type Volume,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';
import {
  dilate,
  erode,
  fillHoles,
  type Grid,
  largestComponent,
  otsuThreshold,
} from './internal/morphology.js';
import { validateVolume } from './internal/validate.js';

/** Options of {@link brainMask}. */
export interface BrainMaskOptions {
  /** Foreground is `voxel > threshold`. Default: Otsu's threshold (256 bins over min..max). */
  readonly threshold?: number;
  /**
   * Radius in mm of the ball that erodes the foreground to cut the thin bridges (meninges,
   * optic nerves, dura) that join the brain to scalp and neck; the largest piece left is the
   * brain, which is then grown back by the same radius inside the foreground. Default 5 mm;
   * 0 keeps the largest connected piece of the thresholded foreground.
   */
  readonly erosionMm?: number;
  /** Radius in mm of the morphological closing that takes in sulcal CSF. Default 5 mm; 0 disables it. */
  readonly closingMm?: number;
}

const WHERE = 'brainMask';

/**
 * A simple brain mask for T1-weighted heads and already skull-stripped brains (1 = brain):
 *
 * 1. foreground = voxels above a threshold (Otsu's, 256 bins, as scikit-image's
 *    `threshold_otsu`, unless `threshold` is given);
 * 2. erosion by a ball of `erosionMm` (5 mm; exact Euclidean distances in mm, so anisotropic
 *    voxels are handled), then the largest 6-connected component: the brain, cut loose from
 *    scalp, eyes and neck;
 * 3. that component dilated back by the same ball, within the foreground (a reconstruction);
 * 4. a closing by `closingMm` (5 mm) and 3-D hole filling (in-plane for 2-D images), which
 *    take in the ventricles and sulcal CSF.
 *
 * It is an intensity-and-morphology heuristic, not a registration- or deformable-model method
 * like BET (Smith 2002): on the Colin27 T1 head it agrees with the brain-extracted `ch2bet`
 * with a Dice of about 0.97 at 1 mm and 2 mm (tested at 2 mm, >= 0.9 required), keeping the
 * skull and scalp out; it needs a dark gap (CSF, skull) around most of the brain and a head
 * larger than twice the erosion radius. When the erosion leaves nothing, step 2 falls back to
 * the largest component of the foreground without erosion. Where a mask is known, pass it:
 * `segmentTissues` uses this function only when no `mask` is given.
 *
 * @returns one byte per voxel, x fastest, 1 inside the brain and 0 outside (the `mask` type of
 *   every function in this package).
 * @throws `MriError` `INVALID_ARGUMENT` for a non-volume, NaN or infinite voxels, a constant
 *   volume (no threshold exists), a threshold that leaves no voxel, or bad radii.
 *
 * @example
 * ```ts
 * const mask = brainMask(t1);                       // Uint8Array, 1 = brain
 * const { labels } = segmentTissues(t1, { classes: 3, mask });
 * ```
 */
export function brainMask(volume: Volume, options: BrainMaskOptions = {}): Uint8Array {
  validateVolume(WHERE, 'volume', volume);
  const opts = validateObject(WHERE, 'options', options, true);
  const erosionMm = validateNumber(WHERE, 'erosionMm', opts.erosionMm, { min: 0, max: 100 }, 5);
  const closingMm = validateNumber(WHERE, 'closingMm', opts.closingMm, { min: 0, max: 100 }, 5);
  let threshold: number;
  if (opts.threshold === undefined) {
    threshold = otsuThreshold(volume.data);
    if (Number.isNaN(threshold)) {
      invalidArgument(
        WHERE,
        'volume',
        'must have more than one intensity (no threshold separates brain from background)',
        `a constant volume of ${volume.data[0]}`,
      );
    }
  } else {
    threshold = validateNumber(WHERE, 'threshold', opts.threshold, {});
  }
  const grid: Grid = volume.shape;
  const sp = spacing(volume.affine);
  const data = volume.data;
  const foreground = new Uint8Array(data.length);
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i]! > threshold) {
      foreground[i] = 1;
      count++;
    }
  }
  if (count === 0) {
    invalidArgument(WHERE, 'threshold', 'must leave at least one voxel above it', threshold);
  }
  let brain = largestComponent(erode(foreground, grid, sp, erosionMm), grid);
  if (brain.every((b) => b === 0)) {
    brain = largestComponent(foreground, grid);
  } else if (erosionMm > 0) {
    brain = dilate(brain, grid, sp, erosionMm);
    for (let i = 0; i < brain.length; i++) brain[i] = brain[i]! & foreground[i]!;
  }
  if (closingMm > 0) {
    const closed = erode(dilate(brain, grid, sp, closingMm), grid, sp, closingMm);
    for (let i = 0; i < brain.length; i++) brain[i] = brain[i]! | closed[i]!;
  }
  return fillHoles(brain, grid);
}
