import { type Dirent, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type NiftiWriteDatatype, writeDicomSeries, writeNifti } from '@duncan-mri/io';
import {
  assertVolume,
  describeValue,
  invalidArgument,
  MriError,
  type Volume,
} from '@duncan-mri/volume';
import {
  cleanStaleTemps,
  commitStaged,
  discardTemp,
  probeOutput,
  type StagedOutput,
  syncDirectory,
  tempPath,
  type WriteSite,
  writeFileDurably,
} from './internal/atomic-write.js';
import { ioError } from './internal/errors.js';
import type { VolumeFile } from './read-volume-file.js';

/** Options of {@link writeVolumeFile}. */
export interface WriteVolumeFileOptions {
  /**
   * What the volume was read from ({@link readVolumeFile}'s result): its NIfTI header carries
   * over (description, units, TR, extensions, xform code), its DICOM header makes a derived
   * series possible, and its files are never overwritten.
   */
  readonly source?: VolumeFile;
  /** Replace an existing output (default false: an existing output is an `IO_ERROR`). */
  readonly overwrite?: boolean;
  /** More paths that must never be replaced, e.g. other inputs (the source's files always are). */
  readonly protect?: readonly string[];
  /** NIfTI datatype (default `'float32'`; integer types get scl_slope/inter to fit). */
  readonly datatype?: NiftiWriteDatatype;
  /** SeriesDescription of a derived DICOM series (default: the source's + " (duncan-mri)"). */
  readonly seriesDescription?: string;
  /** DerivationDescription of a derived DICOM series. */
  readonly derivationDescription?: string;
}

/** What {@link writeVolumeFile} wrote. */
export interface WrittenVolumeFile {
  /** The absolute output path (a file, or the directory of a DICOM series). */
  readonly path: string;
  /** `nifti` or `dicom` (a derived series directory). */
  readonly format: 'nifti' | 'dicom';
  /** Every file written. */
  readonly files: readonly string[];
  /** Bytes written in all. */
  readonly bytes: number;
}

const WHERE = 'writeVolumeFile';
const SITE: WriteSite = { where: WHERE, argument: 'path' };

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function exists(path: string): 'file' | 'directory' | undefined {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return undefined;
  }
}

/** True when `inner` is `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  const r = relative(outer, inner);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== '..');
}

function existsError(shown: string): MriError {
  return new MriError(
    'IO_ERROR',
    `${WHERE}: path must not exist already (pass overwrite, or --overwrite, to replace it), got ${JSON.stringify(shown)}`,
    { argument: 'path' },
  );
}

/** Options of {@link checkVolumeFileTarget}. */
export interface CheckVolumeFileTargetOptions
  extends Pick<WriteVolumeFileOptions, 'source' | 'overwrite' | 'protect' | 'datatype'> {
  /**
   * The shape of the volume that will be written: with it, an uncompressed output (`.nii`, a
   * DICOM series) is also checked against the free space of its file system.
   */
  readonly shape?: readonly [number, number, number];
}

const BYTES_PER_VOXEL: Readonly<Record<NiftiWriteDatatype, number>> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

/**
 * The checks of {@link writeVolumeFile} that need no volume, and a probe of the file system:
 * the name (NIfTI, or a directory for a DICOM source), never an input, an existing output only
 * with `overwrite`, a directory only replaced when it holds nothing but a series; then a
 * temporary file (or directory) as long as the output's name is created beside it and removed,
 * so that a read-only, denied or missing directory, a parent that is a file or a name too long
 * for the file system fail now (and, with `shape`, too little space for an uncompressed output).
 * Throws as `writeVolumeFile` would; a command calls it before a long computation so that a bad
 * output fails first. Missing parent directories are created and removed again.
 *
 * @example
 * ```ts
 * const input = await readVolumeFile('t1.nii');
 * checkVolumeFileTarget('out/t1-corrected.nii', { source: input, shape: input.volume.shape });
 * ```
 * @throws MriError as {@link writeVolumeFile}.
 */
export function checkVolumeFileTarget(
  path: string,
  options: CheckVolumeFileTargetOptions = {},
): void {
  if (typeof path !== 'string' || path.length === 0)
    invalidArgument(WHERE, 'path', 'must be a non-empty string', path);
  const { target, lowerName, nifti } = planTarget(
    path,
    options.source,
    options.overwrite ?? false,
    options.protect,
  );
  let bytes: number | undefined;
  if (options.shape !== undefined && !lowerName.endsWith('.gz')) {
    const voxels = options.shape[0] * options.shape[1] * options.shape[2];
    bytes = nifti
      ? 352 + voxels * (BYTES_PER_VOXEL[options.datatype ?? 'float32'] ?? 4)
      : // 16-bit pixels and a few KiB of header a slice.
        voxels * 2 + options.shape[2] * 4096;
  }
  probeOutput(target, SITE, {
    directory: !nifti,
    shown: path,
    ...(bytes === undefined ? {} : { bytes }),
  });
}

