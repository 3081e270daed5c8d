import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_READ_LIMITS,
  type DicomHeader,
  type DicomReadResult,
  type NiftiHeader,
  type ReadLimits,
  readDicomSeries,
  readNifti,
  readNiftiPair,
  type SniffedFormat,
  sniffFormat,
} from '@duncan-mri/io';
import { invalidArgument, isMriError, MriError, type Volume } from '@duncan-mri/volume';
import { ioError } from './internal/errors.js';

/** One DICOM series found in a file or directory (see {@link VolumeFile.series}). */
export interface SeriesSummary {
  /** 1-based position in the list: what `--series` / the `series` option take. */
  readonly index: number;
  readonly seriesInstanceUid: string | undefined;
  readonly seriesNumber: number | undefined;
  readonly seriesDescription: string | undefined;
  readonly modality: string | undefined;
  /** `[columns, rows, slices]`. */
  readonly shape: readonly [number, number, number];
}

/** What {@link readVolumeFile} read: the volume, its format and header, and the files used. */
export interface VolumeFile {
  /** The absolute path that was read (a file or a DICOM directory). */
  readonly path: string;
  /** `nifti` (.nii, .nii.gz), `nifti-pair` (.hdr + .img) or `dicom` (a file or a directory). */
  readonly format: 'nifti' | 'nifti-pair' | 'dicom';
  /** float32 voxels, scaling applied, RAS+ affine in mm. */
  readonly volume: Volume;
  /** The NIfTI header (NIfTI inputs only): pass the whole result to `writeVolumeFile` as `source`. */
  readonly nifti: NiftiHeader | undefined;
  /** The DICOM series header (DICOM inputs only): needed to write a derived DICOM series. */
  readonly dicom: DicomHeader | undefined;
  /** Every DICOM series found (empty for NIfTI); `volume` is the chosen one. */
  readonly series: readonly SeriesSummary[];
  /** Every file whose bytes were read (never written to by `writeVolumeFile`). */
  readonly files: readonly string[];
  /** Odd but readable things the readers reported, and skipped non-DICOM files. */
  readonly warnings: readonly string[];
}

/** Options of {@link readVolumeFile}. */
export interface ReadVolumeFileOptions {
  /**
   * Which DICOM series to return when there are several: its 1-based position in
   * {@link VolumeFile.series} or its SeriesInstanceUID. Required when a directory holds more
   * than one series.
   */
  readonly series?: number | string;
  /** Which 3-D frame of a 4-D NIfTI file (default 0). */
  readonly frame?: number;
  /** Size limits checked before allocating (see `ReadLimits` of `@duncan-mri/io`). */
  readonly limits?: ReadLimits;
  /**
   * For a directory of DICOM files: fail on the first file that cannot be read. Default false:
   * such files are skipped, as dcm2niix does, each named in `warnings` with the reason (the
   * series is then assembled from the rest, and a missing slice shows as a gap warning).
   */
  readonly strict?: boolean;
}

const WHERE = 'readVolumeFile';
/** Node's readFile cannot return more than this in one buffer. */
const MAX_FILE_BYTES = 2 ** 31 - 1;

/** Node's zlib: inflates every member, checks the CRC, stops at the byte budget. */
export const nodeInflate = (bytes: Uint8Array, max: number): Uint8Array =>
  gunzipSync(bytes, { maxOutputLength: max });

