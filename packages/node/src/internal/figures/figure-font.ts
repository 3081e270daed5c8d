import { readFileSync } from 'node:fs';
import { MriError } from '@duncan-mri/volume';
import { ioError } from '../errors.js';
import { packageFile } from '../package-paths.js';

/**
 * The one font of every figure: DejaVu Sans (regular and bold), as matplotlib ships it, so that
 * a figure looks the same on every machine. The build copies the two TrueType files and their
 * licence from the `dejavu-fonts-ttf` package into `dist/fonts/` (tsup.config.ts); nothing reads
 * the system's fonts.
 */
export const FIGURE_FONT_FAMILY = 'DejaVu Sans';

/** The files in `dist/fonts/`, by weight. */
export const FIGURE_FONT_FILES = {
  regular: 'dist/fonts/DejaVuSans.ttf',
  bold: 'dist/fonts/DejaVuSans-Bold.ttf',
} as const;

/** A TrueType face as far as measuring text needs it. */
export interface FontFace {
  /** The file's bytes (for the renderer). */
  readonly bytes: Uint8Array;
  readonly unitsPerEm: number;
  /** The advance width of a code point's glyph in font units (the missing glyph's when absent). */
  advanceOf(codePoint: number): number;
}

const WHERE = 'figures';

/**
 * Reads the tables of a TrueType/OpenType file that text measurement needs: `head`
 * (unitsPerEm), `hhea` and `hmtx` (advance widths), `cmap` (format 12 or 4: code point to glyph).
 * Kerning is ignored, as Vega's own estimate and a canvas without shaping ignore it.
 */
export function parseFontFace(bytes: Uint8Array, name: string): FontFace {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (what: string) =>
    new MriError('CORRUPT_FILE', `${WHERE}: font ${name} ${what}`, { argument: name });
  const u16 = (at: number) => {
    if (at < 0 || at + 2 > bytes.length) throw corrupt('is truncated');
    return view.getUint16(at);
  };
  const u32 = (at: number) => {
    if (at < 0 || at + 4 > bytes.length) throw corrupt('is truncated');
    return view.getUint32(at);
  };
  const tables = new Map<string, number>();
  const count = u16(4);
  for (let i = 0; i < count; i++) {
    const at = 12 + 16 * i;
    tables.set(String.fromCharCode(...bytes.subarray(at, at + 4)), u32(at + 8));
  }
  const table = (tag: string) => {
    const at = tables.get(tag);
    if (at === undefined) throw corrupt(`has no ${tag} table`);
    return at;
  };
  const unitsPerEm = u16(table('head') + 18);
  const metrics = u16(table('hhea') + 34);
  const hmtx = table('hmtx');
  if (unitsPerEm === 0 || metrics === 0) throw corrupt('has no glyph metrics');
  const advanceOfGlyph = (glyph: number) => u16(hmtx + 4 * Math.min(glyph, metrics - 1));

  const cmap = table('cmap');
  const subtables = new Map<string, number>();
  for (let i = 0; i < u16(cmap + 2); i++) {
    const at = cmap + 4 + 8 * i;
    subtables.set(`${u16(at)},${u16(at + 2)}`, cmap + u32(at + 4));
  }
  const full = subtables.get('3,10') ?? subtables.get('0,4');
  const bmp = subtables.get('3,1') ?? subtables.get('0,3');
  let glyphOf: (codePoint: number) => number;
  if (full !== undefined && u16(full) === 12) {
    const groups = u32(full + 12);
    glyphOf = (c) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const at = full + 16 + 12 * mid;
        if (c < u32(at)) hi = mid - 1;
        else if (c > u32(at + 4)) lo = mid + 1;
        else return u32(at + 8) + c - u32(at);
      }
      return 0;
    };
  } else if (bmp !== undefined && u16(bmp) === 4) {
    const segments = u16(bmp + 6) / 2;
    const ends = bmp + 14;
    const starts = ends + 2 * segments + 2;
    const deltas = starts + 2 * segments;
    const offsets = deltas + 2 * segments;
    glyphOf = (c) => {
      if (c > 0xffff) return 0;
      for (let i = 0; i < segments; i++) {
        if (u16(ends + 2 * i) < c) continue;
        const start = u16(starts + 2 * i);
        if (start > c) return 0;
        const delta = u16(deltas + 2 * i);
        const offset = u16(offsets + 2 * i);
        if (offset === 0) return (c + delta) & 0xffff;
        const glyph = u16(offsets + 2 * i + offset + 2 * (c - start));
        return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
      }
      return 0;
    };
  } else {
    throw corrupt('has no Unicode cmap of format 4 or 12');
  }
  const cache = new Map<number, number>();
  return {
    bytes,
    unitsPerEm,
    advanceOf(codePoint) {
      let advance = cache.get(codePoint);
      if (advance === undefined) {
        advance = advanceOfGlyph(glyphOf(codePoint));
        cache.set(codePoint, advance);
      }
      return advance;
    },
  };
}

/** The regular and bold faces of {@link FIGURE_FONT_FAMILY}. */
export interface FigureFonts {
  readonly regular: FontFace;
  readonly bold: FontFace;
}

let loaded: FigureFonts | undefined;

/** The figure fonts, read once from `dist/fonts/` (an `IO_ERROR` naming the file when absent). */
export function figureFonts(): FigureFonts {
  if (loaded === undefined) {
    const read = (relative: string) => {
      const path = packageFile(relative);
      try {
        return parseFontFace(new Uint8Array(readFileSync(path)), path);
      } catch (error) {
        throw ioError(WHERE, 'the font file (copied into dist/fonts/ by the build)', path, error);
      }
    };
    loaded = { regular: read(FIGURE_FONT_FILES.regular), bold: read(FIGURE_FONT_FILES.bold) };
  }
  return loaded;
}

/** Whether a CSS font weight selects the bold face (`bold`, `bolder` or 600 and above). */
export function isBold(weight: string | number | undefined): boolean {
  if (weight === undefined) return false;
  if (weight === 'bold' || weight === 'bolder') return true;
  return Number(weight) >= 600;
}

/** The width in pixels of `text` set in the figure font at `fontSizePx`. */
export function textWidth(text: string, fontSizePx: number, weight?: string | number): number {
  const face = isBold(weight) ? figureFonts().bold : figureFonts().regular;
  let units = 0;
  for (const char of text) units += face.advanceOf(char.codePointAt(0)!);
  return (units * fontSizePx) / face.unitsPerEm;
}

/**
 * `text` fitted into `maxWidth` pixels: as it is, or cut with an ellipsis (the figures never
 * let the renderer truncate, so what is drawn is what was measured).
 */
export function fitText(
  text: string,
  fontSizePx: number,
  maxWidth: number,
  weight?: string | number,
): string {
  if (textWidth(text, fontSizePx, weight) <= maxWidth) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (textWidth(`${chars.slice(0, mid).join('')}…`, fontSizePx, weight) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('').trimEnd()}…`;
}
