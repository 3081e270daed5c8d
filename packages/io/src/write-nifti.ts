import { assertVolume, describeValue, invalidArgument, type Volume } from '@duncan-mri/volume';
import { gzipSync } from 'fflate';
import { assertOptions } from './internal/errors.js';
import { datatypeCodeOf, datatypeInfo, type NiftiDatatypeName } from './internal/nifti-types.js';
import { qformFromAffine } from './internal/qform.js';
import type { NiftiHeader } from './nifti-header.js';

/**
 * The datatypes {@link writeNifti} can store.
 * @useDeclaredType
 */
export type NiftiWriteDatatype = Exclude<NiftiDatatypeName, 'int64' | 'uint64'>;

/** Options of {@link writeNifti}. */
export interface WriteNiftiOptions {
  /**
   * A header from {@link readNifti} whose description, intent, xyzt units, TR (pixdim[4..7]),
   * toffset, extensions and qform/sform code carry over to the new file.
   */
  readonly header?: NiftiHeader;
  /**
   * The stored datatype (default `'float32'`). Integer types get `scl_slope`/`scl_inter`
   * computed so that the values fit (slope 1, intercept 0 when they are integers in range).
   */
  readonly datatype?: NiftiWriteDatatype;
  /** Gzip the file (`.nii.gz`), default false. */
  readonly gzip?: boolean;
  /** qform_code = sform_code to write when `header` has none (default 2, aligned anatomical; use 1 for scanner coordinates). */
  readonly xformCode?: 1 | 2 | 3 | 4 | 5;
}

const WHERE = 'writeNifti';

const RANGES: Record<string, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/**
 * Writes a {@link @duncan-mri/volume!Volume | Volume} as a single-file NIfTI-1 (`n+1`, little-endian), optionally gzipped.
 * The qform and sform both encode the volume's affine (same code; the qform is the nearest
 * rotation when the affine has shear), `vox_offset` is 352 or just after the preserved
 * extensions. nibabel reads the result back to the same data and affine.
 *
 * @example
 * ```ts
 * const { volume, header } = readNifti(bytes);
 * const out = writeNifti(corrected, { header, gzip: true });
 * const as16 = writeNifti(volume, { datatype: 'int16' }); // scl_slope/inter computed
 * ```
 */
