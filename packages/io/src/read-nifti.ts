import { createVolume, invalidArgument, MriError, type Volume } from '@duncan-mri/volume';
import {
  asBoundaryError,
  assertBytes,
  assertOptions,
  corrupt,
  limitExceeded,
  wrapThirdParty,
} from './internal/errors.js';
import { gunzip, isGzip } from './internal/inflate.js';
import { convertVoxels } from './internal/nifti-data.js';
import { type ParsedNifti, parseExtensions, parseNiftiHeader } from './internal/nifti-parse.js';
import type { NiftiExtension, NiftiHeader } from './nifti-header.js';
import { type ReadLimits, resolveLimits } from './read-limits.js';

/**
 * A gzip inflater supplied by the caller instead of the built-in one (fflate), e.g. Node's
 * `(b, max) => zlib.gunzipSync(b, { maxOutputLength: max })`. It must inflate every member,
 * verify the CRC and throw if the output would exceed `maxOutputBytes`.
 */
export type GzipInflater = (compressed: Uint8Array, maxOutputBytes: number) => Uint8Array;

/** Options of {@link readNifti} and {@link readNiftiPair}. */
export interface ReadNiftiOptions {
  /** Which 3-D frame of a 4-D file to return, from 0 (default 0; `header.frames` says how many). */
  readonly frame?: number;
  /** Size limits checked before allocating (see {@link ReadLimits}). */
  readonly limits?: ReadLimits;
  /**
   * A gzip inflater to use instead of the built-in one (fflate), e.g. Node's zlib for speed:
   * `(b, max) => zlib.gunzipSync(b, { maxOutputLength: max })`. It receives the byte budget and
   * must inflate every member and verify the CRC.
   */
  readonly inflate?: GzipInflater;
}

/** The result of reading a NIfTI file: the volume (float32, scaled, RAS+) and its header. */
export interface NiftiReadResult {
  /** float32 voxels (x fastest), scaling applied, RAS+ affine in mm. */
  readonly volume: Volume;
  /** What the file said, beside the volume (see {@link NiftiHeader}). */
  readonly header: NiftiHeader;
}

const READ = 'readNifti';
const PAIR = 'readNiftiPair';

/**
 * Reads a NIfTI-1 or NIfTI-2 single file (`.nii`, or `.nii.gz` — gzip is recognised by its
 * magic, not by the name) into a float32 {@link @duncan-mri/volume!Volume | Volume}.
 *
 * - Both byte orders; datatypes uint8, int8, int16, uint16, int32, uint32, int64, uint64,
 *   float32, float64 (anything else is `UNSUPPORTED_FORMAT` naming the code).
 * - `scl_slope`/`scl_inter` applied as nibabel's `get_fdata` does (slope 0 or non-finite: none);
 *   a scale that carries a finite voxel past float32's range is `CORRUPT_FILE`.
 * - The affine is nibabel's `get_best_affine`: sform if sform_code > 0, else qform if
 *   qform_code > 0, else from pixdim (x flipped, centred). NIfTI world space is RAS+.
 * - 4-D: `frame` picks the volume (default 0).
 * - Safety: sizes are checked against `limits` and against the bytes present before anything
 *   is allocated; gzip is inflated with a byte budget and its CRC-32 and size verified. A bad
 *   file throws an {@link @duncan-mri/volume!MriError | MriError} (`CORRUPT_FILE`, `UNSUPPORTED_FORMAT`, `LIMIT_EXCEEDED`).
 *
 * @example
 * ```ts
 * const { volume, header } = readNifti(new Uint8Array(await readFile('t1.nii.gz')));
 * console.log(volume.shape, header.frames, header.affineSource);
 * ```
 */
export function readNifti(bytes: Uint8Array, options?: ReadNiftiOptions): NiftiReadResult {
  try {
    return readNiftiUnguarded(bytes, options);
  } catch (error) {
    throw asBoundaryError(READ, error);
  }
}

