import { corrupt, unsupported, wrapThirdPartyAsync } from './errors.js';

/** What a codec returns for one frame. */
export interface DecodedFrame {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly components: number;
  /** Little-endian samples, 1 or 2 bytes each (as the codecs produce them). */
  readonly bytes: Uint8Array;
  /** True when the codec says the samples are signed. */
  readonly signed?: boolean;
}

interface EmscriptenDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned?: boolean;
  };
  delete?(): void;
}

type Library = Record<string, new () => EmscriptenDecoder>;
const cache = new Map<string, Promise<Library>>();

/** Loads an Emscripten codec lazily (asm.js builds: no .wasm file to locate, Node and browsers alike). */
async function load(name: 'charls' | 'openjpeg' | 'libjpeg-turbo'): Promise<Library> {
  let lib = cache.get(name);
  if (!lib) {
    lib = (async () => {
      const mod =
        name === 'charls'
          ? await import('@cornerstonejs/codec-charls/decode')
          : name === 'openjpeg'
            ? await import('@cornerstonejs/codec-openjpeg/decode')
            : await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decode');
      const factory = ((mod as { default?: unknown }).default ?? mod) as (
        o?: object,
      ) => Promise<Library>;
      return factory({ print: () => {}, printErr: () => {} });
    })();
    cache.set(name, lib);
    lib.catch(() => cache.delete(name));
  }
  return lib;
}

async function emscriptenDecode(
  where: string,
  name: 'charls' | 'openjpeg' | 'libjpeg-turbo',
  className: string,
  data: Uint8Array,
): Promise<DecodedFrame> {
  return wrapThirdPartyAsync(where, `${name} decoder`, async () => {
    const lib = await load(name);
    const Decoder = lib[className];
    if (!Decoder) throw new Error(`${className} missing from the ${name} module`);
    const decoder = new Decoder();
    try {
      decoder.getEncodedBuffer(data.length).set(data);
      decoder.decode();
      const info = decoder.getFrameInfo();
      const bytes = decoder.getDecodedBuffer().slice();
      return {
        width: info.width,
        height: info.height,
        bitsPerSample: info.bitsPerSample,
        components: info.componentCount,
        bytes,
        ...(info.isSigned === undefined ? {} : { signed: info.isSigned }),
      };
    } catch (error) {
      // An aborted Emscripten module may be unusable: load a fresh one next time.
      cache.delete(name);
      throw error;
    } finally {
      try {
        decoder.delete?.();
      } catch {
        cache.delete(name);
      }
    }
  });
}

/** JPEG-LS (lossless and near-lossless), with CharLS. */
export function decodeJpegLs(where: string, data: Uint8Array): Promise<DecodedFrame> {
  return emscriptenDecode(where, 'charls', 'JpegLSDecoder', data);
}

/** JPEG 2000 (lossless and lossy), with OpenJPEG. */
export function decodeJpeg2000(where: string, data: Uint8Array): Promise<DecodedFrame> {
  return emscriptenDecode(where, 'openjpeg', 'J2KDecoder', data);
}

/** 8-bit JPEG baseline, with libjpeg-turbo. */
export function decodeJpegBaseline(where: string, data: Uint8Array): Promise<DecodedFrame> {
  return emscriptenDecode(where, 'libjpeg-turbo', 'JPEGDecoder', data);
}