function readBytes(path: string, argument: string): Uint8Array {
  let size: number;
  try {
    const s = statSync(path);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    // A FIFO, socket or device would block or never end: only regular files are read.
    if (!s.isFile()) throw new Error('not a regular file');
    size = s.size;
  } catch (error) {
    throw ioError(WHERE, argument, path, error);
  }
  if (size > MAX_FILE_BYTES) {
    throw new MriError(
      'LIMIT_EXCEEDED',
      `${WHERE}: ${argument} must be at most ${MAX_FILE_BYTES} bytes, got ${size} bytes in ${JSON.stringify(path)}`,
      { argument },
    );
  }
  try {
    const buffer = readFileSync(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw ioError(WHERE, argument, path, error);
  }
}

/** The first 132 bytes of a file (enough for the DICOM preamble and magic). */
function readHead(path: string): Uint8Array {
  const head = new Uint8Array(132);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } catch (error) {
    throw ioError(WHERE, 'path', path, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const lower = (p: string) => p.toLowerCase();
const isNiftiName = (p: string) => /\.nii(\.gz)?$/.test(lower(p));
const isPairName = (p: string) => /\.(hdr|img)(\.gz)?$/.test(lower(p));
const isDicomName = (p: string) => /\.(dcm|ima|dicom)$/.test(lower(p));

/** Whether the first bytes are a NIfTI header, or gzip (which only NIfTI files here are). */
function looksLikeNifti(format: SniffedFormat): boolean {
  return format === 'nifti-1' || format === 'nifti-2' || format === 'gzip';
}

function summarise(results: readonly DicomReadResult[]): SeriesSummary[] {
  return results.map(({ header }, i) =>
    Object.freeze({
      index: i + 1,
      seriesInstanceUid: header.seriesInstanceUid,
      seriesNumber: header.seriesNumber,
      seriesDescription: header.seriesDescription,
      modality: header.modality,
      shape: Object.freeze([header.columns, header.rows, header.slices]) as readonly [
        number,
        number,
        number,
      ],
    }),
  );
}

function describeSeries(s: SeriesSummary): string {
  const name = [s.seriesNumber, s.seriesDescription].filter((x) => x !== undefined).join(' ');
  return `${s.index}: ${name || '(unnamed)'} ${s.shape.join('x')} ${s.seriesInstanceUid ?? ''}`.trim();
}

function pickSeries(
  results: readonly DicomReadResult[],
  summaries: readonly SeriesSummary[],
  choice: number | string | undefined,
  path: string,
): DicomReadResult {
  if (choice === undefined) {
    if (results.length === 1) return results[0]!;
    invalidArgument(
      WHERE,
      'series',
      `must be given when ${JSON.stringify(path)} holds ${results.length} series (choose with --series <n|uid>): ${summaries.map(describeSeries).join('; ')}`,
      undefined,
      { got: null },
    );
  }
  const byIndex =
    typeof choice === 'number' || /^\d+$/.test(choice) ? results[Number(choice) - 1] : undefined;
  const byUid = results.find((r) => r.header.seriesInstanceUid === String(choice));
  const found = byUid ?? byIndex;
  if (found === undefined) {
    invalidArgument(
      WHERE,
      'series',
      `must be a position 1..${results.length} or a SeriesInstanceUID of ${JSON.stringify(path)} (${summaries.map(describeSeries).join('; ')})`,
      choice,
    );
  }
  return found;
}

async function readDicomFiles(
  path: string,
  files: readonly string[],
  bytes: readonly Uint8Array[],
  options: ReadVolumeFileOptions,
  warnings: string[],
  lenient: boolean,
): Promise<VolumeFile> {
  const skipped = new Set<number>();
  const results = await readDicomSeries(bytes, {
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(lenient
      ? {
          names: files.map((f) => basename(f)),
          onUnreadable: (i: number, error: MriError) => {
            skipped.add(i);
            warnings.push(`skipped ${basename(files[i]!)}: ${error.message} [${error.code}]`);
          },
        }
      : files.length > 1
        ? { names: files.map((f) => basename(f)) }
        : {}),
  });
  const used = files.filter((_, i) => !skipped.has(i));
  const series = summarise(results);
  const chosen = pickSeries(results, series, options.series, path);
  return Object.freeze({
    path,
    format: 'dicom' as const,
    volume: chosen.volume,
    nifti: undefined,
    dicom: chosen.header,
    series: Object.freeze(series),
    files: Object.freeze(used),
    warnings: Object.freeze([...warnings, ...chosen.header.warnings]),
  });
}

function siblingOf(path: string, from: 'hdr' | 'img'): string | undefined {
  const to = from === 'hdr' ? 'img' : 'hdr';
  const stem = path.replace(/\.(hdr|img)(\.gz)?$/i, '');
  const upper = /\.(HDR|IMG)(\.gz)?$/.test(path);
  for (const ext of [to, `${to}.gz`]) {
    const candidate = `${stem}.${upper ? ext.toUpperCase().replace('.GZ', '.gz') : ext}`;
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next spelling
    }
  }
  return undefined;
}

/**
 * Reads a volume from disk, whatever its format: NIfTI-1/2 (`.nii`, `.nii.gz`), a NIfTI or
 * Analyze-style pair (`.hdr` + `.img`, either gzipped), one DICOM file, or a directory of DICOM
 * files (its regular files whose preamble says `DICM` or whose name ends in `.dcm`/`.ima`;
 * other files are skipped with a warning, and so are DICOM files that cannot be read, each
 * named with the reason, unless `strict`). A directory with several series needs `series`.
 * gzip is inflated by Node's zlib with a byte budget (a gzip bomb stops at the size the header
 * declares). Nothing is ever written.
 *
 * @example
 * ```ts
 * const input = await readVolumeFile('scans/t1.nii.gz');
 * const series = await readVolumeFile('dicom/MR0001', { series: 2 });
 * console.log(series.volume.shape, series.series.length);
 * ```
 * @throws MriError `IO_ERROR` (missing or unreadable path), `UNSUPPORTED_FORMAT`,
 * `CORRUPT_FILE`, `LIMIT_EXCEEDED` from the readers, `INVALID_ARGUMENT` for a bad or missing
 * `series`.
 */
export async function readVolumeFile(
  path: string,
  options: ReadVolumeFileOptions = {},
): Promise<VolumeFile> {
  if (typeof path !== 'string' || path.length === 0)
    invalidArgument(WHERE, 'path', 'must be a non-empty string', path);
  if (typeof options !== 'object' || options === null)
    invalidArgument(WHERE, 'options', 'must be an object', options);
  if (
    options.series !== undefined &&
    typeof options.series !== 'string' &&
    !(Number.isInteger(options.series) && options.series >= 1)
  ) {
    invalidArgument(
      WHERE,
      'series',
      'must be a 1-based position or a SeriesInstanceUID',
      options.series,
    );
  }
  const strict = options.strict ?? false;
  if (typeof strict !== 'boolean') invalidArgument(WHERE, 'strict', 'must be a boolean', strict);
  const absolute = resolve(path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch (error) {
    throw ioError(WHERE, 'path', path, error);
  }
  const niftiOptions = {
    inflate: nodeInflate,
    ...(options.frame === undefined ? {} : { frame: options.frame }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  };

  if (isDirectory) {
    let names: string[];
    try {
      names = readdirSync(absolute).sort();
    } catch (error) {
      throw ioError(WHERE, 'path', path, error);
    }
    const files: string[] = [];
    const bytes: Uint8Array[] = [];
    const warnings: string[] = [];
    // Bounded before reading: no more files than frames a series may have, and no more bytes
    // in all than one file may have.
    const maxFiles = options.limits?.maxFrames ?? DEFAULT_READ_LIMITS.maxFrames;
    let total = 0;
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const file = join(absolute, name);
      let regular = false;
      try {
        regular = statSync(file).isFile();
      } catch {
        regular = false;
      }
      if (!regular) continue;
      let dicomFile: boolean;
      try {
        dicomFile = isDicomName(name) || sniffFormat(readHead(file)) === 'dicom';
      } catch (error) {
        if (strict || !isMriError(error)) throw error;
        warnings.push(`skipped ${name}: ${error.message} [${error.code}]`);
        continue;
      }
      if (dicomFile) {
        if (files.length >= maxFiles) {
          throw new MriError(
            'LIMIT_EXCEEDED',
            `${WHERE}: path must hold at most ${maxFiles} DICOM files (limits.maxFrames), got more in ${JSON.stringify(path)}`,
            { argument: 'path' },
          );
        }
        let data: Uint8Array;
        try {
          data = readBytes(file, 'path');
        } catch (error) {
          if (strict || !isMriError(error) || error.code !== 'IO_ERROR') throw error;
          warnings.push(`skipped ${name}: ${error.message} [${error.code}]`);
          continue;
        }
        total += data.length;
        if (total > MAX_FILE_BYTES) {
          throw new MriError(
            'LIMIT_EXCEEDED',
            `${WHERE}: path must hold at most ${MAX_FILE_BYTES} bytes of DICOM files, got more in ${JSON.stringify(path)}`,
            { argument: 'path' },
          );
        }
        files.push(file);
        bytes.push(data);
      } else {
        warnings.push(`skipped ${name}: not a DICOM file`);
      }
    }
    if (files.length === 0) {
      throw new MriError(
        'UNSUPPORTED_FORMAT',
        `${WHERE}: path must be a volume file or a directory of DICOM files, got the directory ${JSON.stringify(path)} with no DICOM files`,
        { argument: 'path' },
      );
    }
    return readDicomFiles(absolute, files, bytes, options, warnings, !strict);
  }

  if (isPairName(absolute)) {
    const isHdr = /\.hdr(\.gz)?$/i.test(absolute);
    const other = siblingOf(absolute, isHdr ? 'hdr' : 'img');
    if (other === undefined) {
      const want = absolute.replace(/\.(hdr|img)(\.gz)?$/i, isHdr ? '.img' : '.hdr');
      throw new MriError(
        'IO_ERROR',
        `${WHERE}: path ${JSON.stringify(path)} is half of a NIfTI pair whose ${isHdr ? '.img' : '.hdr'} is missing: ${basename(want)} in ${dirname(want)}`,
        { argument: 'path' },
      );
    }
    const hdrPath = isHdr ? absolute : other;
    const imgPath = isHdr ? other : absolute;
    const { volume, header } = readNiftiPair(
      readBytes(hdrPath, 'path'),
      readBytes(imgPath, 'path'),
      niftiOptions,
    );
    return Object.freeze({
      path: absolute,
      format: 'nifti-pair' as const,
      volume,
      nifti: header,
      dicom: undefined,
      series: Object.freeze([]),
      files: Object.freeze([hdrPath, imgPath]),
      warnings: header.warnings,
    });
  }

  const bytes = readBytes(absolute, 'path');
  const format = sniffFormat(bytes);
  const dicom = format === 'dicom' || (isDicomName(absolute) && !looksLikeNifti(format));
  if (dicom) return readDicomFiles(absolute, [absolute], [bytes], options, [], false);
  if (isNiftiName(absolute) || looksLikeNifti(format)) {
    const { volume, header } = readNifti(bytes, niftiOptions);
    return Object.freeze({
      path: absolute,
      format: 'nifti' as const,
      volume,
      nifti: header,
      dicom: undefined,
      series: Object.freeze([]),
      files: Object.freeze([absolute]),
      warnings: header.warnings,
    });
  }
  throw new MriError(
    'UNSUPPORTED_FORMAT',
    `${WHERE}: path must be NIfTI (.nii, .nii.gz, .hdr/.img) or DICOM (a file or a directory), got ${JSON.stringify(path)} (${bytes.length} bytes, neither a NIfTI header nor a DICOM preamble)`,
    { argument: 'path' },
  );
}
