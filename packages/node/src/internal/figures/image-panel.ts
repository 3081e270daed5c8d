import { type Axis, extractPlane, MriError, orientation, type Volume } from '@duncan-mri/volume';
import type { Legend, Mark, Scale, Spec } from 'vega-typings';
import { encodePng } from '../png.js';
import { fitText, textWidth } from './figure-font.js';
import { FIGURE_STYLE, type RenderedFigure, renderFigure } from './render-figure.js';

/** A 2-D image for a panel; `flipX`/`flipY` orient it for display. */
export interface PanelImage {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly flipX: boolean;
  readonly flipY: boolean;
}

/**
 * One slice along `axis` as a 2-D image (width = the faster remaining axis), oriented by the
 * affine as scanners show it: the patient's right on the left, anterior or superior up.
 */
export function sliceOf(volume: Volume, axis: Axis, index: number): PanelImage {
  const kept = [0, 1, 2].filter((i) => i !== axis);
  const codes = orientation(volume.affine);
  const h = codes[kept[0]!]!;
  const v = codes[kept[1]!]!;
  return {
    data: extractPlane(volume.data, volume.shape, axis, index),
    width: volume.shape[kept[0]!]!,
    height: volume.shape[kept[1]!]!,
    flipX: h === 'R' || h === 'A',
    flipY: v === 'A' || v === 'S',
  };
}

/**
 * How a tile's values become colours:
 * - `image`: grey, one window for every `image` tile (0.5 - 99.5 percentile of the first);
 * - `signed`: grey with mid-grey at 0, +-99.5th percentile of |value| over the `signed` tiles;
 * - `error`: the "hot" map (black, red, yellow, white) from 0 to the panel's `errorMax`;
 * - `labels`: {@link LABEL_COLOURS} by value (0 black), white beyond;
 * - `mask`: white where non-zero; `blank`: black (a tile with nothing to show).
 */
export type TileKind = 'image' | 'signed' | 'error' | 'labels' | 'mask' | 'blank';

/** A tile of {@link renderImagePanel}: an image, how to colour it, and its caption. */
export interface PanelTile {
  readonly image: PanelImage;
  readonly kind: TileKind;
  /** The caption's first line (what the image is). */
  readonly title: string;
  /** The caption's second line (a score, the formula of a map). */
  readonly subtitle?: string;
}

/** Options of {@link renderImagePanel}. */
export interface ImagePanelOptions {
  readonly title: string;
  /** Lines under the title: where the slice is from, what was done. */
  readonly subtitle?: readonly string[];
  /** Tiles per row (default: all in one row). */
  readonly columns?: number;
  /** `error` tiles: the value drawn white (0 is black); larger values saturate. */
  readonly errorMax?: number;
  /** The colour legends' titles, with units; defaults name the image intensity in a.u. */
  readonly legendTitles?: Partial<Record<'image' | 'signed' | 'error' | 'labels', string>>;
  /** The names of label values 0, 1, 2, ... in the `labels` legend. */
  readonly labelNames?: readonly string[];
}

