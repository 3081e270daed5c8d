import { createVolume, invalidArgument, type MriError, type Volume } from '@duncan-mri/volume';
import type { DicomHeader } from './dicom-header.js';
import type { DicomSlice } from './internal/dicom-frame-geometry.js';
import { type DicomFile, decodeDicomFile } from './internal/dicom-image.js';
import {
  asBoundaryError,
  assertBytes,
  assertOptions,
  corrupt,
  limitExceeded,
  unsupported,
} from './internal/errors.js';
import { cross, dot } from './internal/vectors.js';
import { type ReadLimits, resolveLimits } from './read-limits.js';

/** Options of {@link readDicom} and {@link readDicomSeries}. */
export interface ReadDicomOptions {
  /** Size limits checked before allocating (see {@link ReadLimits}). */
  readonly limits?: ReadLimits;
  /**
   * `readDicomSeries` only: what to call each file in messages and warnings, e.g. its file
   * name (default `files[i]`).
   */
  readonly names?: readonly string[];
  /**
   * `readDicomSeries` only: skip the files that cannot be read (damaged, unsupported, over a
   * per-file limit) instead of failing, as dcm2niix does, and tell this function about each
   * (its position and the `MriError`). Limits on all files together still fail the call, and
   * so does a call where no file can be read. Default: any unreadable file fails the call.
   */
  readonly onUnreadable?: (index: number, error: MriError) => void;
}

/** One assembled series: the volume (float32, rescaled, RAS+) and what the files said. */
export interface DicomReadResult {
  /** float32 voxels (x fastest), scaling applied, RAS+ affine in mm. */
  readonly volume: Volume;
  /** What the file said, beside the volume (see {@link DicomHeader}). */
  readonly header: DicomHeader;
}

const SERIES = 'readDicomSeries';
const SINGLE = 'readDicom';

/**
 * Reads DICOM files and assembles them into volumes, one per series (grouped by
 * SeriesInstanceUID and geometry: size, orientation, pixel spacing).
 *
 * - Slices are sorted along the slice normal (ImageOrientationPatient row x column) by
 *   ImagePositionPatient; the affine comes from ImageOrientationPatient, PixelSpacing and the
 *   slice positions, converted once from DICOM's LPS to RAS+. Uneven spacing (gaps) is reported
 *   in `header.warnings`; two slices at one position, or mixed sizes in one series, are refused.
 * - Voxel `(x, y, z)` is column `x`, row `y` of slice `z`; values are stored values times
 *   RescaleSlope plus RescaleIntercept (MONOCHROME1 is inverted first); a rescale that carries
 *   a value past float32's range is `CORRUPT_FILE`.
 * - Transfer syntaxes: Implicit and Explicit VR Little Endian, Explicit VR Big Endian, Deflated,
 *   RLE Lossless, JPEG Baseline (8-bit), JPEG Lossless (process 14, SV1), JPEG-LS, JPEG 2000.
 *   Enhanced multi-frame MR (per-frame functional groups) and Siemens mosaics (un-mosaicked) work.
 * - Safety: every declared length is checked against the bytes that remain and `limits` before
 *   anything is allocated; deflate is inflated with a byte budget; codestreams are checked
 *   against Rows/Columns (and JPEG 2000 tiles, precision, JPEG baseline scans) before decoding;
 *   anything a codec throws becomes an {@link @duncan-mri/volume!MriError | MriError}. `limits.maxFrames` bounds the files and
 *   the slices of all files together.
 *
 * Async because the compressed syntaxes use codecs that load on first use.
 *
 * @example
 * ```ts
 * const files = await Promise.all(paths.map(async (p) => new Uint8Array(await readFile(p))));
 * const [{ volume, header }] = await readDicomSeries(files);
 * const nifti = writeNifti(volume, { xformCode: 1 });
 * ```
 */
export async function readDicomSeries(
  files: readonly Uint8Array[],
  options?: ReadDicomOptions,
): Promise<DicomReadResult[]> {
  try {
    return await readDicomSeriesUnguarded(files, options);
  } catch (error) {
    throw asBoundaryError(SERIES, error);
  }
}

