import { compareImages, type ImageComparison } from '@duncan-mri/metrics';
import { intensityRange, invalidArgument, MriError } from '@duncan-mri/volume';
import { type ReadVolumeFileOptions, readVolumeFile } from './read-volume-file.js';

/** Options of {@link compareVolumeFiles}. */
export interface CompareVolumeFilesOptions {
  /** A mask file (same grid as the reference): voxels that are non-zero are scored. */
  readonly mask?: string;
  /**
   * The data range; default the reference's max - min over its finite voxels (`intensityRange`
   * of `@duncan-mri/volume`), reported as `dataRangeSource: 'reference'`.
   */
  readonly dataRange?: number;
  /**
   * For a 3-D volume, SSIM as the mean of 2-D slice scores. Default: false, except for volumes
   * of 2 to 10 slices, which are too thin for the 11-voxel 3-D window.
   */
  readonly slicewise?: boolean;
  /**
   * Which frame (from 0) of 4-D inputs to score. Required when the reference or the test has
   * more than one frame: scoring the first one alone would call files that differ only in
   * later frames identical, so without `frame` such inputs are refused.
   */
  readonly frame?: number;
  /** How to read DICOM inputs with several series (see {@link readVolumeFile}). */
  readonly referenceOptions?: ReadVolumeFileOptions;
  readonly testOptions?: ReadVolumeFileOptions;
}

/** What {@link compareVolumeFiles} resolves to: the five metrics and how they were computed. */
export interface VolumeFilesComparison extends ImageComparison {
  /** The data range used. */
  readonly dataRange: number;
  /** `option` when given, `reference` when it is the reference's max - min. */
  readonly dataRangeSource: 'option' | 'reference';
  /** The reference volume's shape. */
  readonly shape: readonly [number, number, number];
  /** Voxels scored by the masked metrics (all of them without a mask). */
  readonly maskedVoxels: number;
  /** Whether SSIM was computed slice by slice. */
  readonly slicewise: boolean;
  /** The frame scored (from 0), or `null` when both inputs are 3-D. */
  readonly frame: number | null;
  /** What the readers reported about the inputs (`reference: ...`, `test: ...`). */
  readonly warnings: readonly string[];
}

const WHERE = 'compareVolumeFiles';

/**
 * Reads a reference and a test volume (any format {@link readVolumeFile} reads) and computes the
 * five image-quality metrics of `@duncan-mri/metrics`' `compareImages`: SSIM, MS-SSIM, VIF, UQI
 * and PSNR, with the defaults of their papers. Without `dataRange`, the reference's max - min
 * is used (the value is returned). MS-SSIM and VIF are `null` on slices that are too small.
 *
 * @example
 * ```ts
 * const m = await compareVolumeFiles('clean.nii.gz', 'corrected.nii.gz', { mask: 'brain.nii.gz' });
 * console.log(m.ssim, m.psnr, m.dataRange);
 * ```
 * @throws MriError from the readers, `SHAPE_MISMATCH` when the grids differ,
 * `INVALID_ARGUMENT` for a bad option, a flat reference without `dataRange`, or 4-D inputs
 * without `frame`.
 */
export async function compareVolumeFiles(
  referencePath: string,
  testPath: string,
  options: CompareVolumeFilesOptions = {},
): Promise<VolumeFilesComparison> {
  if (typeof options !== 'object' || options === null)
    invalidArgument(WHERE, 'options', 'must be an object', options);
  const frame = options.frame;
  if (frame !== undefined && !(Number.isInteger(frame) && frame >= 0))
    invalidArgument(WHERE, 'options.frame', 'must be an integer >= 0', frame);
  const withFrame = (o: ReadVolumeFileOptions | undefined): ReadVolumeFileOptions => ({
    ...o,
    ...(frame === undefined ? {} : { frame }),
  });
  const reference = await readVolumeFile(referencePath, withFrame(options.referenceOptions));
  const test = await readVolumeFile(testPath, withFrame(options.testOptions));
  const frames = [reference, test].map((f) => f.nifti?.frames ?? 1);
  if (frame === undefined && frames.some((n) => n > 1)) {
    invalidArgument(
      WHERE,
      'frame',
      `must be given when an input is 4-D (the reference has ${frames[0]} frame${frames[0] === 1 ? '' : 's'}, the test ${frames[1]}): the first frame alone would hide differences in the others; choose the frame to score (options.frame from 0, --frame <n> from 1 on the command line)`,
      undefined,
      { got: null },
    );
  }
  const ref = reference.volume;
  let dataRange = options.dataRange;
  let dataRangeSource: 'option' | 'reference' = 'option';
  if (dataRange === undefined) {
    // The reference's max - min over its finite voxels; 0 when it has none.
    dataRange = ref.data.some((v) => Number.isFinite(v)) ? intensityRange(ref).range : 0;
    dataRangeSource = 'reference';
    if (!(dataRange > 0) || !Number.isFinite(dataRange)) {
      invalidArgument(
        WHERE,
        'dataRange',
        `must be given when the reference is flat or has no finite voxel (its max - min is ${dataRange})`,
        undefined,
        { got: null },
      );
    }
  }
  let mask: Uint8Array | undefined;
  if (options.mask !== undefined) {
    const m = (await readVolumeFile(options.mask)).volume;
    if (m.shape.some((d, i) => d !== ref.shape[i])) {
      throw new MriError(
        'SHAPE_MISMATCH',
        `${WHERE}: mask must have the reference's shape [${ref.shape.join(', ')}], got [${m.shape.join(', ')}]`,
        { argument: 'mask' },
      );
    }
    mask = new Uint8Array(m.data.length);
    for (let i = 0; i < mask.length; i++) mask[i] = m.data[i] !== 0 ? 1 : 0;
  }
  const nz = ref.shape[2];
  const slicewise = options.slicewise ?? (nz > 1 && nz < 11);
  if (typeof slicewise !== 'boolean')
    invalidArgument(WHERE, 'options.slicewise', 'must be a boolean', slicewise);
  const result = compareImages(ref, test.volume, {
    dataRange,
    ...(mask === undefined ? {} : { mask }),
    slicewise,
  });
  let maskedVoxels = ref.data.length;
  if (mask !== undefined) maskedVoxels = mask.reduce((a, b) => a + b, 0);
  return Object.freeze({
    ...result,
    dataRange,
    dataRangeSource,
    shape: ref.shape,
    maskedVoxels,
    slicewise,
    frame: frames.some((n) => n > 1) ? (frame ?? 0) : null,
    warnings: Object.freeze([
      ...reference.warnings.map((w) => `reference: ${w}`),
      ...test.warnings.map((w) => `test: ${w}`),
    ]),
  });
}