function readNiftiUnguarded(bytes: Uint8Array, options?: ReadNiftiOptions): NiftiReadResult {
  assertBytes(READ, bytes);
  const opts = assertOptions<ReadNiftiOptions>(READ, options);
  const limits = resolveLimits(opts.limits, READ);
  const inflater = validateInflater(READ, opts.inflate);
  const warnings: string[] = [];
  let data = bytes;
  let parsed: ParsedNifti;
  if (isGzip(bytes)) {
    const prefix = gunzip(READ, bytes, { maxBytes: limits.maxInflatedBytes, prefixBytes: 544 });
    parsed = parseNiftiHeader(READ, prefix, limits, true);
    const needed = parsed.voxOffset + parsed.frames * frameBytes(parsed);
    const budget = inflationBudget(READ, needed, limits.maxInflatedBytes);
    const onExceeded = () =>
      budget < limits.maxInflatedBytes
        ? new MriError(
            'LIMIT_EXCEEDED',
            `${READ}: the gzip stream inflates past the ${needed} bytes its header declares (a gzip bomb?); stopped at ${budget} bytes`,
            { argument: 'bytes' },
          )
        : limitExceeded(
            READ,
            'maxInflatedBytes',
            limits.maxInflatedBytes,
            'a gzip stream inflating past that',
          );
    data = inflater
      ? runInflater(READ, inflater, bytes, budget, onExceeded)
      : gunzip(READ, bytes, { maxBytes: budget, warnings, onExceeded, expectedBytes: needed });
    parsed = parseNiftiHeader(READ, data, limits, true);
  } else {
    parsed = parseNiftiHeader(READ, bytes, limits, true);
  }
  parsed.warnings.unshift(...warnings);
  // Truncation first: the extensions end at vox_offset, which must lie inside the file.
  checkComplete(READ, parsed, data, parsed.voxOffset, 'file');
  const extensions = parseExtensions(READ, data, parsed, parsed.voxOffset, limits.maxElementBytes);
  const frame = validateFrame(READ, opts.frame, parsed.frames);
  return build(READ, parsed, data, parsed.voxOffset, frame, extensions, 'file');
}

/**
 * Reads a NIfTI header/image pair (`.hdr` + `.img`, magic `ni1`/`ni2`); either part may be
 * gzipped. Same rules and options as {@link readNifti}; `vox_offset` is an offset into `img`.
 *
 * @example
 * ```ts
 * const { volume } = readNiftiPair(await bytesOf('a.hdr'), await bytesOf('a.img'));
 * ```
 */
export function readNiftiPair(
  hdr: Uint8Array,
  img: Uint8Array,
  options?: ReadNiftiOptions,
): NiftiReadResult {
  try {
    return readNiftiPairUnguarded(hdr, img, options);
  } catch (error) {
    throw asBoundaryError(PAIR, error);
  }
}

function readNiftiPairUnguarded(
  hdr: Uint8Array,
  img: Uint8Array,
  options?: ReadNiftiOptions,
): NiftiReadResult {
  assertBytes(PAIR, hdr, 'hdr');
  assertBytes(PAIR, img, 'img');
  const opts = assertOptions<ReadNiftiOptions>(PAIR, options);
  const limits = resolveLimits(opts.limits, PAIR);
  const inflater = validateInflater(PAIR, opts.inflate);
  const headerBytes = isGzip(hdr)
    ? gunzip(PAIR, hdr, {
        maxBytes: Math.min(limits.maxInflatedBytes, limits.maxElementBytes + 1024),
      })
    : hdr;
  const parsed = parseNiftiHeader(PAIR, headerBytes, limits, false);
  if (img.length === 0) {
    throw corrupt(PAIR, 'img is empty (0 bytes): a .hdr needs its .img with the voxels');
  }
  const needed = parsed.voxOffset + parsed.frames * frameBytes(parsed);
  let imageBytes = img;
  if (isGzip(img)) {
    const budget = inflationBudget(PAIR, needed, limits.maxInflatedBytes);
    imageBytes = inflater
      ? runInflater(PAIR, inflater, img, budget)
      : gunzip(PAIR, img, { maxBytes: budget, warnings: parsed.warnings, expectedBytes: needed });
  }
  const extensions = parseExtensions(
    PAIR,
    headerBytes,
    parsed,
    headerBytes.length,
    limits.maxElementBytes,
  );
  const frame = validateFrame(PAIR, opts.frame, parsed.frames);
  return build(PAIR, parsed, imageBytes, parsed.voxOffset, frame, extensions, 'img');
}

/**
 * The inflation budget of a gzipped image whose header declares `needed` bytes: what it declares
 * plus slack for trailing bytes, never more than the limit. A declaration over the limit is
 * refused before inflating anything.
 */
function inflationBudget(where: string, needed: number, maxInflatedBytes: number): number {
  if (!Number.isSafeInteger(needed) || needed > maxInflatedBytes) {
    throw limitExceeded(
      where,
      'maxInflatedBytes',
      maxInflatedBytes,
      `${needed} bytes declared by the header`,
    );
  }
  return Math.min(maxInflatedBytes, needed + 1_048_576);
}

function frameBytes(parsed: ParsedNifti): number {
  return parsed.shape[0] * parsed.shape[1] * parsed.shape[2] * parsed.bytesPerVoxel;
}

function validateFrame(where: string, frame: unknown, frames: number): number {
  if (frame === undefined) return 0;
  if (typeof frame !== 'number' || !Number.isInteger(frame) || frame < 0 || frame >= frames) {
    invalidArgument(
      where,
      'frame',
      `must be an integer in [0, ${frames - 1}] (the file has ${frames} frame${frames === 1 ? '' : 's'})`,
      frame,
    );
  }
  return frame;
}

