import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { crc32 } from '../src/internal/png.js';

/** A decoded PNG: RGBA pixels, rows top to bottom. */
export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** The colour type of IHDR: 0 grey, 2 RGB, 6 RGBA. */
  readonly colourType: number;
  readonly rgba: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Reads an 8-bit, non-interlaced grey, RGB or RGBA PNG (what png.ts and resvg write), checking the
 * signature and every chunk's CRC and undoing the five row filters (ISO/IEC 15948, 9.2). Throws
 * on anything else, so a test that decodes a figure fails on a broken file.
 */
export function readPng(bytes: Uint8Array): DecodedPng {
  if (SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('not a PNG: bad signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let header: DataView | undefined;
  const data: Uint8Array[] = [];
  let ended = false;
  while (at < bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (view.getUint32(at + 8 + length) !== crc32(bytes, at + 4, at + 8 + length))
      throw new Error(`PNG chunk ${type} has a bad CRC`);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') header = new DataView(body.buffer, body.byteOffset, body.byteLength);
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') ended = true;
    at += 12 + length;
  }
  if (header === undefined || !ended || data.length === 0) throw new Error('PNG lacks chunks');
  const width = header.getUint32(0);
  const height = header.getUint32(4);
  const depth = header.getUint8(8);
  const colourType = header.getUint8(9);
  const channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[colourType];
  if (depth !== 8 || channels === undefined || header.getUint8(12) !== 0)
    throw new Error(`unsupported PNG: depth ${depth}, colour type ${colourType}`);
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error('PNG data has the wrong length');
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predicted === undefined) throw new Error(`PNG row ${y} has filter ${filter}`);
      pixels[y * stride + x] = (row[x]! + predicted) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = pixels[i * channels + (channels < 3 ? 0 : k)]!;
    rgba[4 * i + 3] = channels === 4 ? pixels[i * channels + 3]! : 255;
  }
  return { width, height, colourType, rgba };
}

/** The RGB of pixel (x, y). */
/** {@link readPng} of a file. */
export function readPngFile(path: string): DecodedPng {
  return readPng(new Uint8Array(readFileSync(path)));
}

export function pixelAt(png: DecodedPng, x: number, y: number): [number, number, number] {
  const i = 4 * (y * png.width + x);
  return [png.rgba[i]!, png.rgba[i + 1]!, png.rgba[i + 2]!];
}

/** How many pixels of two images of one size differ (in any channel). */
export function differingPixels(a: DecodedPng, b: DecodedPng): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('images differ in size');
  let n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    for (let k = 0; k < 4; k++) {
      if (a.rgba[4 * i + k] !== b.rgba[4 * i + k]) {
        n++;
        break;
      }
    }
  }
  return n;
}
