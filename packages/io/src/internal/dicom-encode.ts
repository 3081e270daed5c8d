import { LONG_VRS } from './dicom-dictionary.js';

/** One element to write: tag, VR and value bytes (or items for a sequence). */
export interface OutElement {
  readonly tag: number;
  readonly vr: string;
  readonly value?: Uint8Array;
  readonly items?: readonly (readonly OutElement[])[];
}

const STRING_PAD_NULL = new Set(['UI', 'OB', 'UN']);

/** Encodes a string value, padded to even length (NUL for UI, space otherwise). */
export function text(vr: string, value: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    bytes.push(c < 256 ? c : 0x3f);
  }
  if (bytes.length % 2 === 1) bytes.push(STRING_PAD_NULL.has(vr) ? 0 : 0x20);
  return Uint8Array.from(bytes);
}

/**
 * How {@link encodeString} turns characters into bytes: UTF-8 (SpecificCharacterSet ISO_IR 192),
 * Latin-1 (ISO_IR 100) or ASCII (any other character set, whose non-ASCII bytes we cannot make).
 */
export type TextEncoding = 'utf8' | 'latin1' | 'ascii';

/** Encodes a string written by this package (not copied) in `encoding`, '?' for what it lacks. */
export function encodeString(vr: string, value: string, encoding: TextEncoding): Uint8Array {
  if (encoding === 'latin1') return text(vr, value);
  if (encoding === 'ascii')
    return text(vr, Array.from(value, (c) => (c.charCodeAt(0) < 128 ? c : '?')).join(''));
  const bytes = Array.from(new TextEncoder().encode(value));
  if (bytes.length % 2 === 1) bytes.push(STRING_PAD_NULL.has(vr) ? 0 : 0x20);
  return Uint8Array.from(bytes);
}

export function us(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, (value >>> 8) & 0xff);
}

export function ul(value: number): Uint8Array {
  return Uint8Array.of(
    value & 0xff,
    (value >>> 8) & 0xff,
    (value >>> 16) & 0xff,
    (value >>> 24) & 0xff,
  );
}

/** Encodes elements (sorted by tag) as Explicit VR Little Endian, sequences with defined lengths. */
export function encodeExplicitLittle(elements: readonly OutElement[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  for (const el of sorted) {
    let value: Uint8Array;
    if (el.items) {
      const items = el.items.map((item) => {
        const body = encodeExplicitLittle(item);
        const head = new Uint8Array(8);
        const v = new DataView(head.buffer);
        v.setUint16(0, 0xfffe, true);
        v.setUint16(2, 0xe000, true);
        v.setUint32(4, body.length, true);
        return concat([head, body]);
      });
      value = concat(items);
    } else {
      value = el.value ?? new Uint8Array(0);
    }
    if (value.length % 2 === 1) value = concat([value, new Uint8Array(1)]);
    const long = LONG_VRS.has(el.vr);
    const head = new Uint8Array(long ? 12 : 8);
    const v = new DataView(head.buffer);
    v.setUint16(0, el.tag >>> 16, true);
    v.setUint16(2, el.tag & 0xffff, true);
    head[4] = el.vr.charCodeAt(0);
    head[5] = el.vr.charCodeAt(1);
    if (long) v.setUint32(8, value.length, true);
    else v.setUint16(6, value.length, true);
    parts.push(head, value);
  }
  return concat(parts);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A new UID `2.25.<n>` where n is a random version-4 UUID read as a decimal integer
 * (ISO/IEC 9834-8, PS3.5 B.2), drawn from `crypto.getRandomValues`.
 */
export function newUid(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `2.25.${n.toString()}`;
}

/** A decimal string of at most 16 characters for `value` (DS). */
export function formatDs(value: number): string {
  if (Object.is(value, -0)) return '0';
  let s = String(value);
  for (let p = 15; s.length > 16 && p > 1; p--) {
    s = value.toPrecision(p);
    if (s.includes('e')) {
      const [m, e] = s.split('e') as [string, string];
      s = `${m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m}e${e.replace('+', '')}`;
    } else if (s.includes('.')) {
      s = s.replace(/0+$/, '').replace(/\.$/, '');
    }
  }
  return s;
}
