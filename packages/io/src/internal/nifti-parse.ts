import type { Affine } from '@duncan-mri/volume';
import { NIFTI1, NIFTI2 } from 'nifti-reader-js';
import type { NiftiExtension } from '../nifti-header.js';
import { corrupt, limitExceeded, unsupported, wrapThirdParty } from './errors.js';
import { datatypeInfo, UNSUPPORTED_DATATYPES } from './nifti-types.js';

/** The fields of a NIfTI header after validation, before the voxels are read. */
export interface ParsedNifti {
  version: 1 | 2;
  littleEndian: boolean;
  headerBytes: number;
  magic: string;
  single: boolean;
  datatype: number;
  datatypeName: string;
  bytesPerVoxel: number;
  bitpix: number;
  dims: number[];
  shape: [number, number, number];
  frames: number;
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  appliedSlope: number;
  appliedInter: number;
  calMin: number;
  calMax: number;
  qformCode: number;
  sformCode: number;
  qform: Affine | undefined;
  sform: Affine | undefined;
  affine: Affine;
  affineSource: 'sform' | 'qform' | 'pixdim';
  intentCode: number;
  intentName: string;
  intentParams: [number, number, number];
  xyztUnits: number;
  sliceCode: number;
  sliceStart: number;
  sliceEnd: number;
  sliceDuration: number;
  dimInfo: number;
  toffset: number;
  description: string;
  auxFile: string;
  hasExtensionFlag: boolean;
  warnings: string[];
}

interface Limits {
  maxVoxels: number;
  maxFrames: number;
  maxElementBytes: number;
}