/** Where each tile's image lies in the panel's PNG (pixels, left-top origin). */
export interface TileBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A rendered panel and where its tiles are. */
export interface RenderedPanel extends RenderedFigure {
  readonly tiles: readonly TileBox[];
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

function percentile(sorted: Float32Array, p: number): number {
  if (sorted.length === 0) return 0;
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return sorted[i]! + (b - sorted[i]!) * (pos - i);
}

type Weight = 'normal' | 'bold';

const hex = (c: readonly number[]) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** Tiles are enlarged by a whole factor until their longer side reaches this (never shrunk). */
const MIN_TILE = 192;
const MARGIN = 12;
const GAP_X = 10;
const GAP_Y = 12;
const CAPTION = { size: 12, line: 16 };
const CAPTION_SUB = { size: 11, line: 15 };
const LEGEND_HEIGHT = 52;
const LEGEND_GAP = 28;
const GRADIENT_LENGTH = 200;

/**
 * A panel of image tiles in a grid, as SVG and PNG: a title and subtitle lines at the top, each
 * tile captioned above (its title, and a subtitle if any), and under the grid a legend for each
 * colour map in use (a gradient with ticks for `image`, `signed` and `error`, the label colours
 * for `labels`). Tiles must share one size; each is flipped as its {@link PanelImage} says and
 * enlarged by a whole factor when its longer side is under 192 pixels (never shrunk: images show
 * at full resolution). The tiles are embedded as PNG and drawn nearest-neighbour at whole pixel
 * positions, so their pixels in the panel's PNG are exactly the mapped colours
 * ({@link RenderedPanel.tiles} says where). Captions too long for a tile end in an ellipsis.
 */
export async function renderImagePanel(
  tiles: readonly PanelTile[],
  options: ImagePanelOptions,
): Promise<RenderedPanel> {
  if (tiles.length === 0) throw new MriError('INTERNAL', 'renderImagePanel: no tiles');
  const { width: w, height: h } = tiles[0]!.image;
  for (const tile of tiles) {
    if (tile.image.width !== w || tile.image.height !== h)
      throw new MriError(
        'INTERNAL',
        `renderImagePanel: tiles must share one size, got ${tile.image.width}x${tile.image.height} and ${w}x${h}`,
      );
  }
  const columns = Math.max(1, Math.min(options.columns ?? tiles.length, tiles.length));
  const rows = Math.ceil(tiles.length / columns);
  const zoom = Math.max(1, Math.floor(MIN_TILE / Math.max(w, h)));
  const tw = w * zoom;
  const th = h * zoom;
  const kinds = new Set(tiles.map((t) => t.kind));

  // The colour maps.
  const windowTile = tiles.find((t) => t.kind === 'image');
  let lo = 0;
  let hi = 1;
  if (windowTile !== undefined) {
    const sorted = Float32Array.from(windowTile.image.data).sort();
    lo = percentile(sorted, 0.5);
    hi = percentile(sorted, 99.5);
    if (!(hi > lo)) hi = lo + 1;
  }
  let signedMax = 0;
  for (const tile of tiles) {
    if (tile.kind !== 'signed') continue;
    const abs = Float32Array.from(tile.image.data, Math.abs).sort();
    signedMax = Math.max(signedMax, percentile(abs, 99.5));
  }
  if (!(signedMax > 0)) signedMax = 1;
  const errorMax = options.errorMax !== undefined && options.errorMax > 0 ? options.errorMax : 1;
  const grey = (g: number): readonly [number, number, number] => {
    const c = Number.isFinite(g) ? Math.max(0, Math.min(255, Math.round(g))) : 0;
    return [c, c, c];
  };
  const colourOf = (kind: TileKind): ((v: number) => readonly [number, number, number]) => {
    switch (kind) {
      case 'image':
        return (v) => grey((255 * (v - lo)) / (hi - lo));
      case 'signed':
        return (v) => grey(127.5 + (127.5 * v) / signedMax);
      case 'error':
        return (v) => hotColour(v / errorMax);
      case 'labels':
        return (v) => LABEL_COLOURS[Math.round(v)] ?? [255, 255, 255];
      case 'mask':
        return (v) => (v !== 0 ? [255, 255, 255] : [0, 0, 0]);
      default:
        return () => [0, 0, 0];
    }
  };
  const tileUrl = (tile: PanelTile) => {
    const colour = colourOf(tile.kind);
    const { data: values, flipX, flipY } = tile.image;
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      const sy = flipY ? h - 1 - y : y;
      for (let x = 0; x < w; x++) {
        const c = colour(values[(flipX ? w - 1 - x : x) + w * sy]!);
        rgb.set(c, 3 * (x + w * y));
      }
    }
    const png = encodePng({ width: w, height: h, channels: 3, data: rgb });
    return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  };

  // The layout, in whole pixels (the PNG is drawn at scale 1, so these are its pixels).
  const header: { text: string; size: number; weight: Weight; line: number }[] = [
    { text: options.title, size: FIGURE_STYLE.titleSize, weight: 'bold', line: 20 },
    ...(options.subtitle ?? []).map((text) => ({
      text,
      size: FIGURE_STYLE.subtitleSize,
      weight: 'normal' as const,
      line: 16,
    })),
  ];
  const headerHeight = header.reduce((sum, l) => sum + l.line, 0) + 8;
  const hasSubtitles = tiles.some((t) => t.subtitle !== undefined);
  const captionHeight = CAPTION.line + (hasSubtitles ? CAPTION_SUB.line : 0) + 3;
  const cellHeight = captionHeight + th;
  const gridWidth = columns * tw + (columns - 1) * GAP_X;
  const gridTop = MARGIN + headerHeight;
  const gridBottom = gridTop + rows * cellHeight + (rows - 1) * GAP_Y;
  const boxes: TileBox[] = tiles.map((_, k) => ({
    x: MARGIN + (k % columns) * (tw + GAP_X),
    y: gridTop + Math.floor(k / columns) * (cellHeight + GAP_Y) + captionHeight,
    width: tw,
    height: th,
  }));

