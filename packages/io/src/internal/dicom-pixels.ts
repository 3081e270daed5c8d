// The pixel data of a DICOM file: native (uncompressed, possibly deflated) or encapsulated
// frames decoded by the codecs, as stored values of every frame, bounded by the read limits.
import {
  codestreamSize,
  type DecodedFrame,
  decodeJpeg2000,
  decodeJpegBaseline,
  decodeJpegLossless,
  decodeJpegLs,
  decodeRle,
  unsupportedSyntax,
} from './codecs.js';
import { TRANSFER_SYNTAX } from './dicom-dictionary.js';
import type { DicomElement, Fragment, ParsedDicom } from './dicom-parse.js';
import { corrupt, unsupported } from './errors.js';
import { HOST_LITTLE_ENDIAN } from './nifti-types.js';

const NATIVE = new Set<string>([
  TRANSFER_SYNTAX.implicitLittle,
  TRANSFER_SYNTAX.explicitLittle,
  TRANSFER_SYNTAX.explicitBig,
  TRANSFER_SYNTAX.deflated,
]);

/** What {@link decodePixels} needs to know of the image besides its bytes. */
export interface PixelSpec {
  rows: number;
  columns: number;
  frames: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  ts: string;
  warnings: string[];
}

/** What {@link decodePixels} holds stored values in: 4 bytes a voxel whatever BitsAllocated is. */
export type StoredValues = Float32Array | Int32Array | Uint32Array;

/**
 * Stored values of all frames (masked to BitsStored, sign-extended), exact and 4 bytes a voxel:
 * float32 for 8- and 16-bit data, int32 / uint32 for 32-bit data (which float32 cannot hold
 * exactly; float64 would double the memory a volume at `maxVoxels` costs).
 */
export async function decodePixels(
  where: string,
  parsed: ParsedDicom,
  pixel: DicomElement,
  spec: PixelSpec,
): Promise<StoredValues> {
  const { rows, columns, frames, bitsAllocated, ts } = spec;
  const bytesPerSample = bitsAllocated / 8;
  const pixels = rows * columns;
  // Allocated only once the pixel data is known to be there (a tiny file may declare 2^28 voxels).
  const allocate = (): StoredValues =>
    bitsAllocated !== 32
      ? new Float32Array(pixels * frames)
      : spec.signed
        ? new Int32Array(pixels * frames)
        : new Uint32Array(pixels * frames);
  const bytes = parsed.dataset.bytes;
  if (!pixel.fragments) {
    if (!NATIVE.has(ts)) {
      if (Object.values(TRANSFER_SYNTAX).includes(ts as never)) {
        throw corrupt(
          where,
          `transfer syntax ${ts} needs encapsulated pixel data, got a defined-length PixelData`,
        );
      }
      throw unsupported(where, `unsupported transfer syntax ${ts}`);
    }
    const expected = pixels * frames * bytesPerSample;
    if (pixel.length < expected) {
      throw corrupt(
        where,
        `PixelData truncated: ${pixel.length} bytes, Rows x Columns x NumberOfFrames x BitsAllocated/8 = ${rows} x ${columns} x ${frames} x ${bytesPerSample} = ${expected}`,
      );
    }
    if (pixel.length > expected + 1)
      spec.warnings.push(
        `PixelData has ${pixel.length - expected} bytes more than the image needs; ignored`,
      );
    const le = parsed.dataset.littleEndian;
    const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.offset, expected);
    const out = allocate();
    readSamples(view, out, 0, pixels * frames, bytesPerSample, le, spec);
    return out;
  }
  const [bot, ...fragments] = pixel.fragments;
  const frameData = splitFrames(where, bytes, bot!, fragments, frames, ts);
  const out = allocate();
  for (let f = 0; f < frames; f++) {
    const data = frameData[f]!;
    let decoded: DecodedFrame | Uint8Array;
    switch (ts) {
      case TRANSFER_SYNTAX.rle:
        decoded = decodeRle(where, data, f, pixels, bytesPerSample, 1);
        break;
      case TRANSFER_SYNTAX.jpegLsLossless:
      case TRANSFER_SYNTAX.jpegLsNearLossless:
        checkSize(where, data, f, spec, 'jpeg');
        decoded = await decodeJpegLs(where, data);
        break;
      case TRANSFER_SYNTAX.jpeg2000Lossless:
      case TRANSFER_SYNTAX.jpeg2000:
        checkSize(where, data, f, spec, 'j2k');
        decoded = await decodeJpeg2000(where, data);
        break;
      case TRANSFER_SYNTAX.jpegLossless:
      case TRANSFER_SYNTAX.jpegLosslessSv1:
        checkSize(where, data, f, spec, 'jpeg');
        decoded = await decodeJpegLossless(where, data, bytesPerSample);
        break;
      case TRANSFER_SYNTAX.jpegBaseline:
        if (bitsAllocated !== 8)
          throw corrupt(where, `JPEG baseline is 8-bit, got BitsAllocated ${bitsAllocated}`);
        checkSize(where, data, f, spec, 'jpeg');
        decoded = await decodeJpegBaseline(where, data);
        break;
      case TRANSFER_SYNTAX.jpegExtended:
        unsupportedSyntax(where, ts, '12-bit JPEG extended has no decoder here');
        break;
      default:
        throw unsupported(where, `unsupported transfer syntax ${ts}`);
    }
    let sampleBytes: Uint8Array;
    let size = bytesPerSample;
    if (decoded instanceof Uint8Array) sampleBytes = decoded;
    else {
      if (decoded.width !== columns || decoded.height !== rows || decoded.components !== 1) {
        throw corrupt(
          where,
          `frame ${f}: the codestream holds ${decoded.width}x${decoded.height}x${decoded.components}, the header says ${columns}x${rows}x1`,
        );
      }
      size = decoded.bitsPerSample > 8 ? 2 : 1;
      sampleBytes = decoded.bytes;
    }
    if (sampleBytes.length < pixels * size) {
      throw corrupt(
        where,
        `frame ${f}: decoded ${sampleBytes.length} bytes, expected ${pixels * size}`,
      );
    }
    const view = new DataView(sampleBytes.buffer, sampleBytes.byteOffset, pixels * size);
    readSamples(view, out, f * pixels, pixels, size, true, spec);
  }
  return out;
}

