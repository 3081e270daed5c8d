import type { Spec } from 'vega-typings';
import { textWidth } from './figure-font.js';
import { FIGURE_STYLE, type RenderedFigure, renderFigure } from './render-figure.js';

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

/** One kind of box (e.g. "no correction"), drawn in one colour in every group. */
export interface BoxSeries {
  readonly name: string;
  /** A CSS colour. */
  readonly colour: string;
}

/** One group of boxes on the x axis: one sample per series, in the order of the series. */
export interface BoxGroup {
  readonly label: string;
  readonly samples: readonly (readonly number[])[];
}

/** What a box plot says: every text is required, so no figure goes out unlabelled. */
export interface BoxPlotOptions {
  readonly title: string;
  /** Lines under the title: what was pooled, how the boxes are drawn. */
  readonly subtitle?: readonly string[];
  /** The x axis: what a group is. */
  readonly xTitle: string;
  /** The y axis: the quantity and its unit. */
  readonly yTitle: string;
  /** The legend's title: what the series are. */
  readonly legendTitle: string;
  readonly series: readonly BoxSeries[];
  /** A fixed y range (e.g. [0, 1] for SSIM); otherwise from 0 (or the lowest value) to a round top. */
  readonly yDomain?: readonly [number, number];
}

/** Orange for the baseline (no correction), blue for the model's output: as the report says. */
export const BASELINE_COLOUR = '#ff7f0e';
export const CORRECTED_COLOUR = '#1f77b4';

/**
 * The Vega spec of a box plot: groups along x, one box per series in each (Tukey: the box spans
 * Q1 to Q3 with the median as a black line, whiskers with caps at the last values within 1.5 IQR,
 * outliers as open circles), a y grid, and a colour legend of the series. An empty sample leaves
 * its slot empty; the group keeps its place and label.
 */
export function boxPlotSpec(groups: readonly BoxGroup[], options: BoxPlotOptions): Spec {
  const boxes: Record<string, string | number>[] = [];
  const outliers: { group: string; series: string; value: number }[] = [];
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const group of groups) {
    options.series.forEach((series, k) => {
      const values = group.samples[k] ?? [];
      const s = boxStats(values);
      if (s === null) return;
      boxes.push({ group: group.label, series: series.name, ...s });
      lowest = Math.min(lowest, s.min);
      highest = Math.max(highest, s.max);
      for (const value of values)
        if (Number.isFinite(value) && (value < s.whiskerLow || value > s.whiskerHigh))
          outliers.push({ group: group.label, series: series.name, value });
    });
  }
  const domain: [number, number] = options.yDomain
    ? [options.yDomain[0], options.yDomain[1]]
    : Number.isFinite(lowest)
      ? [Math.min(0, lowest), highest > Math.min(0, lowest) ? highest : Math.min(0, lowest) + 1]
      : [0, 1];
  const step = Math.max(64, options.series.length * 26 + 28);
  const labels = groups.map((g) => g.label);
  const widest = Math.max(0, ...labels.map((l) => textWidth(l, FIGURE_STYLE.labelSize)));
  const slanted = widest > step - 6;
  const at = (band: number) => ({
    scale: 'x',
    field: 'group',
    offset: { scale: 'series', field: 'series', offset: { scale: 'series', band } },
  });
  return {
    width: Math.max(260, groups.length * step),
    height: 300,
    padding: 12,
    title: {
      text: options.title,
      ...(options.subtitle ? { subtitle: [...options.subtitle] } : {}),
      offset: 12,
    },
    data: [
      { name: 'boxes', values: boxes },
      { name: 'outliers', values: outliers },
    ],
    scales: [
      { name: 'x', type: 'band', domain: labels, range: 'width', paddingInner: 0.15 },
      {
        name: 'series',
        type: 'band',
        domain: options.series.map((s) => s.name),
        range: [0, { signal: "bandwidth('x')" }],
        paddingInner: 0.2,
        paddingOuter: 0.3,
      },
      { name: 'y', type: 'linear', domain, range: 'height', nice: !options.yDomain, zero: false },
      {
        name: 'colour',
        type: 'ordinal',
        domain: options.series.map((s) => s.name),
        range: options.series.map((s) => s.colour),
      },
    ],
    axes: [
      {
        orient: 'bottom',
        scale: 'x',
        title: options.xTitle,
        labelAngle: slanted ? -35 : 0,
        labelAlign: slanted ? 'right' : 'center',
        titlePadding: 8,
      },
      {
        orient: 'left',
        scale: 'y',
        title: options.yTitle,
        grid: true,
        gridColor: '#e4e4e4',
        tickCount: 10,
        titlePadding: 8,
      },
    ],
    legends: [
      {
        fill: 'colour',
        title: options.legendTitle,
        orient: 'right',
        symbolType: 'square',
        symbolSize: 120,
        symbolStrokeColor: '#333333',
        symbolStrokeWidth: 1,
      },
    ],
    marks: [
      {
        type: 'rule',
        from: { data: 'boxes' },
        encode: {
          update: {
            x: at(0.5),
            y: { scale: 'y', field: 'whiskerLow' },
            y2: { scale: 'y', field: 'whiskerHigh' },
            stroke: { value: '#333333' },
          },
        },
      },
      ...(['whiskerLow', 'whiskerHigh'] as const).map((end) => ({
        type: 'rule' as const,
        from: { data: 'boxes' },
        encode: {
          update: {
            x: at(0.25),
            x2: at(0.75),
            y: { scale: 'y', field: end },
            stroke: { value: '#333333' },
          },
        },
      })),
      {
        type: 'rect',
        from: { data: 'boxes' },
        encode: {
          update: {
            x: at(0),
            width: { scale: 'series', band: 1 },
            y: { scale: 'y', field: 'q3' },
            y2: { scale: 'y', field: 'q1' },
            fill: { scale: 'colour', field: 'series' },
            stroke: { value: '#333333' },
            strokeWidth: { value: 1 },
          },
        },
      },
      {
        type: 'rule',
        from: { data: 'boxes' },
        encode: {
          update: {
            x: at(0),
            x2: at(1),
            y: { scale: 'y', field: 'median' },
            stroke: { value: 'black' },
            strokeWidth: { value: 2 },
          },
        },
      },
      {
        type: 'symbol',
        from: { data: 'outliers' },
        encode: {
          update: {
            x: at(0.5),
            y: { scale: 'y', field: 'value' },
            shape: { value: 'circle' },
            size: { value: 18 },
            stroke: { scale: 'colour', field: 'series' },
            strokeWidth: { value: 1.2 },
            fill: { value: 'transparent' },
          },
        },
      },
    ],
  };
}

/** A box plot ({@link boxPlotSpec}) as SVG and as PNG at twice its size. */
export function renderBoxPlot(
  groups: readonly BoxGroup[],
  options: BoxPlotOptions,
): Promise<RenderedFigure> {
  return renderFigure(boxPlotSpec(groups, options), { scale: 2 });
}