const MAGIC1_SINGLE = 'n+1';
const MAGIC1_PAIR = 'ni1';
const MAGIC2_SINGLE = 'n+2';
const MAGIC2_PAIR = 'ni2';

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Detects NIfTI-1/2 and the byte order from `sizeof_hdr` (never from dim[0]). */
export function sniffNifti(
  where: string,
  bytes: Uint8Array,
): { version: 1 | 2; littleEndian: boolean } {
  if (bytes.length === 0) throw corrupt(where, 'empty file (0 bytes), expected a NIfTI header');
  if (bytes.length < 4) {
    throw corrupt(where, `header truncated (${bytes.length} < 348 bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const le = view.getInt32(0, true);
  const be = view.getInt32(0, false);
  let found: { version: 1 | 2; littleEndian: boolean } | undefined;
  if (le === 348) found = { version: 1, littleEndian: true };
  else if (be === 348) found = { version: 1, littleEndian: false };
  else if (le === 540) found = { version: 2, littleEndian: true };
  else if (be === 540) found = { version: 2, littleEndian: false };
  if (!found) {
    throw corrupt(
      where,
      `not a NIfTI file: sizeof_hdr must be 348 (NIfTI-1) or 540 (NIfTI-2) in either byte order, got ${le}`,
    );
  }
  const size = found.version === 1 ? 348 : 540;
  if (bytes.length < size) {
    throw corrupt(where, `header truncated (${bytes.length} < ${size} bytes)`);
  }
  return found;
}

/**
 * Parses and validates a NIfTI header. The standard fields are decoded by nifti-reader-js (the
 * project's chosen parser), given a copy of exactly the header bytes so that it cannot run past
 * them; the 64-bit NIfTI-2 integers, the srow rows and the magic are read here directly, because
 * nifti-reader-js rounds int64 above 2^53, keeps srow only when it prefers the sform, and
 * accepts any magic. Everything is then validated here.
 */
export function parseNiftiHeader(
  where: string,
  bytes: Uint8Array,
  limits: Limits,
  single: boolean,
): ParsedNifti {
  const { version, littleEndian } = sniffNifti(where, bytes);
  const headerBytes = version === 1 ? 348 : 540;
  const copy = bytes.slice(0, headerBytes).buffer;
  const h = wrapThirdParty(where, 'nifti-reader-js readHeader', () => {
    const header = version === 1 ? new NIFTI1() : new NIFTI2();
    header.readHeader(copy);
    return header;
  });
  if (h.littleEndian !== littleEndian) {
    throw corrupt(where, 'byte order of the header is ambiguous');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const warnings: string[] = [];

  // Magic.
  const magic = version === 1 ? ascii(bytes, 344, 348) : ascii(bytes, 4, 7);
  const singleMagic = version === 1 ? MAGIC1_SINGLE : MAGIC2_SINGLE;
  const pairMagic = version === 1 ? MAGIC1_PAIR : MAGIC2_PAIR;
  if (magic !== singleMagic && magic !== pairMagic) {
    if (version === 1 && magic === '') {
      throw unsupported(where, 'an Analyze 7.5 header (no NIfTI magic) is not supported');
    }
    throw corrupt(
      where,
      `magic must be "${singleMagic}" or "${pairMagic}" for NIfTI-${version}, got ${JSON.stringify(magic)}`,
    );
  }
  if (single && magic === pairMagic) {
    throw corrupt(
      where,
      `magic "${pairMagic}" marks a header/image pair (.hdr + .img): read it with readNiftiPair(hdr, img)`,
    );
  }
  if (!single && magic === singleMagic) {
    warnings.push(`magic "${singleMagic}" (single file) in a .hdr/.img pair header`);
  }

  // Dimensions: dim[0] in 1..7, dim[i] >= 1 for i <= dim[0], dims beyond dim[0] are 1.
  const rawDims: number[] = [];
  for (let i = 0; i < 8; i++) {
    if (version === 1) rawDims.push(view.getInt16(40 + 2 * i, littleEndian));
    else {
      const big = view.getBigInt64(16 + 8 * i, littleEndian);
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw limitExceeded(where, 'maxVoxels', limits.maxVoxels, `dim[${i}] = ${big}`);
      }
      rawDims.push(Number(big));
    }
  }
  const ndim = rawDims[0]!;
  if (!(ndim >= 1 && ndim <= 7)) {
    throw corrupt(where, `dim[0] must be between 1 and 7, got ${ndim}`);
  }
  const dims = rawDims.slice(1, ndim + 1);
  for (const [i, d] of dims.entries()) {
    if (!(d >= 1)) throw corrupt(where, `dim[${i + 1}] must be >= 1 (dim[0] = ${ndim}), got ${d}`);
  }
  const full = [1, 1, 1, 1, 1, 1, 1].map((one, i) => dims[i] ?? one);
  const intentCode =
    version === 1 ? view.getInt16(68, littleEndian) : view.getInt32(504, littleEndian);
  if (intentCode >= 3000 && intentCode <= 3099) {
    throw unsupported(where, `intent_code ${intentCode} is a CIFTI file, not a volume`);
  }
  if (full[4]! * full[5]! * full[6]! > 1) {
    throw unsupported(
      where,
      `not a scalar image: dim[5..7] must be 1, got [${full.slice(4).join(', ')}] (vector, matrix or CIFTI data)`,
    );
  }
  const [nx, ny, nz, nt] = full as [number, number, number, number];
  const perFrame = nx * ny * nz;
  if (!Number.isSafeInteger(perFrame) || perFrame > limits.maxVoxels) {
    throw limitExceeded(where, 'maxVoxels', limits.maxVoxels, `${nx}x${ny}x${nz}`);
  }
  if (nt > limits.maxFrames) throw limitExceeded(where, 'maxFrames', limits.maxFrames, nt);

  // Datatype.
  const datatype =
    version === 1 ? view.getInt16(70, littleEndian) : view.getInt16(12, littleEndian);
  const info = datatypeInfo(datatype);
  if (!info) {
    const known = UNSUPPORTED_DATATYPES[datatype];
    throw unsupported(
      where,
      `datatype ${datatype}${known ? ` (${known})` : ''} is not supported; supported: 2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, 256 int8, 512 uint16, 768 uint32, 1024 int64, 1280 uint64`,
    );
  }
  const bitpix = h.numBitsPerVoxel;
  if (bitpix !== info.bytes * 8) {
    warnings.push(
      `bitpix ${bitpix} does not match datatype ${datatype} (${info.name}); using the datatype`,
    );
  }

  // vox_offset.
  let voxOffset: number;
  if (version === 1) {
    voxOffset = view.getFloat32(108, littleEndian);
  } else {
    const big = view.getBigInt64(168, littleEndian);
    voxOffset = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(big);
  }
  const minOffset = single ? headerBytes + 4 : 0;
  if (!Number.isFinite(voxOffset) || !Number.isInteger(voxOffset) || voxOffset < minOffset) {
    throw corrupt(
      where,
      `vox_offset must be a whole number >= ${minOffset}${single ? ' in a single-file NIfTI' : ''}, got ${voxOffset}`,
    );
  }
  if (voxOffset % 16 !== 0 && single) {
    warnings.push(`vox_offset ${voxOffset} is not a multiple of 16`);
  }

  // Scaling (NIfTI: slope 0 means no scaling; nibabel also ignores non-finite slopes).
  const sclSlope = h.scl_slope;
  const sclInter = h.scl_inter;
  let appliedSlope = 1;
  let appliedInter = 0;
  if (sclSlope !== 0 && Number.isFinite(sclSlope)) {
    if (!Number.isFinite(sclInter)) {
      throw corrupt(
        where,
        `scl_inter must be finite when scl_slope (${sclSlope}) is set, got ${sclInter}`,
      );
    }
    appliedSlope = sclSlope;
    appliedInter = sclInter;
  } else if (!Number.isFinite(sclSlope)) {
    warnings.push(`scl_slope ${sclSlope} is not finite; no scaling applied`);
  }

  // Spacing: nibabel sets pixdim 0 to 1 and negative pixdim to its absolute value on load.
  const pixdim = h.pixDims.slice(0, 8).map(Number);
  const zooms = [1, 2, 3].map((i) => {
    const p = pixdim[i]!;
    if (p === 0 || !Number.isFinite(p)) {
      if (i <= ndim) warnings.push(`pixdim[${i}] ${p} is not a voxel size; using 1`);
      return 1;
    }
    return Math.abs(p);
  }) as [number, number, number];

  // Orientation: nibabel's get_best_affine (sform if sform_code != 0, else qform if
  // qform_code != 0, else from pixdim), with codes outside 0..5 treated as 0 as nibabel does.
  const qformCodeRaw =
    version === 1 ? view.getInt16(252, littleEndian) : view.getInt32(344, littleEndian);
  const sformCodeRaw =
    version === 1 ? view.getInt16(254, littleEndian) : view.getInt32(348, littleEndian);
  const qformCode = validCode(qformCodeRaw, 'qform_code', warnings);
  const sformCode = validCode(sformCodeRaw, 'sform_code', warnings);
  let sform: Affine | undefined;
  if (sformCode > 0) {
    const rows: number[] = [];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 4; c++) {
        rows.push(
          version === 1
            ? view.getFloat32(280 + 4 * (4 * r + c), littleEndian)
            : view.getFloat64(400 + 8 * (4 * r + c), littleEndian),
        );
      }
    }
    const candidate = [...rows, 0, 0, 0, 1];
    if (isUsableAffine(candidate)) sform = Object.freeze(candidate);
    else warnings.push('sform is not finite or not invertible; ignored');
  }
  let qform: Affine | undefined;
  if (qformCode > 0) {
    const b = h.quatern_b;
    const c = h.quatern_c;
    const d = h.quatern_d;
    const offsets = [h.qoffset_x, h.qoffset_y, h.qoffset_z];
    const candidate = quaternionAffine(b, c, d, offsets, pixdim[0]!, zooms);
    if (candidate && isUsableAffine(candidate)) qform = Object.freeze(candidate);
    else warnings.push(`qform quaternion (${b}, ${c}, ${d}) is not valid; ignored`);
  }
  let affine: Affine;
  let affineSource: 'sform' | 'qform' | 'pixdim';
  if (sform) {
    affine = sform;
    affineSource = 'sform';
  } else if (qform) {
    affine = qform;
    affineSource = 'qform';
  } else {
    affine = baseAffine([nx, ny, nz], zooms, ndim);
    affineSource = 'pixdim';
  }

  const hasExtensionFlag = bytes.length > headerBytes && bytes[headerBytes] !== 0;
  return {
    version,
    littleEndian,
    headerBytes,
    magic,
    single,
    datatype,
    datatypeName: info.name,
    bytesPerVoxel: info.bytes,
    bitpix,
    dims,
    shape: [nx, ny, nz],
    frames: nt,
    pixdim,
    voxOffset,
    sclSlope,
    sclInter,
    appliedSlope,
    appliedInter,
    calMin: h.cal_min,
    calMax: h.cal_max,
    qformCode: qformCodeRaw,
    sformCode: sformCodeRaw,
    qform,
    sform,
    affine,
    affineSource,
    intentCode,
    intentName: version === 1 ? ascii(bytes, 328, 344) : ascii(bytes, 508, 524),
    intentParams: [h.intent_p1, h.intent_p2, h.intent_p3],
    xyztUnits: h.xyzt_units,
    sliceCode: h.slice_code,
    sliceStart: h.slice_start,
    sliceEnd: h.slice_end,
    sliceDuration: h.slice_duration,
    dimInfo: h.dim_info,
    toffset: h.toffset,
    description: version === 1 ? ascii(bytes, 148, 228) : ascii(bytes, 240, 320),
    auxFile: version === 1 ? ascii(bytes, 228, 252) : ascii(bytes, 320, 344),
    hasExtensionFlag,
    warnings,
  };
}

function validCode(code: number, name: string, warnings: string[]): number {
  if (code >= 0 && code <= 5) return code;
  warnings.push(`${name} ${code} is not a valid code (0..5); treated as 0`);
  return 0;
}

function isUsableAffine(a: readonly number[]): boolean {
  if (!a.every(Number.isFinite)) return false;
  const det =
    a[0]! * (a[5]! * a[10]! - a[6]! * a[9]!) -
    a[1]! * (a[4]! * a[10]! - a[6]! * a[8]!) +
    a[2]! * (a[4]! * a[9]! - a[5]! * a[8]!);
  return Math.abs(det) > 1e-12;
}

/** nibabel's `get_qform`: R(quaternion) * diag(zooms with qfac on z) + offsets. */
function quaternionAffine(
  b: number,
  c: number,
  d: number,
  offsets: number[],
  qfacRaw: number,
  zooms: [number, number, number],
): number[] | undefined {
  if (![b, c, d, ...offsets].every(Number.isFinite)) return undefined;
  // nibabel's fillpositive: w = sqrt(1 - |bcd|^2), tolerating tiny negative rounding.
  let w2 = 1 - (b * b + c * c + d * d);
  if (w2 < 0) {
    if (w2 < -3 * 1.1920929e-7) return undefined;
    w2 = 0;
  }
  const w = Math.sqrt(w2);
  const n = w * w + b * b + c * c + d * d;
  const s = 2 / n;
  const X = b * s;
  const Y = c * s;
  const Z = d * s;
  const wX = w * X;
  const wY = w * Y;
  const wZ = w * Z;
  const xX = b * X;
  const xY = b * Y;
  const xZ = b * Z;
  const yY = c * Y;
  const yZ = c * Z;
  const zZ = d * Z;
  const R = [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
  const qfac = qfacRaw === -1 ? -1 : 1;
  const vox = [zooms[0], zooms[1], zooms[2] * qfac];
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let k = 0; k < 3; k++) out.push(R[r]![k]! * vox[k]!);
    out.push(offsets[r]!);
  }
  out.push(0, 0, 0, 1);
  return out;
}

/** nibabel's `get_base_affine`: x flipped, origin at the image centre. */
function baseAffine(
  shape: [number, number, number],
  zooms: [number, number, number],
  ndim: number,
): Affine {
  const z = [-zooms[0], zooms[1], zooms[2]];
  const s = shape.map((n, i) => (i < ndim ? n : 1));
  const t = s.map((n, i) => (-(n - 1) / 2) * z[i]!);
  return Object.freeze([z[0]!, 0, 0, t[0]!, 0, z[1]!, 0, t[1]!, 0, 0, z[2]!, t[2]!, 0, 0, 0, 1]);
}

/**
 * Reads the header extensions between the header and `end` (vox_offset for a single file, the
 * end of the .hdr for a pair). Each needs esize >= 16 (8 in lenient mode is refused: esize 0
 * loops naive readers forever), must fit before `end`; non-multiples of 16 are warned about.
 */
export function parseExtensions(
  where: string,
  bytes: Uint8Array,
  parsed: ParsedNifti,
  end: number,
  maxElementBytes: number,
): NiftiExtension[] {
  const start = parsed.headerBytes + 4;
  if (!parsed.hasExtensionFlag || end - start < 16) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: NiftiExtension[] = [];
  let at = start;
  while (end - at >= 16) {
    const esize = view.getInt32(at, parsed.littleEndian);
    const ecode = view.getInt32(at + 4, parsed.littleEndian);
    if (esize === 0 && bytes.subarray(at, end).every((b) => b === 0)) {
      parsed.warnings.push(`${end - at} bytes of zero padding after the extensions`);
      break;
    }
    if (esize < 16 || at + esize > end) {
      throw corrupt(
        where,
        `extension at byte ${at}: esize must be >= 16 and end by vox_offset ${end}, got ${esize}`,
      );
    }
    if (esize > maxElementBytes)
      throw limitExceeded(where, 'maxElementBytes', maxElementBytes, esize);
    if (esize % 16 !== 0)
      parsed.warnings.push(`extension at byte ${at}: esize ${esize} is not a multiple of 16`);
    out.push(Object.freeze({ code: ecode, data: bytes.slice(at + 8, at + esize) }));
    at += esize;
  }
  return out;
}
