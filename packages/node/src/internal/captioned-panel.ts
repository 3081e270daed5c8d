import { drawText, GLYPH_HEIGHT, textWidth } from './bitmap-font.js';
import type { PanelImage } from './panel.js';
import { encodePng } from './png.js';

/** A tile of {@link renderCaptionedPanel}: an image and the two caption lines above it. */
export interface CaptionedTile {
  readonly image: PanelImage;
  /**
   * `image`: the shared grey window (0.5 - 99.5 percentile of the first `image` tile);
   * `error`: a non-negative error map on the panel's error scale (`errorMax`), black - red -
   * yellow - white.
   */
  readonly kind: 'image' | 'error';
  readonly title: string;
  readonly subtitle?: string;
}

/** Options of {@link renderCaptionedPanel}. */
export interface CaptionedPanelOptions {
  /** The value drawn white in every `error` tile (0 is black); larger values saturate. */
  readonly errorMax: number;
  /** The label of the error colour bar, drawn under the `error` tiles. */
  readonly errorLabel: string;
  /** A note drawn under the `image` tiles (left-aligned), e.g. what was done. */
  readonly footer?: string;
}

const BACKGROUND: readonly [number, number, number] = [24, 24, 24];
const TEXT: readonly [number, number, number] = [235, 235, 235];
const MUTED: readonly [number, number, number] = [170, 170, 170];

function percentile(sorted: Float32Array, p: number): number {
  if (sorted.length === 0) return 0;
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return sorted[i]! + (b - sorted[i]!) * (pos - i);
}

/** The error colour map: black (0) - red - yellow - white (1), "hot". */
export function hotColour(t: number): [number, number, number] {
  const c = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
  const ramp = (v: number) => Math.round(255 * Math.max(0, Math.min(1, v)));
  return [ramp(3 * c), ramp(3 * c - 1), ramp(3 * c - 2)];
}

/** A number for a caption: at most 3 significant digits, no exponent for 0.001 - 99999. */
export function captionNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/**
 * An RGB PNG of tiles in one row, each with a title and an optional subtitle above it (a 5x7
 * bitmap font, {@link drawText}), and under the `error` tiles a colour bar of the shared error
 * scale from 0 to `errorMax` with both ends labelled. Tiles must share one size; each is
 * flipped as its {@link PanelImage} says and enlarged by a whole factor when its longer side is
 * under 200 pixels (never shrunk: the images are shown at full resolution). The font is scaled
 * with the tile width (2x for 200 - 299 pixels), and a caption that does not fit is drawn
 * smaller.
 */
export function renderCaptionedPanel(
  tiles: readonly CaptionedTile[],
  options: CaptionedPanelOptions,
): Uint8Array {
  const first = tiles[0]!.image;
  const { width: w, height: h } = first;
  for (const tile of tiles) {
    if (tile.image.width !== w || tile.image.height !== h)
      throw new RangeError(
        `renderCaptionedPanel: tiles must share one size, got ${tile.image.width}x${tile.image.height} and ${w}x${h}`,
      );
  }
  const scale = Math.max(1, Math.floor(200 / Math.max(w, h)));
  const tw = w * scale;
  const th = h * scale;
  const font = Math.max(1, Math.min(4, Math.floor(tw / 100)));
  const line = (GLYPH_HEIGHT + 3) * font;
  const pad = 3 * font;
  const gap = 2 * font;
  const captionHeight = pad + 2 * line;
  const barHeight = 3 * font;
  const footerHeight = pad + barHeight + font * 2 + line + pad;
  const width = tiles.length * tw + (tiles.length + 1) * gap;
  const height = captionHeight + th + footerHeight;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = BACKGROUND[0];
    data[i + 1] = BACKGROUND[1];
    data[i + 2] = BACKGROUND[2];
  }
  const image = { data, width, height };
  const text = (
    s: string,
    x: number,
    y: number,
    room: number,
    colour: readonly [number, number, number],
    align: 'centre' | 'left' | 'right' = 'centre',
  ) => {
    let f = font;
    while (f > 1 && textWidth(s, f) > room) f--;
    const tw0 = textWidth(s, f);
    const left = align === 'left' ? x : align === 'right' ? x + room - tw0 : x + (room - tw0) / 2;
    drawText(image, s, Math.round(left), y + (font - f) * 3, f, colour);
  };

  const windowTile = tiles.find((t) => t.kind === 'image');
  let lo = 0;
  let hi = 1;
  if (windowTile !== undefined) {
    const sorted = Float32Array.from(windowTile.image.data).sort();
    lo = percentile(sorted, 0.5);
    hi = percentile(sorted, 99.5);
    if (!(hi > lo)) hi = lo + 1;
  }
  const errorMax = options.errorMax > 0 ? options.errorMax : 1;
  const x0Of = (k: number) => gap + k * (tw + gap);
  tiles.forEach((tile, k) => {
    const x0 = x0Of(k);
    text(tile.title, x0, pad, tw, TEXT);
    if (tile.subtitle !== undefined) text(tile.subtitle, x0, pad + line, tw, MUTED);
    const { data: values, flipX, flipY } = tile.image;
    for (let y = 0; y < h; y++) {
      const sy = flipY ? h - 1 - y : y;
      for (let x = 0; x < w; x++) {
        const sx = flipX ? w - 1 - x : x;
        const v = values[sx + w * sy]!;
        let c: readonly [number, number, number];
        if (tile.kind === 'error') {
          c = hotColour(v / errorMax);
        } else {
          const g = (255 * (v - lo)) / (hi - lo);
          const grey = Number.isFinite(g) ? Math.max(0, Math.min(255, Math.round(g))) : 0;
          c = [grey, grey, grey];
        }
        for (let dy = 0; dy < scale; dy++) {
          let at = 3 * ((captionHeight + y * scale + dy) * width + x0 + x * scale);
          for (let dx = 0; dx < scale; dx++) {
            data[at++] = c[0];
            data[at++] = c[1];
            data[at++] = c[2];
          }
        }
      }
    }
  });

  const top = captionHeight + th + pad;
  const errorTiles = tiles.map((t, k) => (t.kind === 'error' ? k : -1)).filter((k) => k >= 0);
  if (errorTiles.length > 0) {
    const left = x0Of(Math.min(...errorTiles));
    const right = x0Of(Math.max(...errorTiles)) + tw;
    for (let x = left; x < right; x++) {
      const c = hotColour((x - left) / Math.max(1, right - left - 1));
      for (let y = top; y < top + barHeight; y++) {
        const at = 3 * (y * width + x);
        data[at] = c[0];
        data[at + 1] = c[1];
        data[at + 2] = c[2];
      }
    }
    const labels = top + barHeight + 2 * font;
    const ends = Math.floor((right - left) / 6);
    text('0', left, labels, ends, TEXT, 'left');
    text(captionNumber(options.errorMax), right - ends, labels, ends, TEXT, 'right');
    text(options.errorLabel, left + ends, labels, right - left - 2 * ends, MUTED);
  }
  if (options.footer !== undefined) {
    const imageTiles = tiles.map((t, k) => (t.kind === 'image' ? k : -1)).filter((k) => k >= 0);
    const left = x0Of(Math.min(...imageTiles, 0));
    const right = x0Of(imageTiles.length > 0 ? Math.max(...imageTiles) : 0) + tw;
    text(options.footer, left, top + barHeight + 2 * font, right - left, MUTED, 'left');
  }
  return encodePng({ width, height, channels: 3, data });
}
