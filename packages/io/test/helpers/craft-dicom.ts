/**
 * Generator of crafted DICOM files for the bad-input catalogue (packages/io/test/README.md,
 * section DICOM).
 * A tiny independent encoder (not the package's writer) builds a valid 4x4 16-bit MR image,
 * then each case breaks one thing. Code, not binaries.
 */
import { deflateRawSync } from 'node:zlib';
import { cat } from './craft-nifti.js';

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const DEFLATED = '1.2.840.10008.1.2.1.99';
export const RLE = '1.2.840.10008.1.2.5';
export const JPEG_LS = '1.2.840.10008.1.2.4.80';

const LONG = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

export interface El {
  tag: number;
  vr: string;
  value: Uint8Array;
  /** Write this length instead of the value's (0xffffffff = undefined). */
  length?: number;
}

export function str(s: string, pad = ' '): Uint8Array {
  const t = s.length % 2 ? s + pad : s;
  return Uint8Array.from(t, (c) => c.charCodeAt(0));
}
export const uid = (s: string) => str(s, '\0');
export function u16(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    v.setUint16(2 * i, x, true);
  });
  return out;
}

/** Encodes elements in the given encoding (order kept as given). */
export function encode(
  elements: El[],
  mode: 'explicit' | 'implicit' | 'big' = 'explicit',
): Uint8Array {
  const parts: Uint8Array[] = [];
  const le = mode !== 'big';
  for (const e of elements) {
    const length = e.length ?? e.value.length;
    const long = mode === 'implicit' || LONG.has(e.vr) || e.tag >>> 16 === 0xfffe;
    const head = new Uint8Array(
      long ? (mode === 'implicit' || e.tag >>> 16 === 0xfffe ? 8 : 12) : 8,
    );
    const v = new DataView(head.buffer);
    v.setUint16(0, e.tag >>> 16, le);
    v.setUint16(2, e.tag & 0xffff, le);
    if (mode === 'implicit' || e.tag >>> 16 === 0xfffe) v.setUint32(4, length >>> 0, le);
    else {
      head[4] = e.vr.charCodeAt(0);
      head[5] = e.vr.charCodeAt(1);
      if (long) v.setUint32(8, length >>> 0, le);
      else v.setUint16(6, length, le);
    }
    let value = e.value;
    if (mode === 'big' && (e.vr === 'US' || e.vr === 'OW')) {
      value = value.slice();
      for (let i = 0; i + 1 < value.length; i += 2)
        [value[i], value[i + 1]] = [value[i + 1]!, value[i]!];
    }
    parts.push(head, value);
  }
  return cat(...parts);
}

export const item = (body: Uint8Array, length?: number): El => ({
  tag: 0xfffee000,
  vr: '',
  value: body,
  length: length ?? body.length,
});
export const itemEnd = (): El => ({ tag: 0xfffee00d, vr: '', value: new Uint8Array(0) });
export const seqEnd = (): El => ({ tag: 0xfffee0dd, vr: '', value: new Uint8Array(0) });

/** The 16 pixel values of the base image. */
export const PIXELS = Array.from({ length: 16 }, (_, i) => i * 100 + 7);

/** The base dataset elements (without pixel data), overridable by tag. */
/** Overrides of Rows (0028,0010) and Columns (0028,0011), for {@link baseElements}. */
export function imageSize(rows: number, columns = rows): Record<number, El> {
  return {
    2621456: { tag: 0x00280010, vr: 'US', value: u16(rows) },
    2621457: { tag: 0x00280011, vr: 'US', value: u16(columns) },
  };
}

/** An override of NumberOfFrames (0028,0008), for {@link baseElements}. */
export function numberOfFrames(value: number | string): Record<number, El> {
  return { 2621448: { tag: 0x00280008, vr: 'IS', value: str(String(value)) } };
}

export function baseElements(overrides: Record<number, El | null> = {}): El[] {
  const list: El[] = [
    { tag: 0x00080008, vr: 'CS', value: str('ORIGINAL\\PRIMARY') },
    { tag: 0x00080016, vr: 'UI', value: uid('1.2.840.10008.5.1.4.1.1.4') },
    { tag: 0x00080018, vr: 'UI', value: uid('2.25.1001') },
    { tag: 0x00080060, vr: 'CS', value: str('MR') },
    { tag: 0x00100010, vr: 'PN', value: str('Test^Crafted') },
    { tag: 0x00180050, vr: 'DS', value: str('3') },
    { tag: 0x0020000d, vr: 'UI', value: uid('2.25.2001') },
    { tag: 0x0020000e, vr: 'UI', value: uid('2.25.3001') },
    { tag: 0x00200032, vr: 'DS', value: str('-10\\-20\\30') },
    { tag: 0x00200037, vr: 'DS', value: str('1\\0\\0\\0\\1\\0') },
    { tag: 0x00280002, vr: 'US', value: u16(1) },
    { tag: 0x00280004, vr: 'CS', value: str('MONOCHROME2') },
    { tag: 0x00280010, vr: 'US', value: u16(4) },
    { tag: 0x00280011, vr: 'US', value: u16(4) },
    { tag: 0x00280030, vr: 'DS', value: str('0.5\\0.75') },
    { tag: 0x00280100, vr: 'US', value: u16(16) },
    { tag: 0x00280101, vr: 'US', value: u16(16) },
    { tag: 0x00280102, vr: 'US', value: u16(15) },
    { tag: 0x00280103, vr: 'US', value: u16(0) },
  ];
  const out: El[] = [];
  for (const e of list) {
    if (e.tag in overrides) {
      const o = overrides[e.tag];
      if (o) out.push(o);
    } else out.push(e);
  }
  for (const [tag, e] of Object.entries(overrides)) {
    if (e && !list.some((l) => l.tag === Number(tag))) out.push(e);
  }
  return out.sort((a, b) => a.tag - b.tag);
}