/** JPEG lossless (process 14, any selection value), with jpeg-lossless-decoder-js. */
export async function decodeJpegLossless(
  where: string,
  data: Uint8Array,
  bytesPerSample: number,
): Promise<DecodedFrame> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  return wrapThirdPartyAsync(where, 'jpeg-lossless-decoder-js', async () => {
    const decoder = new Decoder();
    const copy = data.slice();
    const out = decoder.decode(copy.buffer, 0, copy.length, bytesPerSample) as
      | ArrayBuffer
      | ArrayBufferView;
    const { frame, stream } = decoder as unknown as {
      frame: { dimX: number; dimY: number; numComp: number; precision: number };
      stream?: { index: number };
    };
    // The decoder reads past the end of a truncated codestream as zeros and returns a wrong
    // image without complaint; where it stopped reading tells.
    if (stream && stream.index > copy.length) {
      throw corrupt(
        where,
        `JPEG lossless codestream truncated: ${copy.length} bytes, decoding needed ${stream.index}`,
      );
    }
    const bytes =
      out instanceof ArrayBuffer
        ? new Uint8Array(out)
        : new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice();
    return {
      width: frame.dimX,
      height: frame.dimY,
      bitsPerSample: frame.precision,
      components: frame.numComp,
      bytes,
    };
  });
}

/** What a codestream's frame header declares, read without decoding. */
export interface CodestreamInfo {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  /** Bits per sample (SOF P; SIZ Ssiz of the first component). */
  readonly precision: number;
  /** JPEG family: the SOF marker (0xc0 baseline, 0xc2 progressive, 0xf7 JPEG-LS ...). */
  readonly sof?: number;
  /** JPEG family: the number of SOS (start of scan) markers in the codestream. */
  readonly scans?: number;
  /** JPEG 2000: the number of tiles the SIZ grid cuts the image into. */
  readonly tiles?: number;
  /** JPEG 2000: the first component's subsampling (XRsiz, YRsiz). */
  readonly subsampling?: readonly [number, number];
}

/**
 * Reads the image size, component count and precision a JPEG / JPEG-LS (`kind` 'jpeg') or JPEG
 * 2000 ('j2k') codestream declares, without decoding it, so that a codestream claiming a huge,
 * multi-component, finely tiled or many-scan image is refused before a codec spends memory or
 * time on it. Each kind is parsed by its own syntax, so a JPEG cannot borrow the size of a JPEG
 * 2000 header hidden in its bytes.
 */
export function codestreamSize(
  where: string,
  data: Uint8Array,
  frame: number,
  kind: 'jpeg' | 'j2k',
): CodestreamInfo {
  if (data.length < 4)
    throw corrupt(where, `frame ${frame}: compressed data too short (${data.length} bytes)`);
  if (kind === 'j2k') {
    // JPEG 2000 codestream (SOC FF4F, SIZ FF51), possibly inside a JP2 box. SIZ: Lsiz, Rsiz,
    // Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz, then Ssiz, XRsiz, YRsiz
    // for each component (ISO/IEC 15444-1 A.5.1).
    for (let i = 0; i + 45 <= data.length && i < 4096; i++) {
      if (
        data[i] === 0xff &&
        data[i + 1] === 0x4f &&
        data[i + 2] === 0xff &&
        data[i + 3] === 0x51
      ) {
        const v = new DataView(data.buffer, data.byteOffset + i + 4, 41);
        const [xsiz, ysiz, xo, yo, xt, yt, xto, yto] = [4, 8, 12, 16, 20, 24, 28, 32].map((o) =>
          v.getUint32(o),
        ) as [number, number, number, number, number, number, number, number];
        // The tile grid must start at or before the image and its first tile must reach into
        // it (A.5.1); then ceil((Xsiz - XTOsiz) / XTsiz) tiles across.
        if (xt < 1 || yt < 1 || xto > xo || yto > yo || xto + xt <= xo || yto + yt <= yo) {
          throw corrupt(
            where,
            `frame ${frame}: JPEG 2000 SIZ tile grid must be non-empty and cover the image origin (${xo}, ${yo}), got tiles of ${xt}x${yt} from (${xto}, ${yto})`,
          );
        }
        const tiles =
          xsiz > xto && ysiz > yto
            ? Math.ceil((xsiz - xto) / xt) * Math.ceil((ysiz - yto) / yt)
            : 0;
        return {
          width: xsiz - xo,
          height: ysiz - yo,
          components: v.getUint16(36),
          precision: (v.getUint8(38) & 0x7f) + 1,
          tiles,
          subsampling: [v.getUint8(39), v.getUint8(40)],
        };
      }
    }
    throw corrupt(where, `frame ${frame}: no JPEG 2000 SIZ marker in the compressed data`);
  }
  if (data[0] !== 0xff || data[1] !== 0xd8)
    throw corrupt(where, `frame ${frame}: not a JPEG codestream (no SOI marker)`);
  let at = 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) {
      at++;
      continue;
    }
    const marker = data[at + 1]!;
    if (marker === 0xff || (marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = (data[at + 2]! << 8) | data[at + 3]!;
    const isSof =
      (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) ||
      marker === 0xf7;
    if (isSof) {
      if (at + 10 > data.length) break;
      return {
        precision: data[at + 4]!,
        height: (data[at + 5]! << 8) | data[at + 6]!,
        width: (data[at + 7]! << 8) | data[at + 8]!,
        components: data[at + 9]!,
        sof: marker,
        scans: countScans(data, at + 2 + length),
      };
    }
    at += 2 + length;
  }
  throw corrupt(where, `frame ${frame}: no frame header (SOF/SIZ) in the compressed data`);
}