export function writeNifti(volume: Volume, options?: WriteNiftiOptions): Uint8Array {
  assertVolume(volume, WHERE, 'volume');
  const opts = assertOptions<WriteNiftiOptions>(WHERE, options);
  const datatypeName = (opts.datatype ?? 'float32') as NiftiWriteDatatype;
  const asText: string = datatypeName;
  const datatype = datatypeCodeOf(datatypeName);
  if (datatype === undefined || asText === 'int64' || asText === 'uint64') {
    invalidArgument(
      WHERE,
      'datatype',
      'must be one of uint8, int8, int16, uint16, int32, uint32, float32, float64',
      opts.datatype,
    );
  }
  const header = opts.header;
  if (header !== undefined && (typeof header !== 'object' || header === null)) {
    invalidArgument(WHERE, 'header', 'must be a NiftiHeader', header);
  }
  if (opts.xformCode !== undefined && ![1, 2, 3, 4, 5].includes(opts.xformCode)) {
    invalidArgument(WHERE, 'xformCode', 'must be 1..5', opts.xformCode);
  }
  if (header !== undefined) validateHeader(header);
  const [nx, ny, nz] = volume.shape;
  if (nx > 32767 || ny > 32767 || nz > 32767) {
    invalidArgument(
      WHERE,
      'volume.shape',
      'must be at most 32767 along each axis (NIfTI-1 stores dims as int16)',
      undefined,
      { got: `[${volume.shape.join(', ')}]`, argument: 'volume' },
    );
  }
  const bytesPerVoxel = datatypeInfo(datatype)!.bytes;
  const extensions = header?.extensions ?? [];
  let extBytes = 0;
  for (const e of extensions) extBytes += Math.ceil((e.data.length + 8) / 16) * 16;
  const voxOffset = 352 + extBytes;
  if (Math.fround(voxOffset) !== voxOffset) {
    invalidArgument(
      WHERE,
      'header.extensions',
      'must fit a vox_offset that float32 holds exactly (at most 2^24 bytes)',
      undefined,
      { got: `${extBytes} bytes`, argument: 'header' },
    );
  }
  const count = nx * ny * nz;
  const out = new Uint8Array(voxOffset + count * bytesPerVoxel);
  const view = new DataView(out.buffer);
  const le = true;
  const { slope, inter } = writeVoxels(view, voxOffset, volume.data, datatypeName);

  view.setInt32(0, 348, le);
  out[39] = header?.dimInfo ?? 0;
  const dims = [3, nx, ny, nz, 1, 1, 1, 1];
  dims.forEach((d, i) => {
    view.setInt16(40 + 2 * i, d, le);
  });
  const intent = header?.intentParams ?? [0, 0, 0];
  intent.forEach((p, i) => {
    view.setFloat32(56 + 4 * i, p, le);
  });
  view.setInt16(68, header?.intentCode ?? 0, le);
  view.setInt16(70, datatype, le);
  view.setInt16(72, bytesPerVoxel * 8, le);
  const q = qformFromAffine(volume.affine);
  const pixdim = [
    q.qfac,
    q.zooms[0],
    q.zooms[1],
    q.zooms[2],
    ...(header?.pixdim.slice(4, 8) ?? [0, 0, 0, 0]),
  ];
  while (pixdim.length < 8) pixdim.push(0);
  pixdim.forEach((p, i) => {
    view.setFloat32(76 + 4 * i, Number.isFinite(p) ? p : 0, le);
  });
  view.setFloat32(108, voxOffset, le);
  view.setFloat32(112, slope, le);
  view.setFloat32(116, inter, le);
  out[123] = header?.xyztUnits ?? 10; // mm and seconds
  view.setFloat32(136, header?.toffset ?? 0, le);
  writeAscii(out, 148, 80, header?.description ?? 'duncan-mri');
  const code = pickCode(header, opts.xformCode);
  view.setInt16(252, code, le);
  view.setInt16(254, code, le);
  view.setFloat32(256, q.b, le);
  view.setFloat32(260, q.c, le);
  view.setFloat32(264, q.d, le);
  q.offsets.forEach((o, i) => {
    view.setFloat32(268 + 4 * i, o, le);
  });
  for (let i = 0; i < 12; i++) view.setFloat32(280 + 4 * i, volume.affine[i]!, le);
  writeAscii(out, 328, 16, header?.intentName ?? '');
  writeAscii(out, 344, 4, 'n+1');
  out[348] = extensions.length > 0 ? 1 : 0;
  let at = 352;
  for (const e of extensions) {
    const esize = Math.ceil((e.data.length + 8) / 16) * 16;
    view.setInt32(at, esize, le);
    view.setInt32(at + 4, e.code, le);
    out.set(e.data, at + 8);
    at += esize;
  }
  return opts.gzip ? gzipSync(out, { level: 6, mtime: 0 }) : out;
}

function pickCode(header: NiftiHeader | undefined, fallback: number | undefined): number {
  if (header) {
    if (header.sformCode >= 1 && header.sformCode <= 5) return header.sformCode;
    if (header.qformCode >= 1 && header.qformCode <= 5) return header.qformCode;
  }
  return fallback ?? 2;
}

function writeAscii(out: Uint8Array, at: number, size: number, text: string): void {
  for (let i = 0; i < Math.min(text.length, size - 1); i++) {
    const c = text.charCodeAt(i);
    out[at + i] = c < 128 ? c : 63;
  }
}

