import { isMriError } from '@duncan-mri/volume';
import { Gunzip, Inflate } from 'fflate';
import { crc32 } from './crc32.js';
import { corrupt, limitExceeded } from './errors.js';

/** True when `bytes` starts with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Thrown internally to stop inflating once a prefix is long enough. */
class EnoughBytes extends Error {}

interface Sink {
  chunks: Uint8Array[];
  total: number;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Chunk size so that one push cannot inflate far past the remaining budget (deflate <= 1032:1). */
function chunkSize(remaining: number): number {
  return Math.min(262_144, Math.max(16_384, Math.floor(remaining / 1032)));
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
  );
}

export interface GunzipOptions {
  /** Most output bytes; more is `LIMIT_EXCEEDED`. */
  readonly maxBytes: number;
  /** Name of the limit reported when `maxBytes` is passed. */
  readonly limitName?: string;
  /** Stop (without CRC check) once this many bytes are out; returns a prefix. */
  readonly prefixBytes?: number;
  /** Collects warnings (trailing zero padding). */
  readonly warnings?: string[];
  /** The error to throw when `maxBytes` is passed (default: a `LIMIT_EXCEEDED` naming `limitName`). */
  readonly onExceeded?: () => Error;
}

/**
 * Inflates a gzip file: every member (`cat a.gz b.gz`, bgzip), each member's CRC-32 and ISIZE
 * checked, a byte budget enforced while inflating (a gzip bomb stops at `maxBytes`), trailing
 * zero padding accepted with a warning, any other trailing bytes refused.
 */
export function gunzip(where: string, bytes: Uint8Array, options: GunzipOptions): Uint8Array {
  if (!isGzip(bytes)) throw corrupt(where, 'not a gzip stream (no 1f 8b magic)');
  if (bytes.length < 18) {
    throw corrupt(where, `gzip stream truncated (${bytes.length} bytes, a member needs >= 18)`);
  }
  if (bytes[2] !== 8) {
    throw corrupt(where, `gzip compression method must be 8 (deflate), got ${bytes[2]}`);
  }
  const { maxBytes, prefixBytes } = options;
  const limitName = options.limitName ?? 'maxInflatedBytes';
  if (prefixBytes === undefined) {
    const fast = gunzipSingleMember(bytes, maxBytes);
    if (fast) return fast;
  }
  const sink: Sink = { chunks: [], total: 0 };
  // Per member: CRC and size of its output, and where it started in the input.
  let memberCrc = 0;
  let memberSize = 0;
  let memberStart = 0;
  const stream = new Gunzip((data) => {
    if (data.length === 0) return;
    sink.total += data.length;
    if (prefixBytes !== undefined) {
      sink.chunks.push(data);
      if (sink.total >= prefixBytes) throw new EnoughBytes();
      if (sink.total > maxBytes) throw limitExceeded(where, limitName, maxBytes, '> that');
      return;
    }
    if (sink.total > maxBytes) {
      throw (
        options.onExceeded?.() ??
        limitExceeded(where, limitName, maxBytes, 'a gzip stream inflating past that')
      );
    }
    sink.chunks.push(data);
    memberCrc = crc32(data, memberCrc);
    memberSize += data.length;
  });
  stream.onmember = (offset: number) => {
    if (prefixBytes !== undefined) return;
    // A member ended just before `offset`; its trailer is the 8 bytes before it.
    checkTrailer(where, bytes, offset - 8, memberCrc, memberSize);
    memberCrc = 0;
    memberSize = 0;
    memberStart = offset;
  };
  try {
    let at = 0;
    while (at < bytes.length) {
      const n = prefixBytes !== undefined ? 1024 : chunkSize(maxBytes - sink.total);
      const end = Math.min(bytes.length, at + n);
      stream.push(bytes.subarray(at, end), end === bytes.length);
      at = end;
    }
  } catch (error) {
    if (error instanceof EnoughBytes) return concat(sink.chunks, sink.total);
    if (isMriError(error)) throw error;
    // fflate fails on whatever follows the last member (zeros, garbage) or on a truncated or
    // corrupt stream. Tell them apart by looking for the current member's trailer.
    const message = error instanceof Error ? error.message : String(error);
    if (prefixBytes !== undefined) {
      throw corrupt(where, `gzip stream truncated or corrupt (${message})`, error);
    }
    const end = findTrailer(bytes, memberStart, memberCrc, memberSize);
    if (end < 0) {
      throw corrupt(
        where,
        message === 'unexpected EOF'
          ? `gzip stream truncated (${bytes.length} bytes, the deflate data ends early)`
          : `gzip stream corrupt (${message})`,
        error,
      );
    }
    finishTail(where, bytes, end, options.warnings);
    return concat(sink.chunks, sink.total);
  }
  if (prefixBytes !== undefined) return concat(sink.chunks, sink.total);
  const end = findTrailer(bytes, memberStart, memberCrc, memberSize);
  if (end < 0) {
    const tail = bytes.length >= 8 ? bytes.length - 8 : 0;
    const storedCrc = readU32(bytes, tail);
    const storedSize = readU32(bytes, tail + 4);
    if (storedSize !== memberSize >>> 0) {
      throw corrupt(
        where,
        `gzip trailer ISIZE must equal the inflated size ${memberSize >>> 0}, got ${storedSize} (truncated or corrupt stream)`,
      );
    }
    throw corrupt(
      where,
      `gzip CRC-32 mismatch: trailer says ${hex(storedCrc)}, data gives ${hex(memberCrc)}`,
    );
  }
  finishTail(where, bytes, end, options.warnings);
  return concat(sink.chunks, sink.total);
}

