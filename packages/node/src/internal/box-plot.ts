import { encodePng } from './png.js';

/** Tukey's box of a sample: quartiles, whiskers at the last values within 1.5 IQR, outliers. */
export interface BoxStats {
  /** Finite values in the sample. */
  readonly n: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  /** The lowest value at or above `q1 - 1.5 IQR`. */
  readonly whiskerLow: number;
  /** The highest value at or below `q3 + 1.5 IQR`. */
  readonly whiskerHigh: number;
  /** Values outside the whiskers. */
  readonly outliers: number;
}

function quantile(sorted: readonly number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const i = Math.floor(pos);
  const a = sorted[i]!;
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return a + (b - a) * (pos - i);
}

/**
 * Box statistics of the finite values (quartiles linearly interpolated, as numpy's default);
 * `null` when there are none.
 */
export function boxStats(values: readonly number[]): BoxStats | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  const inside = sorted.filter((v) => v >= q1 - 1.5 * iqr && v <= q3 + 1.5 * iqr);
  return {
    n: sorted.length,
    min: sorted[0]!,
    q1,
    median: quantile(sorted, 0.5),
    q3,
    max: sorted[sorted.length - 1]!,
    whiskerLow: inside[0]!,
    whiskerHigh: inside[inside.length - 1]!,
    outliers: sorted.length - inside.length,
  };
}

/** One group of a box plot: its samples in order (e.g. corrupted, then corrected). */
export interface BoxGroup {
  readonly boxes: readonly (readonly number[])[];
}

/** Box colours in order: orange (no correction), blue (corrected), then grey. */
export const BOX_COLOURS: readonly (readonly [number, number, number])[] = [
  [255, 127, 14],
  [31, 119, 180],
  [127, 127, 127],
];

/**
 * A box-plot PNG (RGB, white background): groups left to right, separated by light vertical
 * lines, the boxes of a group side by side in {@link BOX_COLOURS}; y from `yMin` to `yMax`
 * (values outside are drawn at the edge) with a light grid line every `yStep` and a darker one
 * at every fifth. Each box: a filled rectangle from Q1 to Q3, a black median line, whiskers with
 * caps (Tukey, 1.5 IQR), outliers as small squares. An empty sample leaves its slot blank.
 * No text: the caller lists the groups' order beside the image.
 */
export function renderBoxPlot(
  groups: readonly BoxGroup[],
  options: { yMin?: number; yMax?: number; yStep?: number; height?: number } = {},
): Uint8Array {
  const { yMin = 0, yMax = 1, yStep = 0.1, height = 320 } = options;
  const boxWidth = 18;
  const boxGap = 6;
  const groupGap = 24;
  const pad = 20;
  const perGroup = Math.max(1, ...groups.map((g) => g.boxes.length));
  const groupWidth = perGroup * boxWidth + (perGroup - 1) * boxGap;
  const width = Math.max(
    120,
    2 * pad + groups.length * groupWidth + Math.max(0, groups.length - 1) * groupGap,
  );
  const data = new Uint8Array(width * height * 3).fill(255);
  const set = (x: number, y: number, c: readonly [number, number, number]) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= width || yi >= height) return;
    const i = 3 * (yi * width + xi);
    data[i] = c[0];
    data[i + 1] = c[1];
    data[i + 2] = c[2];
  };
  const rect = (x0: number, y0: number, x1: number, y1: number, c: [number, number, number]) => {
    for (let y = Math.round(Math.min(y0, y1)); y <= Math.round(Math.max(y0, y1)); y++)
      for (let x = Math.round(x0); x <= Math.round(x1); x++) set(x, y, c);
  };
  const span = yMax > yMin ? yMax - yMin : 1;
  const py = (v: number) =>
    height - pad - ((height - 2 * pad) * (Math.min(yMax, Math.max(yMin, v)) - yMin)) / span;
  const lines = Math.round(span / yStep);
  for (let k = 0; k <= lines; k++) {
    const grey: [number, number, number] = k % 5 === 0 ? [190, 190, 190] : [232, 232, 232];
    const y = py(yMin + k * yStep);
    for (let x = pad; x < width - pad; x++) set(x, y, grey);
  }
  for (let y = pad; y <= height - pad; y++) set(pad - 1, y, [0, 0, 0]);
  groups.forEach((group, g) => {
    const gx = pad + g * (groupWidth + groupGap);
    if (g > 0) {
      const sx = gx - groupGap / 2;
      for (let y = pad; y <= height - pad; y++) set(sx, y, [210, 210, 210]);
    }
    group.boxes.forEach((values, b) => {
      const s = boxStats(values);
      if (s === null) return;
      const colour = BOX_COLOURS[b % BOX_COLOURS.length]!;
      const light: [number, number, number] = [
        Math.round(255 - (255 - colour[0]) * 0.45),
        Math.round(255 - (255 - colour[1]) * 0.45),
        Math.round(255 - (255 - colour[2]) * 0.45),
      ];
      const dark: [number, number, number] = [colour[0], colour[1], colour[2]];
      const x0 = gx + b * (boxWidth + boxGap);
      const x1 = x0 + boxWidth - 1;
      const xm = (x0 + x1) / 2;
      // whiskers and caps
      for (let y = Math.round(py(s.whiskerHigh)); y <= Math.round(py(s.whiskerLow)); y++)
        set(xm, y, dark);
      rect(x0 + 4, py(s.whiskerHigh), x1 - 4, py(s.whiskerHigh), dark);
      rect(x0 + 4, py(s.whiskerLow), x1 - 4, py(s.whiskerLow), dark);
      // box with an outline
      rect(x0, py(s.q3), x1, py(s.q1), light);
      rect(x0, py(s.q3), x1, py(s.q3), dark);
      rect(x0, py(s.q1), x1, py(s.q1), dark);
      rect(x0, py(s.q3), x0, py(s.q1), dark);
      rect(x1, py(s.q3), x1, py(s.q1), dark);
      // median
      rect(x0, py(s.median) - 1, x1, py(s.median) + 1, [0, 0, 0]);
      for (const v of values) {
        if (Number.isFinite(v) && (v < s.whiskerLow || v > s.whiskerHigh))
          rect(xm - 1, py(v) - 1, xm + 1, py(v) + 1, dark);
      }
    });
  });
  return encodePng({ width, height, channels: 3, data });
}
