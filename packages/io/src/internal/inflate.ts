import { isMriError } from '@duncan-mri/volume';
import { Gunzip, Inflate, inflateSync } from 'fflate';
import { crc32 } from './crc32.js';
import { corrupt, limitExceeded } from './errors.js';

/** True when `bytes` starts with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Thrown internally to stop inflating once a prefix is long enough. */
class EnoughBytes extends Error {}

/**
 * Called with the size of every output buffer the inflaters allocate and the bytes of output
 * buffer they hold at that moment (the old and the new one while a buffer grows). For tests,
 * which check that the peak stays within the byte budget; undefined otherwise.
 */
let allocationProbe: ((bytes: number, held: number) => void) | undefined;

/** Sets (or, with undefined, clears) the {@link allocationProbe}. Internal, for tests. */
export function setAllocationProbe(probe: ((bytes: number, held: number) => void) | undefined) {
  allocationProbe = probe;
}

function allocate(bytes: number, held = bytes): Uint8Array {
  allocationProbe?.(bytes, held);
  return new Uint8Array(bytes);
}

/**
 * The streaming inflaters' output: one buffer that doubles as data arrive, as long as the old
 * and the new buffer together (the peak while copying) stay within `budget`. Past that it drops
 * the buffer and only counts, and the caller inflates a second time into a buffer of exactly
 * the counted size ({@link inflateAgain}). Either way the output buffers held at once never
 * pass max(budget, output): a list of chunks joined at the end would cost twice the output.
 */
class Output {
  private buffer: Uint8Array | undefined;
  total = 0;

  constructor(
    private readonly budget: number,
    expected: number,
  ) {
    this.buffer = allocate(Math.max(1, Math.min(budget, expected)));
  }

  /** The output, or undefined when it outgrew the buffer and must be inflated again. */
  get bytes(): Uint8Array | undefined {
    return this.buffer?.subarray(0, this.total);
  }

  push(data: Uint8Array): void {
    const end = this.total + data.length;
    if (this.buffer && end > this.buffer.length) this.grow(end);
    this.buffer?.set(data, this.total);
    this.total = end;
  }

  private grow(needed: number): void {
    const old = this.buffer!;
    const capacity = Math.max(needed, Math.min(2 * old.length, this.budget));
    if (old.length + capacity > this.budget) {
      this.buffer = undefined;
      return;
    }
    const next = allocate(capacity, old.length + capacity);
    next.set(old.subarray(0, this.total));
    this.buffer = next;
  }
}

/**
 * The largest buffer the streaming inflaters grow by doubling when the output size is not known
 * in advance (DICOM's deflated datasets). Past it they only count, and inflate a second time into
 * a buffer of exactly the counted size: doubling to a large output would hold up to three times
 * the output at once (the old and the new buffer while copying, a bomb's ~1000:1 output included).
 */
export const GROWTH_LIMIT = 32 << 20;

/** A first guess at the output size: deflate rarely does better than 4:1 on image data. */
function expectedSize(input: Uint8Array): number {
  return Math.max(65_536, 4 * input.length);
}

/**
 * A stream's output into a buffer of exactly `size` bytes, filled in order; a chunk that would
 * pass its end throws {@link EnoughBytes}, so an inflater stops as soon as it overshoots.
 */
class ExactSink {
  readonly out: Uint8Array;
  written = 0;
  constructor(readonly size: number) {
    this.out = allocate(size);
  }
  readonly push = (data: Uint8Array): void => {
    if (this.written + data.length > this.size) throw new EnoughBytes();
    this.out.set(data, this.written);
    this.written += data.length;
  };
}

/**
 * Inflates `bytes` a second time into a buffer of exactly `total` bytes, the size the first
 * pass counted (and checked: budget, CRC-32, ISIZE, what follows the stream). Whatever the
 * stream throws after those bytes is what the first pass already judged.
 */
function inflateAgain(
  where: string,
  bytes: Uint8Array,
  total: number,
  Stream: typeof Gunzip | typeof Inflate,
): Uint8Array {
  const sink = new ExactSink(total);
  const stream = new Stream(sink.push);
  try {
    let at = 0;
    while (at < bytes.length && sink.written < total) {
      const end = Math.min(bytes.length, at + 65_536);
      stream.push(bytes.subarray(at, end), end === bytes.length);
      at = end;
    }
  } catch {
    // Trailing padding or garbage after the last member: the first pass accepted or refused it.
  }
  if (sink.written !== total) {
    throw corrupt(
      where,
      `inflating again must give the ${total} bytes of the first pass, got ${sink.written}`,
    );
  }
  return sink.out;
}

/**
 * Input bytes per push. Deflate inflates up to 1032:1, and fflate grows the output of one push by
 * doubling, so 16 KiB of input give at most ~17 MB out at once (a bomb's whole payload could
 * otherwise come out of one push), and one push cannot inflate far past the remaining budget.
 */
function chunkSize(remaining: number): number {
  return Math.min(16_384, Math.max(1024, Math.floor(remaining / 1032)));
}

/**
 * Pushes `bytes` into `stream` in pieces of {@link chunkSize} for the output budget that
 * `remaining()` gives before each push, the last piece marked final.
 */