function checkSize(
  where: string,
  data: Uint8Array,
  frame: number,
  spec: PixelSpec,
  kind: 'jpeg' | 'j2k',
): void {
  const info = codestreamSize(where, data, frame, kind);
  const { width, height, components, precision } = info;
  if (width !== spec.columns || height !== spec.rows) {
    throw corrupt(
      where,
      `frame ${frame}: the codestream declares ${width}x${height}, the header says ${spec.columns}x${spec.rows}; refusing to decode`,
    );
  }
  if (components !== 1) {
    throw corrupt(
      where,
      `frame ${frame}: the codestream declares ${components} components, a greyscale image has 1; refusing to decode`,
    );
  }
  // The codecs hand back 1 or 2 bytes a sample, and the samples must fit BitsAllocated.
  if (precision > 16) {
    throw unsupported(
      where,
      `frame ${frame}: codestream precision must be at most 16 bits, got ${precision}`,
    );
  }
  if (precision > spec.bitsAllocated) {
    throw corrupt(
      where,
      `frame ${frame}: codestream precision must be at most BitsAllocated (${spec.bitsAllocated}), got ${precision} bits; refusing to decode`,
    );
  }
  if (info.tiles !== undefined && info.tiles > MAX_J2K_TILES) {
    throw unsupported(
      where,
      `frame ${frame}: JPEG 2000 tile count must be at most ${MAX_J2K_TILES}, got ${info.tiles}; refusing to decode`,
    );
  }
  if (info.subsampling && (info.subsampling[0] !== 1 || info.subsampling[1] !== 1)) {
    throw corrupt(
      where,
      `frame ${frame}: JPEG 2000 component subsampling must be 1x1 for a greyscale image, got ${info.subsampling[0]}x${info.subsampling[1]}; refusing to decode`,
    );
  }
  if (spec.ts === TRANSFER_SYNTAX.jpegBaseline) {
    // Process 1 is sequential; a progressive (SOF2) stream of thousands of scans could keep
    // libjpeg-turbo busy for minutes on a few kilobytes.
    if (info.sof !== 0xc0 && info.sof !== 0xc1) {
      throw unsupported(
        where,
        `frame ${frame}: JPEG baseline frame header must be SOF0 or SOF1 (sequential), got SOF${(info.sof ?? 0) - 0xc0}; refusing to decode`,
      );
    }
    if (info.scans !== undefined && info.scans > MAX_JPEG_SCANS) {
      throw unsupported(
        where,
        `frame ${frame}: JPEG baseline scan count must be at most ${MAX_JPEG_SCANS}, got ${info.scans} SOS markers; refusing to decode`,
      );
    }
  }
}