export const pixelData = (values = PIXELS): El => ({
  tag: 0x7fe00010,
  vr: 'OW',
  value: u16(...values),
});

/** A Part 10 file: preamble, DICM, meta group (Explicit LE), then the dataset bytes. */
export function part10(
  dataset: Uint8Array,
  ts: string | null = EXPLICIT_LE,
  groupLength?: number,
): Uint8Array {
  const metaElements: El[] = [
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    { tag: 0x00020002, vr: 'UI', value: uid('1.2.840.10008.5.1.4.1.1.4') },
    { tag: 0x00020003, vr: 'UI', value: uid('2.25.1001') },
  ];
  if (ts !== null) metaElements.push({ tag: 0x00020010, vr: 'UI', value: uid(ts) });
  const meta = encode(metaElements);
  const gl = encode([
    {
      tag: 0x00020000,
      vr: 'UL',
      value: new Uint8Array(new Uint32Array([groupLength ?? meta.length]).buffer),
    },
  ]);
  const pre = new Uint8Array(132);
  pre.set([0x44, 0x49, 0x43, 0x4d], 128);
  return cat(pre, gl, meta, dataset);
}

/** The valid base file. */
export function validDicom(mode: 'explicit' | 'implicit' | 'big' = 'explicit'): Uint8Array {
  const ts = mode === 'explicit' ? EXPLICIT_LE : mode === 'implicit' ? IMPLICIT_LE : EXPLICIT_BE;
  return part10(encode([...baseElements(), pixelData()], mode), ts);
}

export function withElements(
  overrides: Record<number, El | null>,
  pixels: El | null = pixelData(),
  ts = EXPLICIT_LE,
): Uint8Array {
  return part10(encode([...baseElements(overrides), ...(pixels ? [pixels] : [])]), ts);
}

/** A nested undefined-length SQ `depth` deep. */
export function deepSequence(depth: number): El[] {
  const open: El[] = [];
  for (let i = 0; i < depth; i++) {
    open.push({ tag: 0x00081140, vr: 'SQ', value: new Uint8Array(0), length: 0xffffffff });
    open.push({ tag: 0xfffee000, vr: '', value: new Uint8Array(0), length: 0xffffffff });
  }
  return open;
}

export function deflatedDicom(extraBytes = 0): Uint8Array {
  const extra: El[] =
    extraBytes > 0 ? [{ tag: 0x00091010, vr: 'OB', value: new Uint8Array(extraBytes) }] : [];
  const body = encode([...baseElements(), ...extra, pixelData()].sort((a, b) => a.tag - b.tag));
  return part10(new Uint8Array(deflateRawSync(body)), DEFLATED);
}

/** PackBits-literal RLE of 16-bit little-endian values (2 segments: high bytes, low bytes). */
export function rleFrame(values: number[], segments = 2): Uint8Array {
  const hi = Uint8Array.from(values, (v) => (v >> 8) & 0xff);
  const lo = Uint8Array.from(values, (v) => v & 0xff);
  const seg = (b: Uint8Array) => cat(Uint8Array.of(b.length - 1), b);
  const s1 = seg(hi);
  const s2 = seg(lo);
  const header = new Uint8Array(64);
  const v = new DataView(header.buffer);
  v.setUint32(0, segments, true);
  v.setUint32(4, 64, true);
  v.setUint32(8, 64 + s1.length, true);
  return cat(header, s1, s2);
}

/** Encapsulated pixel data (empty BOT unless given) from fragments. */
export function encapsulated(
  fragments: Uint8Array[],
  bot = new Uint8Array(0),
  terminate = true,
): El {
  const parts = [
    encode([item(bot)]),
    ...fragments.map((f) => encode([item(f)])),
    ...(terminate ? [encode([seqEnd()])] : []),
  ];
  return { tag: 0x7fe00010, vr: 'OB', value: cat(...parts), length: 0xffffffff };
}
