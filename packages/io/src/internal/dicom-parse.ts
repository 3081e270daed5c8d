import { hasDicomPrefix } from '../sniff-format.js';
import {
  implicitVr,
  LONG_VRS,
  TAG,
  TRANSFER_SYNTAX,
  tagName,
  VALID_VRS,
} from './dicom-dictionary.js';
import { corrupt, limitExceeded, unsupported } from './errors.js';
import { inflateRaw } from './inflate.js';

/** One encapsulated pixel data fragment: where its bytes are. */
export interface Fragment {
  readonly offset: number;
  readonly length: number;
}

/** One parsed element. Values stay in the source bytes (`offset`, `length`). */
export interface DicomElement {
  readonly tag: number;
  readonly vr: string;
  readonly offset: number;
  readonly length: number;
  readonly items?: DicomDataset[];
  /** Encapsulated pixel data: the Basic Offset Table first, then the fragments. */
  readonly fragments?: Fragment[];
}

/** A parsed dataset (the file's, or a sequence item's). */
export interface DicomDataset {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly elements: Map<number, DicomElement>;
}

/** A parsed file: meta information, the dataset, the transfer syntax, warnings. */
export interface ParsedDicom {
  readonly meta: DicomDataset;
  readonly dataset: DicomDataset;
  readonly transferSyntax: string;
  readonly explicitVr: boolean;
  readonly warnings: string[];
}

export interface ParseLimits {
  maxInflatedBytes: number;
  maxSequenceDepth: number;
  maxElementBytes: number;
  maxElements: number;
}

const UNDEFINED = 0xffffffff;
/** The most warnings one file collects; later ones are counted, not kept. */
const MAX_WARNINGS = 100;

interface Context {
  where: string;
  bytes: Uint8Array;
  view: DataView;
  explicit: boolean;
  le: boolean;
  limits: ParseLimits;
  warnings: string[];
  /** Elements, items and fragments parsed so far in this file (shared by nested contexts). */
  count: { nodes: number };
}

/** Counts one element, item or fragment against `maxElements` before it is stored. */
function countNode(ctx: Context): void {
  if (++ctx.count.nodes > ctx.limits.maxElements) {
    throw limitExceeded(
      ctx.where,
      'maxElements',
      ctx.limits.maxElements,
      'more data elements, sequence items and fragments in one file',
    );
  }
}

/** Adds a warning, keeping at most MAX_WARNINGS (a hostile file can trigger one per 8 bytes). */
function warn(warnings: string[], message: string): void {
  if (warnings.length < MAX_WARNINGS) warnings.push(message);
  else if (warnings.length === MAX_WARNINGS) warnings.push('further warnings suppressed');
}

/**
 * Parses a DICOM Part 10 file (or a bare dataset without preamble and meta group) into
 * datasets of element positions. Every declared length is checked against the bytes that
 * remain and against `maxElementBytes` before anything is read; sequences nest at most
 * `maxSequenceDepth` deep; undefined length is accepted only for SQ, UN (read as an Implicit
 * VR sequence, PS3.5 6.2.2) and encapsulated pixel data; trailing zero padding ends the dataset.
 */