/**
 * The fast path for the common case, one gzip member ending exactly at the end of the file:
 * inflate straight into a buffer of the trailer's ISIZE, then check the length and CRC-32.
 * Anything unusual (several members, padding, a lying trailer, a stream longer than ISIZE or
 * than `maxBytes`, a corrupt stream) returns undefined and the streaming path, which reports
 * precise errors, takes over. The stream is fed in budget-sized chunks and abandoned as soon as
 * it passes ISIZE, so a bomb behind a small ISIZE costs neither memory nor time here.
 */
function gunzipSingleMember(bytes: Uint8Array, maxBytes: number): Uint8Array | undefined {
  const flags = bytes[3]!;
  if (flags & 0xe0) return undefined;
  let at = 10;
  if (flags & 4) at += 2 + (bytes[at]! | (bytes[at + 1]! << 8));
  for (const bit of [8, 16]) {
    if (flags & bit) {
      while (at < bytes.length && bytes[at] !== 0) at++;
      at++;
    }
  }
  if (flags & 2) at += 2;
  const end = bytes.length - 8;
  if (at >= end) return undefined;
  const crc = readU32(bytes, end);
  const size = readU32(bytes, end + 4);
  if (size > maxBytes) return undefined;
  const out = new Uint8Array(size);
  let written = 0;
  const stream = new Inflate((data) => {
    if (written + data.length > size) throw new EnoughBytes();
    out.set(data, written);
    written += data.length;
  });
  try {
    const body = bytes.subarray(at, end);
    let i = 0;
    do {
      const j = Math.min(body.length, i + chunkSize(size - written));
      stream.push(body.subarray(i, j), j === body.length);
      i = j;
    } while (i < body.length);
  } catch {
    return undefined;
  }
  if (written !== size || crc32(out) !== crc) return undefined;
  return out;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function checkTrailer(where: string, bytes: Uint8Array, at: number, crc: number, size: number) {
  if (at < 0 || at + 8 > bytes.length) throw corrupt(where, 'gzip member trailer missing');
  const storedCrc = readU32(bytes, at);
  const storedSize = readU32(bytes, at + 4);
  if (storedCrc !== crc >>> 0) {
    throw corrupt(
      where,
      `gzip CRC-32 mismatch in the member ending at byte ${at + 8}: trailer says ${hex(storedCrc)}, data gives ${hex(crc)}`,
    );
  }
  if (storedSize !== size >>> 0) {
    throw corrupt(
      where,
      `gzip ISIZE mismatch in the member ending at byte ${at + 8}: trailer says ${storedSize}, data gives ${size >>> 0}`,
    );
  }
}

/** The end (exclusive) of the trailer `crc, size` of the last member, searching backwards; -1 if absent. */
function findTrailer(bytes: Uint8Array, from: number, crc: number, size: number): number {
  const c = crc >>> 0;
  const s = size >>> 0;
  for (let at = bytes.length - 8; at >= from + 10; at--) {
    if (readU32(bytes, at) === c && readU32(bytes, at + 4) === s) return at + 8;
  }
  return -1;
}

function finishTail(where: string, bytes: Uint8Array, end: number, warnings?: string[]) {
  if (end === bytes.length) return;
  for (let i = end; i < bytes.length; i++) {
    if (bytes[i] !== 0) {
      throw corrupt(
        where,
        `${bytes.length - end} bytes of trailing data after the last gzip member (at byte ${end}) that are neither a gzip member nor zero padding`,
      );
    }
  }
  warnings?.push(`${bytes.length - end} bytes of zero padding after the gzip stream ignored`);
}

/**
 * Inflates a raw deflate stream (DICOM Deflated Explicit VR Little Endian) with a byte budget.
 */
export function inflateRaw(
  where: string,
  bytes: Uint8Array,
  maxBytes: number,
  limitName = 'maxInflatedBytes',
): Uint8Array {
  const sink: Sink = { chunks: [], total: 0 };
  const stream = new Inflate((data) => {
    if (data.length === 0) return;
    sink.total += data.length;
    if (sink.total > maxBytes) {
      throw limitExceeded(where, limitName, maxBytes, 'a deflate stream inflating past that');
    }
    sink.chunks.push(data);
  });
  try {
    let at = 0;
    if (bytes.length === 0) throw corrupt(where, 'deflated dataset is empty');
    while (at < bytes.length) {
      const end = Math.min(bytes.length, at + chunkSize(maxBytes - sink.total));
      stream.push(bytes.subarray(at, end), end === bytes.length);
      at = end;
    }
  } catch (error) {
    if (isMriError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw corrupt(where, `deflated dataset truncated or corrupt (${message})`, error);
  }
  return concat(sink.chunks, sink.total);
}