async function readDicomSeriesUnguarded(
  files: readonly Uint8Array[],
  options?: ReadDicomOptions,
): Promise<DicomReadResult[]> {
  if (!Array.isArray(files) || files.length === 0) {
    invalidArgument(SERIES, 'files', 'must be a non-empty array of Uint8Array', files);
  }
  // A loop, not forEach: forEach skips the holes of a sparse array.
  for (let i = 0; i < files.length; i++) assertBytes(SERIES, files[i], `files[${i}]`);
  const opts = assertOptions<ReadDicomOptions>(SERIES, options);
  const limits = resolveLimits(opts.limits, SERIES);
  if (files.length > limits.maxFrames)
    throw limitExceeded(SERIES, 'maxFrames', limits.maxFrames, `${files.length} files`);
  const names = opts.names;
  if (
    names !== undefined &&
    (!Array.isArray(names) ||
      names.length !== files.length ||
      !names.every((n) => typeof n === 'string'))
  ) {
    invalidArgument(
      SERIES,
      'names',
      `must be an array of ${files.length} strings (one per file)`,
      names,
    );
  }
  const onUnreadable = opts.onUnreadable;
  if (onUnreadable !== undefined && typeof onUnreadable !== 'function') {
    invalidArgument(SERIES, 'onUnreadable', 'must be a function', onUnreadable);
  }
  const decoded: DicomFile[] = [];
  let voxels = 0;
  let slices = 0;
  let firstFailure: MriError | undefined;
  for (const [i, bytes] of files.entries()) {
    const label = names?.[i] ?? `files[${i}]`;
    const where = files.length === 1 && names === undefined ? SERIES : `${SERIES}: ${label}`;
    let file: DicomFile;
    try {
      file = await decodeDicomFile(where, bytes, i, limits);
    } catch (error) {
      if (onUnreadable === undefined) throw error;
      const failure = asBoundaryError(where, error);
      firstFailure ??= failure;
      onUnreadable(i, failure);
      continue;
    }
    if (names !== undefined) file = { ...file, label };
    for (const s of file.slices) voxels += s.rows * s.columns;
    if (voxels > limits.maxVoxels)
      throw limitExceeded(SERIES, 'maxVoxels', limits.maxVoxels, `more in ${i + 1} files`);
    // maxFrames also bounds the slices of all files together (frames of multi-frame files and
    // mosaic tiles included), not only the number of files.
    slices += file.slices.length;
    if (slices > limits.maxFrames)
      throw limitExceeded(
        SERIES,
        'maxFrames',
        limits.maxFrames,
        `${slices} slices in ${i + 1} files`,
      );
    decoded.push(file);
  }
  if (decoded.length === 0 && firstFailure !== undefined) throw firstFailure;
  return assemble(SERIES, decoded);
}

/**
 * Reads one DICOM file (single-frame, multi-frame, enhanced or mosaic) into a volume. Same rules
 * as {@link readDicomSeries}.
 *
 * @example
 * ```ts
 * const { volume, header } = await readDicom(bytes);
 * ```
 */
export async function readDicom(
  bytes: Uint8Array,
  options?: ReadDicomOptions,
): Promise<DicomReadResult> {
  try {
    return await readDicomUnguarded(bytes, options);
  } catch (error) {
    throw asBoundaryError(SINGLE, error);
  }
}

async function readDicomUnguarded(
  bytes: Uint8Array,
  options?: ReadDicomOptions,
): Promise<DicomReadResult> {
  assertBytes(SINGLE, bytes);
  const opts = assertOptions<ReadDicomOptions>(SINGLE, options);
  const limits = resolveLimits(opts.limits, SINGLE);
  const file = await decodeDicomFile(SINGLE, bytes, 0, limits);
  const results = assemble(SINGLE, [file]);
  if (results.length !== 1) {
    throw unsupported(
      SINGLE,
      `the file holds ${results.length} differently shaped or oriented stacks; use readDicomSeries`,
    );
  }
  return results[0]!;
}