export function parseDicom(where: string, input: Uint8Array, limits: ParseLimits): ParsedDicom {
  const warnings: string[] = [];
  const count = { nodes: 0 };
  if (input.length === 0) throw corrupt(where, 'not DICOM: empty file (0 bytes)');
  let start = 0;
  let hasMeta = false;
  if (hasDicomPrefix(input, 128)) {
    start = 132;
    hasMeta = true;
  } else if (hasDicomPrefix(input, 0)) {
    start = 4;
    hasMeta = true;
    warnings.push('no 128-byte preamble before DICM');
  }
  const metaCtx: Context = {
    where,
    bytes: input,
    view: new DataView(input.buffer, input.byteOffset, input.byteLength),
    explicit: true,
    le: true,
    limits,
    warnings,
    count,
  };
  let meta: DicomDataset = { bytes: input, littleEndian: true, elements: new Map() };
  let offset = start;
  if (hasMeta) {
    if (input.length - start < 8)
      throw corrupt(where, `not DICOM: no dataset after the DICM prefix (${input.length} bytes)`);
    // Group 0002 is Explicit VR Little Endian; read its elements until the group changes
    // instead of trusting (0002,0000) (wrong group lengths are common).
    const r = parseElements(metaCtx, start, input.length, 0, { stopAtGroupChange: 0x0002 });
    meta = r.dataset;
    offset = r.end;
    if (meta.elements.size === 0)
      throw corrupt(where, 'not DICOM: the file meta information (group 0002) is missing');
  }
  let ts = hasMeta ? stringValue(where, meta, TAG.TransferSyntaxUID) : undefined;
  if (hasMeta && ts === undefined) {
    warnings.push('no TransferSyntaxUID in the file meta information');
  }
  let explicit: boolean;
  let le: boolean;
  if (ts === undefined) {
    // No meta (or no TS): sniff the first element of the dataset.
    const sniffed = sniffEncoding(where, input, offset);
    explicit = sniffed.explicit;
    le = sniffed.le;
    if (!hasMeta)
      warnings.push('no file meta information; encoding sniffed from the first element');
  } else {
    switch (ts) {
      case TRANSFER_SYNTAX.implicitLittle:
        explicit = false;
        le = true;
        break;
      case TRANSFER_SYNTAX.explicitBig:
        explicit = true;
        le = false;
        break;
      default:
        explicit = true;
        le = true;
    }
  }
  let bytes = input;
  if (ts === TRANSFER_SYNTAX.deflated) {
    bytes = inflateRaw(where, input.subarray(offset), limits.maxInflatedBytes);
    offset = 0;
  }
  const ctx: Context = {
    where,
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    explicit,
    le,
    limits,
    warnings,
    count,
  };
  const dataset = parseElements(ctx, offset, bytes.length, 0, { topLevel: true }).dataset;
  if (ts === undefined)
    ts = explicit
      ? le
        ? TRANSFER_SYNTAX.explicitLittle
        : TRANSFER_SYNTAX.explicitBig
      : TRANSFER_SYNTAX.implicitLittle;
  return { meta, dataset, transferSyntax: ts, explicitVr: explicit, warnings };
}

function sniffEncoding(
  where: string,
  bytes: Uint8Array,
  at: number,
): { explicit: boolean; le: boolean } {
  if (bytes.length - at < 8)
    throw corrupt(where, `not DICOM: ${bytes.length} bytes, no preamble and no dataset`);
  const groupLe = bytes[at]! | (bytes[at + 1]! << 8);
  const groupBe = (bytes[at]! << 8) | bytes[at + 1]!;
  const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
  const explicit = VALID_VRS.has(vr);
  // A dataset starts with a low group number (0001-00FF); its byte order shows which half is 0.
  if (groupLe >= 0x0001 && groupLe <= 0x00ff) return { explicit, le: true };
  if (groupBe >= 0x0001 && groupBe <= 0x00ff && explicit) return { explicit, le: false };
  throw corrupt(
    where,
    `not DICOM: no "DICM" at byte 128 and the first bytes are not a dataset (group 0x${groupLe.toString(16)})`,
  );
}

interface ParseOptions {
  stopAtGroupChange?: number;
  topLevel?: boolean;
  /** Inside an undefined-length item: stop after the item delimiter. */
  untilItemDelimiter?: boolean;
}