function writeVoxels(
  view: DataView,
  at: number,
  data: Float32Array,
  name: NiftiWriteDatatype,
): { slope: number; inter: number } {
  const le = true;
  if (name === 'float32') {
    new Uint8Array(view.buffer, at, data.length * 4).set(
      new Uint8Array(data.buffer, data.byteOffset, data.length * 4),
    );
    return { slope: 1, inter: 0 };
  }
  if (name === 'float64') {
    for (let i = 0; i < data.length; i++) view.setFloat64(at + 8 * i, data[i]!, le);
    return { slope: 1, inter: 0 };
  }
  const [tmin, tmax] = RANGES[name]!;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      invalidArgument(WHERE, 'volume.data', `must be finite to store as ${name}`, undefined, {
        got: `${v} at index ${i}`,
        argument: 'volume',
      });
    }
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  let slope = 1;
  let inter = 0;
  if (!(integral && min >= tmin && max <= tmax)) {
    slope = max > min ? Math.fround((max - min) / (tmax - tmin)) : 1;
    inter = Math.fround(min - tmin * slope);
  }
  const setter = {
    uint8: (o: number, v: number) => view.setUint8(o, v),
    int8: (o: number, v: number) => view.setInt8(o, v),
    int16: (o: number, v: number) => view.setInt16(o, v, le),
    uint16: (o: number, v: number) => view.setUint16(o, v, le),
    int32: (o: number, v: number) => view.setInt32(o, v, le),
    uint32: (o: number, v: number) => view.setUint32(o, v, le),
  }[name as 'uint8'];
  const size = datatypeInfo(datatypeCodeOf(name)!)!.bytes;
  for (let i = 0; i < data.length; i++) {
    const raw = Math.min(tmax, Math.max(tmin, Math.round((data[i]! - inter) / slope)));
    setter(at + size * i, raw);
  }
  return { slope, inter };
}

/**
 * Checks the fields of `header` that are written, so that a hand-made or partial header ends in
 * an `INVALID_ARGUMENT` naming the field rather than a TypeError or a silently wrong file.
 */
function validateHeader(header: NiftiHeader): void {
  const fail = (field: string, rule: string, value: unknown): never => {
    invalidArgument(WHERE, `header.${field}`, `must be ${rule}`, undefined, {
      got: `${describeValue(value)} (pass the header of readNifti)`,
      argument: 'header',
    });
  };
  const int = (field: keyof NiftiHeader, min: number, max: number) => {
    const v = header[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      fail(field, `an integer in [${min}, ${max}]`, v);
  };
  const numbers = (field: keyof NiftiHeader, n: number) => {
    const v = header[field] as unknown;
    if (!Array.isArray(v) || v.length < n || !v.slice(0, n).every((x) => typeof x === 'number'))
      fail(field, `an array of ${n} numbers`, v);
  };
  const string = (field: keyof NiftiHeader) => {
    if (typeof header[field] !== 'string') fail(field, 'a string', header[field]);
  };
  int('dimInfo', 0, 255);
  int('intentCode', -32768, 32767);
  int('xyztUnits', 0, 255);
  for (const field of ['sformCode', 'qformCode'] as const)
    if (typeof header[field] !== 'number') fail(field, 'a number', header[field]);
  numbers('intentParams', 3);
  numbers('pixdim', 8);
  string('description');
  string('intentName');
  if (typeof header.toffset !== 'number') fail('toffset', 'a number', header.toffset);
  if (!Array.isArray(header.extensions)) fail('extensions', 'an array', header.extensions);
  header.extensions.forEach((e, i) => {
    if (
      typeof e !== 'object' ||
      e === null ||
      !(e.data instanceof Uint8Array) ||
      !Number.isInteger(e.code) ||
      Math.abs(e.code) >= 2 ** 31
    )
      fail(`extensions[${i}]`, 'a { code: int32, data: Uint8Array }', e);
  });
}