  const titles = { ...options.legendTitles };
  const labelNames = (
    options.labelNames ?? ['outside the mask', '1 (CSF on a T1)', '2 (GM)', '3 (WM)']
  ).slice(0, LABEL_COLOURS.length);
  const scales: Scale[] = [];
  const legendSpecs: { legend: Omit<Legend, 'legendX' | 'legendY'>; width: number }[] = [];
  const gradient = (name: string, domain: number[], range: string[], title: string) => {
    scales.push({ name, type: 'linear', domain, range, zero: false, nice: false });
    legendSpecs.push({
      legend: {
        fill: name,
        type: 'gradient',
        direction: 'horizontal',
        title,
        gradientLength: GRADIENT_LENGTH,
        gradientThickness: 10,
        gradientStrokeColor: '#888888',
        tickCount: 5,
      },
      width: Math.max(GRADIENT_LENGTH + 16, textWidth(title, FIGURE_STYLE.axisTitleSize, 'bold')),
    });
  };
  if (kinds.has('image'))
    gradient(
      'intensity',
      [lo, hi],
      ['#000000', '#ffffff'],
      titles.image ?? 'intensity (a.u.; window: 0.5th-99.5th percentile)',
    );
  if (kinds.has('signed'))
    gradient(
      'signed',
      [-signedMax, signedMax],
      ['#000000', '#ffffff'],
      titles.signed ?? 'signed map (a.u.; mid-grey is 0)',
    );
  if (kinds.has('error'))
    gradient(
      'error',
      [0, errorMax / 3, (2 * errorMax) / 3, errorMax],
      ['#000000', '#ff0000', '#ffff00', '#ffffff'],
      titles.error ?? '|error| (a.u.)',
    );
  if (kinds.has('labels')) {
    scales.push({
      name: 'labels',
      type: 'ordinal',
      domain: labelNames,
      range: labelNames.map((_, i) => hex(LABEL_COLOURS[i]!)),
    });
    const title = titles.labels ?? 'tissue class';
    legendSpecs.push({
      legend: {
        fill: 'labels',
        direction: 'horizontal',
        title,
        symbolType: 'square',
        symbolSize: 110,
        symbolStrokeColor: '#888888',
        symbolStrokeWidth: 1,
        labelOffset: 4,
        columnPadding: 14,
      },
      width: Math.max(
        textWidth(title, FIGURE_STYLE.axisTitleSize, 'bold'),
        labelNames.reduce((sum, n) => sum + 30 + textWidth(n, FIGURE_STYLE.labelSize), 0),
      ),
    });
  }
  // Legends left to right under the grid, wrapped into rows that fit the figure's width.
  const headerWidth = Math.max(...header.map((l) => textWidth(l.text, l.size, l.weight)));
  const innerWidth = Math.ceil(
    Math.max(gridWidth, headerWidth, ...legendSpecs.map((l) => l.width)),
  );
  const legends: Legend[] = [];
  let lx = 0;
  let ly = gridBottom + 14;
  for (const { legend, width } of legendSpecs) {
    if (lx > 0 && lx + width > innerWidth) {
      lx = 0;
      ly += LEGEND_HEIGHT;
    }
    legends.push({ ...legend, orient: 'none', legendX: MARGIN + lx, legendY: ly });
    lx += Math.ceil(width) + LEGEND_GAP;
  }
  const height = legends.length > 0 ? ly + LEGEND_HEIGHT + MARGIN - 8 : gridBottom + MARGIN;
  const width = innerWidth + 2 * MARGIN;

  const text = (
    value: string,
    x: number,
    y: number,
    size: number,
    weight: Weight,
    colour: string,
  ): Mark => ({
    type: 'text',
    encode: {
      update: {
        x: { value: x },
        y: { value: y },
        text: { value },
        fontSize: { value: size },
        fontWeight: { value: weight },
        fill: { value: colour },
        baseline: { value: 'top' },
      },
    },
  });
  const marks: Mark[] = [];
  let y = MARGIN;
  for (const line of header) {
    marks.push(
      text(
        line.text,
        MARGIN,
        y,
        line.size,
        line.weight,
        line.weight === 'bold' ? FIGURE_STYLE.text : FIGURE_STYLE.muted,
      ),
    );
    y += line.line;
  }
  tiles.forEach((tile, k) => {
    const box = boxes[k]!;
    const top = box.y - captionHeight;
    marks.push(
      text(
        fitText(tile.title, CAPTION.size, tw, 'bold'),
        box.x,
        top,
        CAPTION.size,
        'bold',
        FIGURE_STYLE.text,
      ),
    );
    if (tile.subtitle !== undefined)
      marks.push(
        text(
          fitText(tile.subtitle, CAPTION_SUB.size, tw),
          box.x,
          top + CAPTION.line,
          CAPTION_SUB.size,
          'normal',
          FIGURE_STYLE.muted,
        ),
      );
    // A one-pixel frame just outside the tile (a white mask still shows its edge).
    marks.push({
      type: 'rect',
      encode: {
        update: {
          x: { value: box.x - 0.5 },
          y: { value: box.y - 0.5 },
          width: { value: tw + 1 },
          height: { value: th + 1 },
          stroke: { value: '#9a9a9a' },
          strokeWidth: { value: 1 },
        },
      },
    });
    marks.push({
      type: 'image',
      encode: {
        update: {
          x: { value: box.x },
          y: { value: box.y },
          width: { value: tw },
          height: { value: th },
          url: { value: tileUrl(tile) },
          aspect: { value: false },
          smooth: { value: false },
        },
      },
    });
  });

  const spec: Spec = {
    width,
    height,
    padding: 0,
    autosize: 'none',
    scales,
    legends,
    marks,
  };
  const figure = await renderFigure(spec);
  return { ...figure, tiles: boxes };
}