function planTarget(
  path: string,
  source: VolumeFile | undefined,
  overwrite: boolean,
  protect: readonly string[] | undefined,
): {
  target: string;
  lowerName: string;
  nifti: boolean;
  present: 'file' | 'directory' | undefined;
} {
  const target = resolve(path);
  const lowerName = target.toLowerCase();
  const nifti = /\.nii(\.gz)?$/.test(lowerName);
  if (/\.(hdr|img)(\.gz)?$/.test(lowerName)) {
    throw new MriError(
      'UNSUPPORTED_FORMAT',
      `${WHERE}: path must end in .nii or .nii.gz (pairs are read, not written), got ${JSON.stringify(path)}`,
      { argument: 'path' },
    );
  }
  if (!nifti && source?.dicom === undefined) {
    invalidArgument(
      WHERE,
      'path',
      'must end in .nii or .nii.gz (a DICOM series directory needs a DICOM source)',
      undefined,
      { got: JSON.stringify(path) },
    );
  }

  const protectedPaths = [
    ...(source === undefined
      ? []
      : [...source.files, ...(source.format === 'dicom' ? [source.path] : [])]),
    ...(protect ?? []),
  ].map(realOrResolved);
  const real = realOrResolved(target);
  for (const p of protectedPaths) {
    if (real === p || (!nifti && within(p, real))) {
      invalidArgument(
        WHERE,
        'path',
        'must not be (or contain) an input; inputs are never overwritten',
        undefined,
        { got: JSON.stringify(path) },
      );
    }
  }
  const present = exists(target);
  if (present !== undefined && !overwrite) throw existsError(path);
  if (present === 'directory' && !nifti) {
    // Overwriting replaces the whole directory: only ever one that holds nothing but a previous
    // series (regular .dcm files), never a folder with anything else in it.
    let entries: Dirent[];
    try {
      entries = readdirSync(target, { withFileTypes: true });
    } catch (error) {
      throw ioError(WHERE, 'path', path, error);
    }
    const other = entries.find((e) => !e.isFile() || !e.name.toLowerCase().endsWith('.dcm'));
    if (other !== undefined) {
      throw new MriError(
        'IO_ERROR',
        `${WHERE}: path is a directory that holds more than a DICOM series (${JSON.stringify(other.name)}), so it is not replaced even with overwrite, got ${JSON.stringify(path)}`,
        { argument: 'path' },
      );
    }
  }
  return { target, lowerName, nifti, present };
}

/**
 * Writes a volume to disk. `.nii` and `.nii.gz` give NIfTI-1 (float32 unless `datatype` says
 * otherwise; the source's NIfTI header carries over). Any other path is the directory of a
 * derived DICOM series, which needs a DICOM `source` (new Series/SOP Instance UIDs,
 * ImageType `DERIVED\SECONDARY`, the source's patient, study and geometry).
 *
 * Safe by construction: the bytes go to a temporary file (or directory) with a short name
 * beside the target, are fsynced and renamed into place only when complete (the directory is
 * fsynced after), so a crash never leaves half a file; an existing output is refused unless
 * `overwrite`; the source's files (and `protect`) are refused even with `overwrite`. A DICOM
 * series directory is replaced by renaming the old one aside, the new one into place and only
 * then removing the old one; a kill between those two renames is undone by the next write into
 * that directory, which also removes the temporary files that killed runs left there. Missing
 * parent directories are created. Every failure is an `MriError`.
 *
 * @example
 * ```ts
 * const input = await readVolumeFile('t1.nii.gz');
 * await writeVolumeFile('t1-corrected.nii.gz', corrected, { source: input });
 * const series = await readVolumeFile('dicom/series1');
 * await writeVolumeFile('dicom/series1-corrected', corrected, { source: series });
 * ```
 * @throws MriError `IO_ERROR` (output exists, or the file system refused), `INVALID_ARGUMENT`
 * (the output is an input, a DICOM output without a DICOM source, bad options).
 */
export async function writeVolumeFile(
  path: string,
  volume: Volume,
  options: WriteVolumeFileOptions = {},
): Promise<WrittenVolumeFile> {
  const { staged, written } = stageVolumeFile(path, volume, options);
  commitStaged([staged], options.overwrite ?? false, SITE);
  return written;
}

