import {
  DEFAULT_READ_LIMITS,
  type DicomHeader,
  type NiftiHeader,
  type ReadLimits,
  readDicomSeries,
  readNifti,
  sniffFormat,
} from '@duncan-mri/io';
import {
  describeValue,
  invalidArgument,
  MriError,
  type Volume,
  validateObject,
} from '@duncan-mri/volume';
import { gunzipNative } from './internal/gunzip.js';
import { fetchOk, resolveUrl } from './internal/urls.js';

/** Where a scan comes from: a `File` or `Blob`, bytes, or a URL to fetch. */
export type VolumeSource = Blob | ArrayBuffer | Uint8Array | URL | string;

/** Options of {@link loadVolume}. */
export interface LoadVolumeOptions {
  /** `'nifti'`, `'dicom'` or `'auto'` (default): NIfTI when the header says so, else DICOM. */
  readonly format?: 'auto' | 'nifti' | 'dicom';
  /** Size limits checked before allocating (`@duncan-mri/io`'s `ReadLimits`). */
  readonly limits?: ReadLimits;
  /** NIfTI only: which frame of a 4-D file (default 0). */
  readonly frame?: number;
  /** Aborts fetching and reading; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** What {@link loadVolume} resolves to: the volume and the header of its format. */
export type LoadedVolume =
  | {
      readonly format: 'nifti';
      readonly volume: Volume;
      readonly header: NiftiHeader;
      /** The file name, when the source had one. */
      readonly name: string | undefined;
    }
  | {
      readonly format: 'dicom';
      readonly volume: Volume;
      readonly header: DicomHeader;
      readonly name: string | undefined;
      /** Series found among the files; the one with the most voxels is returned. */
      readonly seriesCount: number;
    };

const WHERE = 'loadVolume';

interface Bytes {
  readonly bytes: Uint8Array;
  readonly name: string | undefined;
}

async function toBytes(source: unknown, argument: string, signal?: AbortSignal): Promise<Bytes> {
  if (source instanceof Uint8Array) return { bytes: source, name: undefined };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: undefined };
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const name = typeof File !== 'undefined' && source instanceof File ? source.name : undefined;
    try {
      return { bytes: new Uint8Array(await source.arrayBuffer()), name };
    } catch (cause) {
      throw new MriError(
        'IO_ERROR',
        `${WHERE}: ${argument} could not be read, got ${name ?? 'a Blob'}`,
        {
          argument,
          cause,
        },
      );
    }
  }
  if (typeof source === 'string' || source instanceof URL) {
    const url = resolveUrl(WHERE, argument, source);
    const response = await fetchOk(WHERE, argument, url, signal === undefined ? {} : { signal });
    const name = decodeURIComponent(url.pathname.split('/').pop() ?? '') || undefined;
    return { bytes: new Uint8Array(await response.arrayBuffer()), name };
  }
  return invalidArgument(
    WHERE,
    argument,
    'must be a File, Blob, ArrayBuffer, Uint8Array or URL',
    source,
  );
}

/** Files a dropped DICOM folder holds besides images. */
function isDicomJunk(name: string | undefined): boolean {
  if (name === undefined) return false;
  const base = name.split('/').pop() ?? name;
  return base.startsWith('.') || base.toUpperCase() === 'DICOMDIR';
}

/**
 * Reads a scan in the browser, entirely locally: NIfTI-1/2 (`.nii`, `.nii.gz`; gzip inflated by
 * the native `DecompressionStream` with the `maxInflatedBytes` budget, falling back to
 * `@duncan-mri/io`'s inflater) or DICOM (one file, or the files of a dropped folder assembled
 * into series; `DICOMDIR` and hidden files are skipped). Sources are `File`/`Blob`,
 * `ArrayBuffer`/`Uint8Array`, or a URL fetched from wherever the page may fetch. Values are
 * float32 with scaling applied and a RAS+ affine, as `@duncan-mri/io` reads them.
 *
 * @example
 * ```ts
 * input.onchange = async () => {
 *   const { volume, format } = await loadVolume(input.files.length === 1 ? input.files[0] : input.files);
 * };
 * const sample = await loadVolume('/sample/anatomical.nii');
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad source or option, `IO_ERROR` when a source
 * cannot be fetched or read, and what `readNifti`/`readDicomSeries` throw (`UNSUPPORTED_FORMAT`,
 * `CORRUPT_FILE`, `LIMIT_EXCEEDED`).
 */
export async function loadVolume(
  source: VolumeSource | Iterable<VolumeSource> | ArrayLike<VolumeSource>,
  options: LoadVolumeOptions = {},
): Promise<LoadedVolume> {
  const o = validateObject(WHERE, 'options', options, true);
  const format = o.format ?? 'auto';
  if (format !== 'auto' && format !== 'nifti' && format !== 'dicom')
    invalidArgument(WHERE, 'options.format', "must be 'auto', 'nifti' or 'dicom'", format);
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    invalidArgument(WHERE, 'options.signal', 'must be an AbortSignal', signal);
  signal?.throwIfAborted();
  const limits = (o.limits ?? {}) as ReadLimits;
  const maxInflated = limits.maxInflatedBytes ?? DEFAULT_READ_LIMITS.maxInflatedBytes;
  const isList =
    typeof source === 'object' &&
    source !== null &&
    !(source instanceof Uint8Array) &&
    !(source instanceof ArrayBuffer) &&
    !(source instanceof URL) &&
    !(typeof Blob !== 'undefined' && source instanceof Blob) &&
    (Symbol.iterator in source || 'length' in source);
  const sources: unknown[] = isList
    ? Array.from(source as Iterable<VolumeSource> | ArrayLike<VolumeSource>)
    : [source];
  if (sources.length === 0) invalidArgument(WHERE, 'source', 'must hold at least one file', source);
  const read: Bytes[] = [];
  for (const [i, s] of sources.entries()) {
    const item = await toBytes(s, isList ? `source[${i}]` : 'source', signal);
    if (sources.length > 1 && isDicomJunk(item.name)) continue;
    let bytes = item.bytes;
    if (sniffFormat(bytes) === 'gzip')
      bytes = (await gunzipNative(WHERE, bytes, maxInflated)) ?? bytes;
    read.push({ bytes, name: item.name });
    signal?.throwIfAborted();
  }
  if (read.length === 0) invalidArgument(WHERE, 'source', 'must hold an image file', source);
  const first = read[0]!;
  // Gzip still here is what the native inflater refused; readNifti inflates it itself.
  const sniffed = read.length === 1 ? sniffFormat(first.bytes) : 'unknown';
  const isNifti =
    format === 'nifti' ||
    (format === 'auto' && (sniffed === 'nifti-1' || sniffed === 'nifti-2' || sniffed === 'gzip'));
  if (isNifti) {
    if (read.length !== 1)
      invalidArgument(WHERE, 'source', 'must be one file for NIfTI', `${read.length} files`);
    const { volume, header } = readNifti(first.bytes, {
      limits,
      ...(o.frame === undefined ? {} : { frame: o.frame as number }),
    });
    return { format: 'nifti', volume, header, name: first.name };
  }
  if (o.frame !== undefined)
    invalidArgument(WHERE, 'options.frame', 'applies to NIfTI only', describeValue(o.frame));
  const series = await readDicomSeries(
    read.map((r) => r.bytes),
    { limits },
  );
  const best = series.reduce((a, b) => (b.volume.data.length > a.volume.data.length ? b : a));
  return {
    format: 'dicom',
    volume: best.volume,
    header: best.header,
    name: first.name,
    seriesCount: series.length,
  };
}