/**
 * The SOS markers (FF DA) from `from` on. Inside entropy-coded data an FF byte is always
 * followed by 00 (stuffing) or a restart marker, so every FF DA pair is a real start of scan.
 */
function countScans(data: Uint8Array, from: number): number {
  let scans = 0;
  for (let i = Math.max(0, from); i + 1 < data.length; i++)
    if (data[i] === 0xff && data[i + 1] === 0xda) scans++;
  return scans;
}

/**
 * Decodes one RLE Lossless frame (PS3.5 annex G): a 64-byte header of segment offsets, one
 * PackBits segment per byte of each sample, most significant byte first. Output: little-endian.
 */
export function decodeRle(
  where: string,
  data: Uint8Array,
  frame: number,
  pixels: number,
  bytesPerSample: number,
  samples: number,
): Uint8Array {
  if (data.length < 64)
    throw corrupt(where, `RLE frame ${frame}: ${data.length} bytes, the header needs 64`);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const segments = view.getUint32(0, true);
  const expected = bytesPerSample * samples;
  if (segments !== expected) {
    throw corrupt(
      where,
      `RLE frame ${frame}: header says ${segments} segments, expected ${expected} (samples x bytes per sample)`,
    );
  }
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  offsets.push(data.length);
  const out = new Uint8Array(pixels * expected);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s]!;
    const end = offsets[s + 1]!;
    if (start < 64 || start > data.length || end < start || end > data.length) {
      throw corrupt(
        where,
        `RLE frame ${frame}: segment ${s} offset ${start} is outside the fragment (${data.length} bytes)`,
      );
    }
    // Byte s of each sample: MSB first in RLE, stored LSB first in the output.
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const stride = expected;
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (written < pixels && i < end) {
      const n = data[i++]!;
      if (n < 128) {
        const count = n + 1;
        if (i + count > end)
          throw corrupt(
            where,
            `RLE frame ${frame}: segment ${s} literal run passes the segment end`,
          );
        for (let k = 0; k < count && written < pixels; k++) {
          out[o] = data[i + k]!;
          o += stride;
          written++;
        }
        i += count;
      } else if (n > 128) {
        const count = 257 - n;
        if (i >= end)
          throw corrupt(
            where,
            `RLE frame ${frame}: segment ${s} replicate run passes the segment end`,
          );
        const value = data[i++]!;
        for (let k = 0; k < count && written < pixels; k++) {
          out[o] = value;
          o += stride;
          written++;
        }
      }
    }
    if (written < pixels) {
      throw corrupt(
        where,
        `RLE frame ${frame}: segment ${s} decodes to ${written} bytes, expected ${pixels}`,
      );
    }
  }
  return out;
}

/** Throws for a transfer syntax whose pixel data this library does not decode. */
export function unsupportedSyntax(where: string, ts: string, why: string): never {
  throw unsupported(where, `transfer syntax ${ts} is not supported: ${why}`);
}