/** Most tiles a JPEG 2000 frame may have (each costs the decoder setup work and memory). */
const MAX_J2K_TILES = 4096;
/** Most scans (SOS markers) a JPEG baseline frame may have (a greyscale image needs one). */
const MAX_JPEG_SCANS = 64;

function readSamples(
  view: DataView,
  out: StoredValues,
  at: number,
  count: number,
  size: number,
  le: boolean,
  spec: PixelSpec,
): void {
  const bits = Math.min(spec.bitsStored, size * 8);
  const full = bits === size * 8;
  // Fast path: whole-word samples in the host's byte order, read through a typed array.
  if (full && (size === 1 || le === HOST_LITTLE_ENDIAN)) {
    const offset = view.byteOffset;
    const aligned = offset % size === 0;
    const buffer = (
      aligned ? view.buffer : new Uint8Array(view.buffer, offset, count * size).slice().buffer
    ) as ArrayBuffer;
    const start = aligned ? offset : 0;
    const Typed =
      size === 1
        ? spec.signed
          ? Int8Array
          : Uint8Array
        : size === 2
          ? spec.signed
            ? Int16Array
            : Uint16Array
          : spec.signed
            ? Int32Array
            : Uint32Array;
    out.set(new Typed(buffer, start, count), at);
    return;
  }
  const mask = full ? 0 : 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  for (let i = 0; i < count; i++) {
    let v: number;
    if (size === 1) v = view.getUint8(i);
    else if (size === 2) v = view.getUint16(2 * i, le);
    else v = view.getUint32(4 * i, le);
    if (!full) v = v % (mask + 1);
    if (spec.signed && v >= signBit) v -= 2 * signBit;
    out[at + i] = v;
  }
}

/** Splits encapsulated fragments into frames: BOT offsets, else one per fragment, else all in one. */
function splitFrames(
  where: string,
  bytes: Uint8Array,
  bot: { offset: number; length: number },
  fragments: { offset: number; length: number }[],
  frames: number,
  ts: string,
): Uint8Array[] {
  const join = (list: { offset: number; length: number }[]) => {
    if (list.length === 1)
      return bytes.subarray(list[0]!.offset, list[0]!.offset + list[0]!.length);
    const total = list.reduce((s, f) => s + f.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const f of list) {
      out.set(bytes.subarray(f.offset, f.offset + f.length), at);
      at += f.length;
    }
    return out;
  };
  if (fragments.length === 0) throw corrupt(where, 'encapsulated pixel data has no fragments');
  if (frames === 1) return [join(fragments)];
  if (bot.length > 0) {
    if (bot.length !== 4 * frames) {
      throw corrupt(
        where,
        `Basic Offset Table has ${bot.length / 4} entries, NumberOfFrames is ${frames}`,
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset + bot.offset, bot.length);
    // Offsets are measured from the first byte of the first fragment's item tag. One pass over
    // the fragments (they are in order, and so must the offsets be): linear in their number.
    const out: Uint8Array[] = [];
    let i = 0;
    let start = 0;
    for (let f = 0; f < frames; f++) {
      const begin = view.getUint32(4 * f, true);
      const end = f + 1 < frames ? view.getUint32(4 * (f + 1), true) : Number.POSITIVE_INFINITY;
      while (i < fragments.length && start < begin) start += fragments[i++]!.length + 8;
      if (start !== begin || i === fragments.length || end <= begin)
        throw corrupt(
          where,
          `Basic Offset Table entry ${f} (${begin}) does not point at a fragment`,
        );
      const list: Fragment[] = [];
      while (i < fragments.length && start < end) {
        list.push(fragments[i]!);
        start += fragments[i++]!.length + 8;
      }
      out.push(join(list));
    }
    return out;
  }
  if (fragments.length === frames) return fragments.map((f) => join([f]));
  throw corrupt(
    where,
    `cannot find frame boundaries: ${fragments.length} fragments for ${frames} frames and no Basic Offset Table (transfer syntax ${ts})`,
  );
}