function parseElements(
  ctx: Context,
  begin: number,
  end: number,
  depth: number,
  options: ParseOptions,
): { dataset: DicomDataset; end: number } {
  const { bytes, view, where } = ctx;
  const elements = new Map<number, DicomElement>();
  let at = begin;
  let le = ctx.le;
  let explicit = ctx.explicit;
  if (options.stopAtGroupChange !== undefined) {
    le = true;
    explicit = true;
  }
  while (at < end) {
    if (end - at < 8) {
      if (isZero(bytes, at, end)) {
        if (options.topLevel)
          warn(ctx.warnings, `${end - at} bytes of zero padding at the end ignored`);
        at = end;
        break;
      }
      throw corrupt(
        where,
        `truncated at byte ${at}: ${end - at} bytes left, an element header needs 8`,
      );
    }
    const group = view.getUint16(at, le);
    if (options.stopAtGroupChange !== undefined && group !== options.stopAtGroupChange) break;
    const tag = ((group << 16) | view.getUint16(at + 2, le)) >>> 0;
    if (tag === 0 && options.topLevel && isZero(bytes, at, at + 8)) {
      // Zero padding must run to the end; scanned once, so a long run costs linear time.
      const next = firstNonZero(bytes, at, end);
      if (next === end) {
        warn(ctx.warnings, `${end - at} bytes of trailing zero padding ignored`);
        at = end;
        break;
      }
      throw corrupt(
        where,
        `${next - at} zero bytes at byte ${at} followed by data at byte ${next}: not an element, and not trailing padding`,
      );
    }
    countNode(ctx);
    if (group === 0xfffe) {
      const length = view.getUint32(at + 4, le);
      if (tag === TAG.ItemDelimitation && options.untilItemDelimiter) {
        if (length !== 0)
          warn(ctx.warnings, `item delimiter with non-zero length ${length} at byte ${at}`);
        return { dataset: { bytes, littleEndian: le, elements }, end: at + 8 };
      }
      throw corrupt(where, `unexpected ${tagName(tag)} at byte ${at} outside a sequence`);
    }
    let vr: string;
    let length: number;
    let valueStart: number;
    if (explicit) {
      vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
      if (!VALID_VRS.has(vr)) {
        throw corrupt(
          where,
          `element ${tagName(tag)} at byte ${at} has an invalid VR ${JSON.stringify(vr)}`,
        );
      }
      if (LONG_VRS.has(vr)) {
        if (end - at < 12)
          throw corrupt(
            where,
            `truncated at byte ${at}: element ${tagName(tag)} header needs 12 bytes`,
          );
        length = view.getUint32(at + 8, le);
        valueStart = at + 12;
      } else {
        length = view.getUint16(at + 6, le);
        valueStart = at + 8;
      }
    } else {
      vr = implicitVr(tag);
      length = view.getUint32(at + 4, le);
      valueStart = at + 8;
    }
    if (length === UNDEFINED) {
      if (tag === TAG.PixelData) {
        const r = parseEncapsulated(ctx, valueStart, end, le);
        elements.set(tag, {
          tag,
          vr: 'OB',
          offset: valueStart,
          length: r.end - valueStart,
          fragments: r.fragments,
        });
        at = r.end;
        continue;
      }
      if (vr === 'SQ' || vr === 'UN' || (!explicit && vr !== 'SQ')) {
        // UN with undefined length is an Implicit VR Little Endian sequence (PS3.5 6.2.2).
        const asImplicit = vr === 'UN' && explicit;
        const sub: Context = asImplicit
          ? { ...ctx, explicit: false, le: true }
          : { ...ctx, explicit, le };
        const r = parseSequence(sub, tag, valueStart, end, depth + 1, true);
        elements.set(tag, {
          tag,
          vr: 'SQ',
          offset: valueStart,
          length: r.end - valueStart,
          items: r.items,
        });
        at = r.end;
        continue;
      }
      throw corrupt(
        where,
        `element ${tagName(tag)} (${vr}) at byte ${at} has undefined length, allowed only for SQ, UN and encapsulated pixel data`,
      );
    }
    if (length > end - valueStart) {
      throw corrupt(
        where,
        `truncated at byte ${valueStart}: element ${tagName(tag)} declares ${length} bytes, only ${end - valueStart} remain`,
      );
    }
    if (length > ctx.limits.maxElementBytes) {
      throw limitExceeded(
        where,
        'maxElementBytes',
        ctx.limits.maxElementBytes,
        `${length} bytes in ${tagName(tag)}`,
      );
    }
    if (vr === 'SQ') {
      const sub: Context = { ...ctx, explicit, le };
      const r = parseSequence(sub, tag, valueStart, valueStart + length, depth + 1, false);
      elements.set(tag, { tag, vr, offset: valueStart, length, items: r.items });
    } else {
      if (elements.has(tag))
        warn(ctx.warnings, `duplicate element ${tagName(tag)} at byte ${at}; the first kept`);
      else elements.set(tag, { tag, vr, offset: valueStart, length });
    }
    at = valueStart + length;
  }
  if (options.untilItemDelimiter) {
    throw corrupt(where, `unterminated item: no item delimiter before byte ${end}`);
  }
  return { dataset: { bytes, littleEndian: le, elements }, end: at };
}

