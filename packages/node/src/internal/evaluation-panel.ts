import { encodePng } from './png.js';

/** A tile of {@link renderEvaluationPanel}: a 2-D image and how to draw it. */
export interface EvaluationTile {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly flipX: boolean;
  readonly flipY: boolean;
  /**
   * `image`: the shared grey window (0.5 - 99.5 percentile of the first `image` tile);
   * `signed`: mid-grey at 0, +-99.5th percentile of |value|; `labels`: {@link LABEL_COLOURS}.
   * `mask`: white where non-zero; `blank`: black.
   */
  readonly kind: 'image' | 'signed' | 'labels' | 'mask' | 'blank';
}

/** Label colours: 0 black (outside the mask), 1 blue (CSF on a T1), 2 green (GM), 3 yellow (WM). */
export const LABEL_COLOURS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [31, 119, 180],
  [44, 160, 44],
  [255, 221, 51],
  [214, 39, 40],
  [148, 103, 189],
];

function percentile(sorted: Float32Array, p: number): number {
  if (sorted.length === 0) return 0;
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return sorted[i]! + (b - sorted[i]!) * (pos - i);
}

/**
 * An RGB PNG of tiles in a grid (`columns` per row, 4-pixel black gaps), each tile oriented by
 * its flips and enlarged by a whole factor so that its longer side is at least 128 pixels.
 * Tiles must share one size.
 */
export function renderEvaluationPanel(
  tiles: readonly EvaluationTile[],
  columns: number,
): Uint8Array {
  const first = tiles[0]!;
  const { width: w, height: h } = first;
  const scale = Math.max(1, Math.floor(128 / Math.max(w, h)));
  const gap = 4;
  const rows = Math.ceil(tiles.length / columns);
  const tw = w * scale;
  const th = h * scale;
  const width = columns * tw + (columns - 1) * gap;
  const height = rows * th + (rows - 1) * gap;
  const out = new Uint8Array(width * height * 3);
  const window = tiles.find((t) => t.kind === 'image');
  let lo = 0;
  let hi = 1;
  if (window !== undefined) {
    const sorted = Float32Array.from(window.data).sort();
    lo = percentile(sorted, 0.5);
    hi = percentile(sorted, 99.5);
    if (!(hi > lo)) hi = lo + 1;
  }
  tiles.forEach((tile, k) => {
    if (tile.width !== w || tile.height !== h)
      throw new RangeError(
        `renderEvaluationPanel: tiles must share one size, got ${tile.width}x${tile.height} and ${w}x${h}`,
      );
    let colour: (v: number) => readonly [number, number, number];
    const grey = (g: number): [number, number, number] => {
      const c = Number.isFinite(g) ? Math.max(0, Math.min(255, Math.round(g))) : 0;
      return [c, c, c];
    };
    if (tile.kind === 'labels') {
      colour = (v) => LABEL_COLOURS[Math.round(v)] ?? [255, 255, 255];
    } else if (tile.kind === 'signed') {
      const abs = Float32Array.from(tile.data, Math.abs).sort();
      const m = percentile(abs, 99.5) || 1;
      colour = (v) => grey(127.5 + (127.5 * v) / m);
    } else if (tile.kind === 'image') {
      colour = (v) => grey((255 * (v - lo)) / (hi - lo));
    } else if (tile.kind === 'mask') {
      colour = (v) => (v !== 0 ? [255, 255, 255] : [0, 0, 0]);
    } else {
      colour = () => [0, 0, 0];
    }
    const x0 = (k % columns) * (tw + gap);
    const y0 = Math.floor(k / columns) * (th + gap);
    for (let y = 0; y < h; y++) {
      const sy = tile.flipY ? h - 1 - y : y;
      for (let x = 0; x < w; x++) {
        const sx = tile.flipX ? w - 1 - x : x;
        const c = colour(tile.data[sx + w * sy]!);
        for (let dy = 0; dy < scale; dy++) {
          let at = 3 * ((y0 + y * scale + dy) * width + x0 + x * scale);
          for (let dx = 0; dx < scale; dx++) {
            out[at++] = c[0];
            out[at++] = c[1];
            out[at++] = c[2];
          }
        }
      }
    }
  });
  return encodePng({ width, height, channels: 3, data: out });
}