function pushInChunks(stream: Gunzip | Inflate, bytes: Uint8Array, remaining: () => number): void {
  let at = 0;
  while (at < bytes.length) {
    const end = Math.min(bytes.length, at + chunkSize(remaining()));
    stream.push(bytes.subarray(at, end), end === bytes.length);
    at = end;
  }
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
  /** The output size the caller expects (a NIfTI header's), the first size of the output buffer. */
  readonly expectedBytes?: number;
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
  if (prefixBytes !== undefined)
    return gunzipPrefix(where, bytes, prefixBytes, maxBytes, limitName);
  // Never more up front than the input can inflate to (deflate's best ratio is 1032:1), so a
  // small file whose header declares a huge size allocates only as its data arrive.
  const first = Math.min(options.expectedBytes ?? expectedSize(bytes), 1032 * bytes.length);
  const out = new Output(maxBytes, first);
  // Per member: CRC and size of its output, and where it started in the input.
  let memberCrc = 0;
  let memberSize = 0;
  let memberStart = 0;
  const stream = new Gunzip((data) => {
    if (data.length === 0) return;
    if (out.total + data.length > maxBytes) {
      throw (
        options.onExceeded?.() ??
        limitExceeded(where, limitName, maxBytes, 'a gzip stream inflating past that')
      );
    }
    out.push(data);
    memberCrc = crc32(data, memberCrc);
    memberSize += data.length;
  });
  stream.onmember = (offset: number) => {
    // A member ended just before `offset`; its trailer is the 8 bytes before it.
    checkTrailer(where, bytes, offset - 8, memberCrc, memberSize);
    memberCrc = 0;
    memberSize = 0;
    memberStart = offset;
  };
  const result = () => out.bytes ?? inflateAgain(where, bytes, out.total, Gunzip);
  try {
    pushInChunks(stream, bytes, () => maxBytes - out.total);
  } catch (error) {
    if (isMriError(error)) throw error;
    // fflate fails on whatever follows the last member (zeros, garbage) or on a truncated or
    // corrupt stream. Tell them apart by looking for the current member's trailer.
    const message = error instanceof Error ? error.message : String(error);
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
    return result();
  }
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
  return result();
}

/** The first `prefixBytes` (or more) inflated bytes, without CRC check: a header peek. */
function gunzipPrefix(
  where: string,
  bytes: Uint8Array,
  prefixBytes: number,
  maxBytes: number,
  limitName: string,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Gunzip((data) => {
    if (data.length === 0) return;
    total += data.length;
    chunks.push(data);
    if (total >= prefixBytes) throw new EnoughBytes();
    if (total > maxBytes) throw limitExceeded(where, limitName, maxBytes, '> that');
  });
  try {
    let at = 0;
    while (at < bytes.length) {
      const end = Math.min(bytes.length, at + 1024);
      stream.push(bytes.subarray(at, end), end === bytes.length);
      at = end;
    }
  } catch (error) {
    if (isMriError(error)) throw error;
    if (!(error instanceof EnoughBytes)) {
      const message = error instanceof Error ? error.message : String(error);
      throw corrupt(where, `gzip stream truncated or corrupt (${message})`, error);
    }
  }
  // Small (a header and one inflated chunk): joined without the budget bookkeeping.
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
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
  const sink = new ExactSink(size);
  const stream = new Inflate(sink.push);
  try {
    const body = bytes.subarray(at, end);
    let i = 0;
    do {
      const j = Math.min(body.length, i + chunkSize(size - sink.written));
      stream.push(body.subarray(i, j), j === body.length);
      i = j;
    } while (i < body.length);
  } catch {
    return undefined;
  }
  if (sink.written !== size || crc32(sink.out) !== crc) return undefined;
  return sink.out;
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
  const out = new Output(Math.min(maxBytes, GROWTH_LIMIT), expectedSize(bytes));
  const stream = new Inflate((data) => {
    if (data.length === 0) return;
    if (out.total + data.length > maxBytes) {
      throw limitExceeded(where, limitName, maxBytes, 'a deflate stream inflating past that');
    }
    out.push(data);
  });
  try {
    if (bytes.length === 0) throw corrupt(where, 'deflated dataset is empty');
    pushInChunks(stream, bytes, () => maxBytes - out.total);
  } catch (error) {
    if (isMriError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw corrupt(where, `deflated dataset truncated or corrupt (${message})`, error);
  }
  const counted = out.bytes;
  if (counted !== undefined) return counted;
  // The first pass counted the exact size: inflate again in one call straight into a buffer of
  // that size (no per-push copies to collect, as the streaming second pass would make).
  const exact = allocate(out.total);
  let again: Uint8Array;
  try {
    again = inflateSync(bytes, { out: exact });
  } catch (error) {
    throw corrupt(where, 'inflating again failed where the first pass did not', error);
  }
  if (again.buffer !== exact.buffer || again.length !== out.total) {
    throw corrupt(
      where,
      `inflating again must give the ${out.total} bytes of the first pass, got ${again.length}`,
    );
  }
  return exact;
}
