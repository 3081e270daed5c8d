import { HOST_LITTLE_ENDIAN } from './nifti-types.js';
import { scaledOverflow } from './scaling.js';

/**
 * Converts `count` stored voxels starting at `offset` to float32, byte-swapping when the file's
 * order differs from the host's and applying `value * slope + inter` in float64 (as nibabel's
 * get_fdata), rounded once to float32. The caller has checked that the bytes are there.
 * A finite stored value that the scaling carries past float32's range is `CORRUPT_FILE` (see
 * {@link scaledOverflow}).
 */
export function convertVoxels(
  where: string,
  bytes: Uint8Array,
  offset: number,
  count: number,
  datatype: string,
  bytesPerVoxel: number,
  littleEndian: boolean,
  slope: number,
  inter: number,
): Float32Array {
  const length = count * bytesPerVoxel;
  let raw = bytes.subarray(offset, offset + length);
  const swap = bytesPerVoxel > 1 && littleEndian !== HOST_LITTLE_ENDIAN;
  if (swap || raw.byteOffset % bytesPerVoxel !== 0) {
    raw = raw.slice();
    if (swap) swapInPlace(raw, bytesPerVoxel);
  }
  const buffer = raw.buffer;
  const at = raw.byteOffset;
  let source: ArrayLike<number> | BigInt64Array | BigUint64Array;
  switch (datatype) {
    case 'uint8':
      source = new Uint8Array(buffer, at, count);
      break;
    case 'int8':
      source = new Int8Array(buffer, at, count);
      break;
    case 'int16':
      source = new Int16Array(buffer, at, count);
      break;
    case 'uint16':
      source = new Uint16Array(buffer, at, count);
      break;
    case 'int32':
      source = new Int32Array(buffer, at, count);
      break;
    case 'uint32':
      source = new Uint32Array(buffer, at, count);
      break;
    case 'float32':
      source = new Float32Array(buffer, at, count);
      break;
    case 'float64':
      source = new Float64Array(buffer, at, count);
      break;
    case 'int64':
      source = new BigInt64Array(buffer, at, count);
      break;
    case 'uint64':
      source = new BigUint64Array(buffer, at, count);
      break;
    default:
      throw new Error(`internal: no converter for ${datatype}`);
  }
  const out = new Float32Array(count);
  const names = ['scl_slope', 'scl_inter'] as const;
  if (source instanceof BigInt64Array || source instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) {
      const v = Number(source[i]!);
      out[i] = v * slope + inter;
      const r = out[i]!;
      if (r === Number.POSITIVE_INFINITY || r === Number.NEGATIVE_INFINITY)
        throw scaledOverflow(where, names, slope, inter, v, `voxel ${i}`);
    }
    return out;
  }
  if (slope === 1 && inter === 0) {
    out.set(source as ArrayLike<number>);
    return out;
  }
  const s = source as ArrayLike<number>;
  for (let i = 0; i < count; i++) {
    const v = s[i]!;
    out[i] = v * slope + inter;
    const r = out[i]!;
    // Infinite from a finite stored value: the scaling overflowed (stored Inf/NaN pass as they are).
    if ((r === Number.POSITIVE_INFINITY || r === Number.NEGATIVE_INFINITY) && Number.isFinite(v))
      throw scaledOverflow(where, names, slope, inter, v, `voxel ${i}`);
  }
  return out;
}

/** Reverses the byte order of every `size`-byte word of `bytes` in place. */
export function swapInPlace(bytes: Uint8Array, size: number): void {
  if (size === 2) {
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      const a = bytes[i]!;
      bytes[i] = bytes[i + 1]!;
      bytes[i + 1] = a;
    }
  } else if (size === 4) {
    for (let i = 0; i + 3 < bytes.length; i += 4) {
      const a = bytes[i]!;
      const b = bytes[i + 1]!;
      bytes[i] = bytes[i + 3]!;
      bytes[i + 1] = bytes[i + 2]!;
      bytes[i + 2] = b;
      bytes[i + 3] = a;
    }
  } else if (size === 8) {
    for (let i = 0; i + 7 < bytes.length; i += 8) {
      for (let k = 0; k < 4; k++) {
        const a = bytes[i + k]!;
        bytes[i + k] = bytes[i + 7 - k]!;
        bytes[i + 7 - k] = a;
      }
    }
  }
}