/** A volume file written under a temporary name, ready for `commitStaged`. */
export interface StagedVolumeFile {
  readonly staged: StagedOutput;
  /** What the file will be once committed. */
  readonly written: WrittenVolumeFile;
}

/**
 * {@link writeVolumeFile} up to the last step: the checks, then the bytes written (fsynced) to
 * a temporary file or directory beside the target. `commitStaged` puts it (with others, such as
 * an artefact map) in place; `discardTemp(staged.staged)` drops it.
 */
export function stageVolumeFile(
  path: string,
  volume: Volume,
  options: WriteVolumeFileOptions = {},
): StagedVolumeFile {
  if (typeof path !== 'string' || path.length === 0)
    invalidArgument(WHERE, 'path', 'must be a non-empty string', path);
  assertVolume(volume, WHERE, 'volume');
  if (typeof options !== 'object' || options === null)
    invalidArgument(WHERE, 'options', 'must be an object', options);
  const overwrite = options.overwrite ?? false;
  if (typeof overwrite !== 'boolean')
    invalidArgument(WHERE, 'overwrite', 'must be a boolean', overwrite);
  const source = options.source;
  if (source !== undefined && (typeof source !== 'object' || source === null || !source.volume))
    invalidArgument(WHERE, 'source', 'must be the result of readVolumeFile', source);
  if (options.protect !== undefined && !Array.isArray(options.protect))
    invalidArgument(WHERE, 'protect', 'must be an array of paths', options.protect);

  const { target, lowerName, nifti, present } = planTarget(
    path,
    source,
    overwrite,
    options.protect,
  );
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch (error) {
    throw ioError(WHERE, 'path', path, error);
  }
  cleanStaleTemps(dirname(target));

  if (nifti) {
    if (present === 'directory') {
      throw new MriError('IO_ERROR', `${WHERE}: path is a directory, got ${JSON.stringify(path)}`, {
        argument: 'path',
      });
    }
    const bytes = writeNifti(volume, {
      gzip: lowerName.endsWith('.gz'),
      ...(options.datatype === undefined ? {} : { datatype: options.datatype }),
      ...(source?.nifti !== undefined ? { header: source.nifti } : { xformCode: 1 as const }),
    });
    return stageBeside(path, target, 'nifti', [target], (temp) => {
      writeFileDurably(temp, bytes);
      return bytes.length;
    });
  }

  if (present === 'file') {
    throw new MriError(
      'IO_ERROR',
      `${WHERE}: path must be a directory for a DICOM series, got the file ${JSON.stringify(path)}`,
      { argument: 'path' },
    );
  }
  const header = source!.dicom!;
  for (const key of ['seriesDescription', 'derivationDescription'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'string')
      invalidArgument(WHERE, key, 'must be a string', describeValue(v));
  }
  const slices = writeDicomSeries(volume, header, {
    ...(options.seriesDescription === undefined
      ? {}
      : { seriesDescription: options.seriesDescription }),
    ...(options.derivationDescription === undefined
      ? {}
      : { derivationDescription: options.derivationDescription }),
  });
  const digits = Math.max(4, String(slices.length).length);
  const names = slices.map((_, i) => `IM${String(i + 1).padStart(digits, '0')}.dcm`);
  const files = names.map((n) => join(target, n));
  return stageBeside(path, target, 'dicom', files, (temp) => {
    mkdirSync(temp);
    let bytes = 0;
    slices.forEach((data, i) => {
      writeFileDurably(join(temp, names[i]!), data);
      bytes += data.length;
    });
    syncDirectory(temp);
    return bytes;
  });
}

/**
 * Runs `write` on a new temporary path beside `target` (a file for NIfTI, a directory for a DICOM
 * series) and returns it staged for `commitStaged`; when `write` fails, the temporary path is
 * removed and an IO_ERROR names `path`. `write` returns the bytes it wrote.
 */
function stageBeside(
  path: string,
  target: string,
  format: WrittenVolumeFile['format'],
  files: readonly string[],
  write: (temp: string) => number,
): StagedVolumeFile {
  const temp = tempPath(dirname(target));
  let bytes: number;
  try {
    bytes = write(temp);
  } catch (error) {
    discardTemp(temp);
    throw ioError(WHERE, 'path', path, error);
  }
  return {
    staged: { staged: temp, target, shown: path, directory: format === 'dicom' },
    written: Object.freeze({ path: target, format, files: Object.freeze([...files]), bytes }),
  };
}