function validateInflater(where: string, inflate: unknown): GzipInflater | undefined {
  if (inflate === undefined) return undefined;
  if (typeof inflate !== 'function') {
    invalidArgument(where, 'inflate', 'must be a function', inflate);
  }
  return inflate as GzipInflater;
}

function runInflater(
  where: string,
  inflate: GzipInflater,
  bytes: Uint8Array,
  budget: number,
  onExceeded?: () => Error,
): Uint8Array {
  let out: unknown;
  try {
    out = inflate(bytes, budget);
  } catch (error) {
    // Node's zlib reports its maxOutputLength with a RangeError (ERR_BUFFER_TOO_LARGE).
    if (onExceeded && error instanceof RangeError) throw onExceeded();
    throw wrapThirdPartyError(where, error);
  }
  if (!(out instanceof Uint8Array)) {
    invalidArgument(where, 'inflate', 'must return a Uint8Array', out);
  }
  if (out.length > budget)
    throw onExceeded?.() ?? limitExceeded(where, 'maxInflatedBytes', budget, out.length);
  return out;
}

function wrapThirdPartyError(where: string, error: unknown): Error {
  try {
    wrapThirdParty(where, 'the supplied gzip inflater', () => {
      throw error;
    });
  } catch (wrapped) {
    return wrapped as Error;
  }
  return new Error('unreachable');
}

/** Throws `CORRUPT_FILE` unless `data` holds every frame's voxels from `voxOffset` on. */
function checkComplete(
  where: string,
  parsed: ParsedNifti,
  data: Uint8Array,
  voxOffset: number,
  what: string,
): void {
  const perFrame = frameBytes(parsed);
  const needed = voxOffset + parsed.frames * perFrame;
  if (data.length < needed) {
    throw corrupt(
      where,
      `${what} truncated: expected ${parsed.frames * perFrame} bytes of voxels at vox_offset ${voxOffset} (${needed} bytes in all), the ${what} has ${data.length}`,
    );
  }
}

function build(
  where: string,
  parsed: ParsedNifti,
  data: Uint8Array,
  voxOffset: number,
  frame: number,
  extensions: NiftiExtension[],
  what: string,
): NiftiReadResult {
  const [nx, ny, nz] = parsed.shape;
  const count = nx * ny * nz;
  const perFrame = count * parsed.bytesPerVoxel;
  const needed = voxOffset + parsed.frames * perFrame;
  checkComplete(where, parsed, data, voxOffset, what);
  if (data.length > needed && what === 'file' && parsed.single) {
    parsed.warnings.push(`${data.length - needed} bytes after the voxel data ignored`);
  }
  const values = convertVoxels(
    where,
    data,
    voxOffset + frame * perFrame,
    count,
    parsed.datatypeName,
    parsed.bytesPerVoxel,
    parsed.littleEndian,
    parsed.appliedSlope,
    parsed.appliedInter,
  );
  const volume = createVolume({ data: values, shape: [nx, ny, nz], affine: parsed.affine });
  const header: NiftiHeader = Object.freeze({
    version: parsed.version,
    littleEndian: parsed.littleEndian,
    magic: parsed.magic,
    datatype: parsed.datatype,
    datatypeName: parsed.datatypeName,
    bitpix: parsed.bitpix,
    dims: Object.freeze(parsed.dims.slice()),
    pixdim: Object.freeze(parsed.pixdim.slice()),
    voxOffset,
    sclSlope: parsed.sclSlope,
    sclInter: parsed.sclInter,
    appliedSlope: parsed.appliedSlope,
    appliedInter: parsed.appliedInter,
    calMin: parsed.calMin,
    calMax: parsed.calMax,
    qformCode: parsed.qformCode,
    sformCode: parsed.sformCode,
    qform: parsed.qform,
    sform: parsed.sform,
    affineSource: parsed.affineSource,
    intentCode: parsed.intentCode,
    intentName: parsed.intentName,
    intentParams: Object.freeze(parsed.intentParams.slice()) as unknown as readonly [
      number,
      number,
      number,
    ],
    xyztUnits: parsed.xyztUnits,
    sliceCode: parsed.sliceCode,
    sliceStart: parsed.sliceStart,
    sliceEnd: parsed.sliceEnd,
    sliceDuration: parsed.sliceDuration,
    dimInfo: parsed.dimInfo,
    toffset: parsed.toffset,
    description: parsed.description,
    auxFile: parsed.auxFile,
    frames: parsed.frames,
    frame,
    extensions: Object.freeze(extensions),
    warnings: Object.freeze(parsed.warnings.slice()),
  });
  return Object.freeze({ volume, header });
}