function parseSequence(
  ctx: Context,
  tag: number,
  begin: number,
  end: number,
  depth: number,
  undefinedLength: boolean,
): { items: DicomDataset[]; end: number } {
  const { view, where } = ctx;
  if (depth > ctx.limits.maxSequenceDepth) {
    throw limitExceeded(
      where,
      'maxSequenceDepth',
      ctx.limits.maxSequenceDepth,
      `a sequence ${tagName(tag)} nested deeper`,
    );
  }
  const items: DicomDataset[] = [];
  let at = begin;
  const le = ctx.le;
  while (true) {
    if (at >= end) {
      if (undefinedLength)
        throw corrupt(
          where,
          `unterminated sequence ${tagName(tag)}: no sequence delimiter before the end of the file`,
        );
      return { items, end: at };
    }
    if (end - at < 8)
      throw corrupt(where, `truncated at byte ${at} inside sequence ${tagName(tag)}`);
    const itemTag = ((view.getUint16(at, le) << 16) | view.getUint16(at + 2, le)) >>> 0;
    const length = view.getUint32(at + 4, le);
    if (itemTag === TAG.SequenceDelimitation) {
      if (!undefinedLength)
        warn(ctx.warnings, `sequence delimiter inside defined-length sequence ${tagName(tag)}`);
      return { items, end: at + 8 };
    }
    if (itemTag !== TAG.Item) {
      throw corrupt(
        where,
        `sequence ${tagName(tag)}: expected an item tag (FFFE,E000) at byte ${at}, got ${tagName(itemTag)}`,
      );
    }
    countNode(ctx);
    const itemStart = at + 8;
    if (length === UNDEFINED) {
      const r = parseElements(ctx, itemStart, end, depth, { untilItemDelimiter: true });
      items.push(r.dataset);
      at = r.end;
    } else {
      if (length > end - itemStart) {
        throw corrupt(
          where,
          `sequence ${tagName(tag)}: item at byte ${at} declares ${length} bytes, only ${end - itemStart} remain in the sequence`,
        );
      }
      const r = parseElements(ctx, itemStart, itemStart + length, depth, {});
      items.push(r.dataset);
      at = itemStart + length;
    }
  }
}

function parseEncapsulated(
  ctx: Context,
  begin: number,
  end: number,
  le: boolean,
): { fragments: Fragment[]; end: number } {
  const { view, where } = ctx;
  const fragments: Fragment[] = [];
  let at = begin;
  while (true) {
    if (end - at < 8)
      throw corrupt(
        where,
        `unterminated encapsulated pixel data: no sequence delimiter before byte ${end}`,
      );
    const tag = ((view.getUint16(at, le) << 16) | view.getUint16(at + 2, le)) >>> 0;
    const length = view.getUint32(at + 4, le);
    if (tag === TAG.SequenceDelimitation) return { fragments, end: at + 8 };
    if (tag !== TAG.Item)
      throw corrupt(
        where,
        `encapsulated pixel data: expected an item at byte ${at}, got ${tagName(tag)}`,
      );
    if (length === UNDEFINED || length > end - at - 8) {
      throw corrupt(
        where,
        `encapsulated pixel data: fragment at byte ${at} declares ${length === UNDEFINED ? 'undefined' : length} bytes, only ${end - at - 8} remain`,
      );
    }
    countNode(ctx);
    fragments.push({ offset: at + 8, length });
    at += 8 + length;
  }
}