interface Group {
  uid: string;
  size: string;
  files: DicomFile[];
  slices: DicomSlice[];
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

function assemble(where: string, files: DicomFile[]): DicomReadResult[] {
  const groups = new Map<string, Group>();
  for (const file of files) {
    for (const slice of file.slices) {
      const uid = file.seriesInstanceUid ?? '';
      const size = `${slice.columns}x${slice.rows}`;
      // JSON keeps the parts apart whatever characters a (hostile) UID holds.
      const key = JSON.stringify([
        uid,
        size,
        (slice.orientation ?? []).map(round),
        (slice.pixelSpacing ?? []).map(round),
      ]);
      let group = groups.get(key);
      if (!group) {
        group = { uid, size, files: [], slices: [] };
        groups.set(key, group);
      }
      if (group.files[group.files.length - 1] !== file) group.files.push(file);
      group.slices.push(slice);
    }
  }
  // Mixed sizes inside one series are refused rather than split silently.
  const bySeries = new Map<string, Set<string>>();
  for (const g of groups.values()) {
    const sizes = bySeries.get(g.uid) ?? new Set<string>();
    sizes.add(g.size);
    bySeries.set(g.uid, sizes);
  }
  for (const [uid, sizes] of bySeries) {
    if (sizes.size > 1) {
      throw corrupt(
        where,
        `series ${uid || '(no SeriesInstanceUID)'} mixes image sizes ${[...sizes].join(', ')}`,
      );
    }
  }
  return [...groups.values()].map((g) => buildVolume(where, g));
}

function buildVolume(where: string, group: Group): DicomReadResult {
  const warnings: string[] = [];
  for (const f of group.files)
    for (const w of f.warnings)
      warnings.push(
        group.files.length > 1 || f.label !== undefined
          ? `${f.label ?? `files[${f.index}]`}: ${w}`
          : w,
      );
  const first = group.slices[0]!;
  const { rows, columns } = first;
  let orientation = first.orientation;
  if (!orientation) {
    warnings.push('no ImageOrientationPatient; assuming axial (1,0,0,0,1,0)');
    orientation = [1, 0, 0, 0, 1, 0];
  }
  let spacing = first.pixelSpacing;
  if (!spacing) {
    warnings.push('no PixelSpacing; assuming 1 mm');
    spacing = [1, 1];
  }
  if (!(spacing[0] > 0 && spacing[1] > 0)) {
    throw corrupt(where, `PixelSpacing must be two positive numbers, got [${spacing.join(', ')}]`);
  }
  const row = orientation.slice(0, 3);
  const col = orientation.slice(3, 6);
  const normal = cross(row, col);
  if (
    Math.abs(Math.hypot(...row) - 1) > 1e-3 ||
    Math.abs(Math.hypot(...col) - 1) > 1e-3 ||
    Math.abs(dot(row, col)) > 1e-3
  ) {
    throw corrupt(
      where,
      `ImageOrientationPatient must hold two orthogonal unit vectors, got [${orientation.join(', ')}]`,
    );
  }
  let slices = group.slices;
  const positions = slices.map((s) => s.position);
  const allPositioned = positions.every((p) => p !== undefined);
  const distinct = new Set(positions.map((p) => (p ? p.map(round).join(',') : ''))).size;
  let step: number[];
  if (slices.length > 1 && allPositioned && distinct === slices.length) {
    slices = [...slices].sort((a, b) => dot(a.position!, normal) - dot(b.position!, normal));
    const p0 = slices[0]!.position!;
    const pn = slices[slices.length - 1]!.position!;
    step = [0, 1, 2].map((a) => (pn[a]! - p0[a]!) / (slices.length - 1));
    const gaps = slices
      .slice(1)
      .map((s, i) => dot(s.position!, normal) - dot(slices[i]!.position!, normal));
    const mean = dot(step, normal);
    // Loops, not Math.min(...gaps): a spread of 100k+ values overflows the stack.
    let least = Number.POSITIVE_INFINITY;
    let most = Number.NEGATIVE_INFINITY;
    let worst = 0;
    for (const g of gaps) {
      least = Math.min(least, g);
      most = Math.max(most, g);
      worst = Math.max(worst, Math.abs(g - mean));
    }
    if (!(least > 1e-4)) {
      throw corrupt(
        where,
        `slices must advance along the slice normal (ImageOrientationPatient row x column), got two only ${least} mm apart along it (positions differ within the image plane)`,
      );
    }
    if (worst > 0.01 + 0.01 * Math.abs(mean)) {
      warnings.push(
        `uneven slice spacing (gaps): distances between slices range from ${least.toFixed(3)} to ${most.toFixed(3)} mm; the affine uses the mean ${mean.toFixed(3)} mm`,
      );
    }
  } else if (slices.length > 1 && distinct === 1 && group.files.length === 1) {
    const thickness = sliceStep(first, warnings);
    warnings.push(
      `the ${slices.length} frames share one position; stacked along the slice normal ${thickness} mm apart`,
    );
    step = normal.map((v) => v * thickness);
  } else if (slices.length > 1) {
    if (!allPositioned)
      throw corrupt(where, 'cannot stack slices: some have no ImagePositionPatient');
    throw unsupported(
      where,
      `${slices.length} images but only ${distinct} distinct positions: the series holds several images per position (echoes, time points or repeats); read them separately`,
    );
  } else {
    const thickness = sliceStep(first, warnings);
    step = normal.map((v) => v * thickness);
  }
  const origin = slices[0]!.position ?? [0, 0, 0];
  if (!slices[0]!.position) warnings.push('no ImagePositionPatient; origin at 0');
  // LPS affine: x = column index along the row direction, y = row index along the column direction.
  const colX = row.map((v) => v * spacing[1]);
  const colY = col.map((v) => v * spacing[0]);
  const lps = [
    [colX[0]!, colY[0]!, step[0]!, origin[0]!],
    [colX[1]!, colY[1]!, step[1]!, origin[1]!],
    [colX[2]!, colY[2]!, step[2]!, origin[2]!],
  ];
  // LPS -> RAS: negate the first two rows.
  const affine = [...lps[0]!.map((v) => -v), ...lps[1]!.map((v) => -v), ...lps[2]!, 0, 0, 0, 1].map(
    (v) => (v === 0 ? 0 : v),
  );
  const nz = slices.length;
  const data = new Float32Array(rows * columns * nz);
  slices.forEach((s, k) => {
    data.set(s.data, k * rows * columns);
  });
  const volume = createVolume({ data, shape: [columns, rows, nz], affine });
  const byIndex = new Map(group.files.map((f) => [f.index, f]));
  const file0 = byIndex.get(slices[0]!.file)!;
  const header: DicomHeader = Object.freeze({
    transferSyntax: file0.parsed.transferSyntax,
    sopClassUid: file0.sopClassUid,
    studyInstanceUid: file0.attributes.StudyInstanceUID,
    seriesInstanceUid: file0.seriesInstanceUid,
    frameOfReferenceUid: file0.attributes.FrameOfReferenceUID,
    modality: file0.attributes.Modality,
    seriesDescription: file0.seriesDescription,
    seriesNumber: file0.seriesNumber,
    rows,
    columns,
    slices: nz,
    bitsAllocated: file0.bitsAllocated,
    bitsStored: file0.bitsStored,
    pixelRepresentation: file0.pixelRepresentation,
    photometricInterpretation: file0.photometric,
    rescaleSlopes: Object.freeze(slices.map((s) => s.slope)),
    rescaleIntercepts: Object.freeze(slices.map((s) => s.intercept)),
    windowCenter: file0.windowCenter,
    windowWidth: file0.windowWidth,
    imageOrientationPatient: Object.freeze(orientation.slice()),
    pixelSpacing: Object.freeze([spacing[0], spacing[1]]) as unknown as readonly [number, number],
    sliceThickness: first.sliceThickness,
    sliceSpacing: Math.hypot(step[0]!, step[1]!, step[2]!),
    imagePositionsPatient: Object.freeze(
      slices.map((s, k) =>
        Object.freeze((s.position ?? origin.map((o, a) => o + step[a]! * k)).slice()),
      ),
    ),
    sopInstanceUids: Object.freeze(slices.map((s) => byIndex.get(s.file)!.sopInstanceUid)),
    sourceFiles: Object.freeze(slices.map((s) => s.file)),
    sourceFrames: Object.freeze(slices.map((s) => s.frame)),
    storage: file0.storage,
    attributes: Object.freeze({ ...file0.attributes }),
    warnings: Object.freeze(warnings),
  });
  return Object.freeze({ volume, header });
}

/** SpacingBetweenSlices, else SliceThickness, else 1 mm; 0 (a singular affine) becomes 1 mm. */
function sliceStep(slice: DicomSlice, warnings: string[]): number {
  const step = slice.spacingBetweenSlices ?? slice.sliceThickness ?? 1;
  if (step !== 0) return step;
  warnings.push(
    `${slice.spacingBetweenSlices === 0 ? 'SpacingBetweenSlices' : 'SliceThickness'} 0 is not a slice spacing; assuming 1 mm`,
  );
  return 1;
}
