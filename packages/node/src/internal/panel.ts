import { type Axis, extractPlane, orientation, type Volume } from '@duncan-mri/volume';
import { encodePng } from './png.js';

function percentile(sorted: Float32Array, p: number): number {
  if (sorted.length === 0) return 0;
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return sorted[i]! + (b - sorted[i]!) * (pos - i);
}

/** A 2-D image for a panel; `flipX`/`flipY` orient it for display. */
export interface PanelImage {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly flipX: boolean;
  readonly flipY: boolean;
  readonly signed?: boolean;
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
 * A PNG of slices side by side (4-pixel gaps), each flipped as {@link sliceOf} says. Images in `shared` use one window (0.5 - 99.5 percentile of the first); `signed` images
 * (artefact maps) are centred on mid-grey, +-99.5th percentile of |value|.
 */
export function renderPanel(images: readonly PanelImage[]): Uint8Array {
  const gap = 4;
  const width = images[0]!.width;
  const height = images[0]!.height;
  const total = images.length * width + (images.length - 1) * gap;
  const out = new Uint8Array(total * height);
  const first = Float32Array.from(images[0]!.data).sort();
  const lo = percentile(first, 0.5);
  let hi = percentile(first, 99.5);
  if (!(hi > lo)) hi = lo + 1;
  images.forEach((image, k) => {
    let map: (v: number) => number;
    if (image.signed) {
      const abs = Float32Array.from(image.data, Math.abs).sort();
      const m = percentile(abs, 99.5) || 1;
      map = (v) => 127.5 + (127.5 * v) / m;
    } else {
      map = (v) => (255 * (v - lo)) / (hi - lo);
    }
    const x0 = k * (width + gap);
    for (let y = 0; y < height; y++) {
      const row = (image.flipY ? height - 1 - y : y) * total + x0;
      for (let x = 0; x < width; x++) {
        const v = map(image.data[x + width * y]!);
        const col = image.flipX ? width - 1 - x : x;
        out[row + col] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v))) : 0;
      }
    }
  });
  return encodePng({ width: total, height, channels: 1, data: out });
}

const COLOURS: readonly [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/**
 * A loss-curve PNG: every series on one log10 axis (step on x), one colour per series in the
 * order given (the colours are listed in the CSV written beside it), light grid lines at each
 * power of ten.
 */
export function renderLossCurve(
  series: readonly { name: string; values: readonly number[] }[],
  size: { width: number; height: number } = { width: 640, height: 360 },
): Uint8Array {
  const { width, height } = size;
  const pad = 24;
  const data = new Uint8Array(width * height * 3).fill(255);
  const set = (x: number, y: number, c: readonly [number, number, number]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = 3 * (Math.round(y) * width + Math.round(x));
    data[i] = c[0];
    data[i + 1] = c[1];
    data[i + 2] = c[2];
  };
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let steps = 1;
  for (const s of series) {
    steps = Math.max(steps, s.values.length);
    for (const v of s.values) {
      if (v > 0 && Number.isFinite(v)) {
        lo = Math.min(lo, Math.log10(v));
        hi = Math.max(hi, Math.log10(v));
      }
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  lo = Math.floor(lo);
  hi = Math.max(Math.ceil(hi), lo + 1);
  const px = (i: number) => pad + ((width - 2 * pad) * i) / Math.max(1, steps - 1);
  const py = (v: number) => height - pad - ((height - 2 * pad) * (Math.log10(v) - lo)) / (hi - lo);
  for (let d = lo; d <= hi; d++) {
    const y = height - pad - ((height - 2 * pad) * (d - lo)) / (hi - lo);
    for (let x = pad; x < width - pad; x++) set(x, y, [225, 225, 225]);
  }
  for (let x = pad; x < width - pad; x++) set(x, height - pad, [0, 0, 0]);
  for (let y = pad; y <= height - pad; y++) set(pad, y, [0, 0, 0]);
  series.forEach((s, k) => {
    const c = COLOURS[k % COLOURS.length]!;
    let prev: [number, number] | undefined;
    s.values.forEach((v, i) => {
      if (!(v > 0 && Number.isFinite(v))) {
        prev = undefined;
        return;
      }
      const p: [number, number] = [px(i), py(v)];
      if (prev) {
        const n = Math.max(1, Math.ceil(Math.hypot(p[0] - prev[0], p[1] - prev[1])));
        for (let t = 0; t <= n; t++)
          set(prev[0] + ((p[0] - prev[0]) * t) / n, prev[1] + ((p[1] - prev[1]) * t) / n, c);
      } else {
        set(p[0], p[1], c);
      }
      prev = p;
    });
  });
  return encodePng({ width, height, channels: 3, data });
}

/** The colour names of {@link renderLossCurve}'s series, in order. */
export const LOSS_COLOUR_NAMES = [
  'blue',
  'orange',
  'green',
  'red',
  'purple',
  'brown',
  'pink',
  'grey',
  'olive',
  'cyan',
];