function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  return firstNonZero(bytes, from, to) === to;
}

/** The index of the first non-zero byte in `[from, to)`, or `to`. */
function firstNonZero(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return i;
  return to;
}

/** The raw bytes of an element. */
export function elementBytes(ds: DicomDataset, tag: number): Uint8Array | undefined {
  const el = ds.elements.get(tag);
  return el ? ds.bytes.subarray(el.offset, el.offset + el.length) : undefined;
}

/** A string value with trailing spaces and NULs removed; undefined when absent or empty. */
export function stringValue(where: string, ds: DicomDataset, tag: number): string | undefined {
  const raw = elementBytes(ds, tag);
  if (!raw) return undefined;
  if (raw.length > 65_536)
    throw corrupt(
      where,
      `${tagName(tag)} must be at most 65536 bytes long for a string value, got ${raw.length}`,
    );
  let s = '';
  for (const c of raw) s += String.fromCharCode(c);
  s = s.replace(/[\s\0]+$/, '').replace(/^\s+/, '');
  return s === '' ? undefined : s;
}

/** Backslash-separated values. */
export function stringValues(where: string, ds: DicomDataset, tag: number): string[] | undefined {
  const s = stringValue(where, ds, tag);
  return s === undefined ? undefined : s.split('\\').map((v) => v.trim());
}

/** A US (uint16) value, or undefined. Also accepts an IS/DS string holding an integer (robustness). */
export function usValue(where: string, ds: DicomDataset, tag: number): number | undefined {
  const el = ds.elements.get(tag);
  if (!el || el.length === 0) return undefined;
  if (el.vr === 'US' || el.vr === 'UN' || el.vr === 'OW' || el.vr === 'OB' || el.vr === 'SS') {
    if (el.length < 2)
      throw corrupt(where, `${tagName(tag)} (US) must hold 2 bytes, got ${el.length}`);
    return new DataView(ds.bytes.buffer, ds.bytes.byteOffset + el.offset, 2).getUint16(
      0,
      ds.littleEndian,
    );
  }
  if (el.vr === 'UL') {
    if (el.length < 4)
      throw corrupt(where, `${tagName(tag)} (UL) must hold 4 bytes, got ${el.length}`);
    return new DataView(ds.bytes.buffer, ds.bytes.byteOffset + el.offset, 4).getUint32(
      0,
      ds.littleEndian,
    );
  }
  return isValue(where, ds, tag);
}

const DS_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const IS_PATTERN = /^[+-]?\d+$/;

/** Decimal strings parsed strictly (empty means absent, non-finite or malformed is an error). */
export function dsValues(where: string, ds: DicomDataset, tag: number): number[] | undefined {
  const values = stringValues(where, ds, tag);
  if (!values) return undefined;
  return values.map((v) => {
    const n = Number(v);
    if (!DS_PATTERN.test(v) || !Number.isFinite(n)) {
      throw corrupt(
        where,
        `${tagName(tag)} must be a finite decimal string, got ${JSON.stringify(v)}`,
      );
    }
    return n;
  });
}

export function dsValue(where: string, ds: DicomDataset, tag: number): number | undefined {
  return dsValues(where, ds, tag)?.[0];
}

/** An integer string parsed strictly. */
export function isValue(where: string, ds: DicomDataset, tag: number): number | undefined {
  const v = stringValues(where, ds, tag)?.[0];
  if (v === undefined) return undefined;
  if (!IS_PATTERN.test(v))
    throw corrupt(where, `${tagName(tag)} must be an integer string, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** The first item of a sequence, if any. */
export function firstItem(ds: DicomDataset | undefined, tag: number): DicomDataset | undefined {
  return ds?.elements.get(tag)?.items?.[0];
}

/** Refuses transfer syntaxes we cannot decode pixel data for. */
export function assertKnownTransferSyntax(where: string, ts: string): void {
  const known = Object.values(TRANSFER_SYNTAX) as string[];
  if (!known.includes(ts)) throw unsupported(where, `unsupported transfer syntax ${ts}`);
}
