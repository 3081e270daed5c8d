import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  type Dirent,
  fsyncSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { type NiftiWriteDatatype, writeDicomSeries, writeNifti } from '@duncan-mri/io';
import { assertVolume, describeValue, MriError, type Volume } from '@duncan-mri/volume';
import { invalid, ioError } from './internal/errors.js';
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

function tempName(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

function writeDurably(path: string, data: Uint8Array): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    let at = 0;
    while (at < data.length) at += writeSync(fd, data, at, data.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes one file atomically: a temporary file in the same directory, then a rename (or link). */
function commitFile(target: string, data: Uint8Array, overwrite: boolean, shown: string): void {
  const temp = tempName(target);
  try {
    writeDurably(temp, data);
    if (overwrite) {
      renameSync(temp, target);
    } else {
      // link() fails if the target appeared meanwhile: no race between the check and the write.
      linkSync(temp, target);
      unlinkSync(temp);
    }
  } catch (error) {
    rmSync(temp, { force: true });
    const code = (error as { code?: string }).code;
    if (code === 'EEXIST') throw existsError(shown);
    throw ioError(WHERE, 'path', shown, error);
  }
}

function existsError(shown: string): MriError {
  return new MriError(
    'IO_ERROR',
    `${WHERE}: path must not exist already (pass overwrite, or --overwrite, to replace it), got ${JSON.stringify(shown)}`,
    { argument: 'path' },
  );
}

/**
 * The checks of {@link writeVolumeFile} that need no volume: the name (NIfTI, or a directory for a
 * DICOM source), never an input, an existing output only with `overwrite`, and a directory only
 * replaced when it holds nothing but a series. Throws as `writeVolumeFile` would; a command
 * calls it before a long computation so that a bad output fails first.
 */
export function checkVolumeFileTarget(
  path: string,
  options: Pick<WriteVolumeFileOptions, 'source' | 'overwrite' | 'protect'> = {},
): void {
  if (typeof path !== 'string' || path.length === 0)
    throw invalid(WHERE, 'path', 'must be a non-empty string', path);
  planTarget(path, options.source, options.overwrite ?? false, options.protect);
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
    throw new MriError(
      'INVALID_ARGUMENT',
      `${WHERE}: path must end in .nii or .nii.gz (a DICOM series directory needs a DICOM source), got ${JSON.stringify(path)}`,
      { argument: 'path' },
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
      throw new MriError(
        'INVALID_ARGUMENT',
        `${WHERE}: path must not be (or contain) an input; inputs are never overwritten, got ${JSON.stringify(path)}`,
        { argument: 'path' },
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
 * Safe by construction: the bytes go to a temporary file (or directory) beside the target and
 * are renamed into place only when complete, so a crash never leaves half a file; an existing
 * output is refused unless `overwrite`; the source's files (and `protect`) are refused even
 * with `overwrite`. Missing parent directories are created.
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
  if (typeof path !== 'string' || path.length === 0)
    throw invalid(WHERE, 'path', 'must be a non-empty string', path);
  assertVolume(volume, WHERE, 'volume');
  if (typeof options !== 'object' || options === null)
    throw invalid(WHERE, 'options', 'must be an object', options);
  const overwrite = options.overwrite ?? false;
  if (typeof overwrite !== 'boolean')
    throw invalid(WHERE, 'overwrite', 'must be a boolean', overwrite);
  const source = options.source;
  if (source !== undefined && (typeof source !== 'object' || source === null || !source.volume))
    throw invalid(WHERE, 'source', 'must be the result of readVolumeFile', source);
  if (options.protect !== undefined && !Array.isArray(options.protect))
    throw invalid(WHERE, 'protect', 'must be an array of paths', options.protect);

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
    commitFile(target, bytes, overwrite, path);
    return Object.freeze({
      path: target,
      format: 'nifti' as const,
      files: [target],
      bytes: bytes.length,
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
      throw invalid(WHERE, key, 'must be a string', describeValue(v));
  }
  const slices = writeDicomSeries(volume, header, {
    ...(options.seriesDescription === undefined
      ? {}
      : { seriesDescription: options.seriesDescription }),
    ...(options.derivationDescription === undefined
      ? {}
      : { derivationDescription: options.derivationDescription }),
  });
  let temp: string;
  try {
    temp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
    // mkdtemp makes the directory 0700; give it the mode a plain mkdir would have.
    chmodSync(temp, 0o777 & ~process.umask());
  } catch (error) {
    throw ioError(WHERE, 'path', path, error);
  }
  const digits = Math.max(4, String(slices.length).length);
  const names = slices.map((_, i) => `IM${String(i + 1).padStart(digits, '0')}.dcm`);
  let bytes = 0;
  try {
    slices.forEach((data, i) => {
      writeDurably(join(temp, names[i]!), data);
      bytes += data.length;
    });
    if (present === 'directory') {
      const old = tempName(target);
      renameSync(target, old);
      renameSync(temp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, target);
    }
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw ioError(WHERE, 'path', path, error);
  }
  return Object.freeze({
    path: target,
    format: 'dicom' as const,
    files: names.map((n) => join(target, n)),
    bytes,
  });
}
