import type { Spec } from 'vega-typings';
import { type RenderedFigure, renderFigure } from './render-figure.js';

/** One loss term over training: its name and its value at each recorded step. */
export interface LossSeries {
  readonly name: string;
  readonly values: readonly number[];
}

/** Points per series at most: longer runs are averaged over consecutive steps. */
export const LOSS_CURVE_POINTS = 600;

/** Tableau 10, Vega's default categories: one colour per loss term, in the order given. */
const COLOURS = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];

/**
 * The Vega spec of a loss curve: every series against the training step, on a log y axis (or a
 * symmetric log axis when a value is 0 or negative), one colour per series with a legend. Runs
 * longer than {@link LOSS_CURVE_POINTS} steps are drawn as means over equal runs of consecutive
 * steps (the subtitle says how many); non-finite values leave a gap.
 */
export function lossCurveSpec(
  steps: readonly number[],
  series: readonly LossSeries[],
  options: { readonly title?: string } = {},
): Spec {
  const every = Math.max(1, Math.ceil(steps.length / LOSS_CURVE_POINTS));
  const points: { step: number; loss: string; value: number | null }[] = [];
  let positive = true;
  for (const s of series) {
    for (let start = 0; start < steps.length; start += every) {
      const end = Math.min(steps.length, start + every);
      let sum = 0;
      let n = 0;
      for (let i = start; i < end; i++) {
        const v = s.values[i];
        if (v !== undefined && Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      const value = n === end - start ? sum / n : null;
      if (value !== null && value <= 0) positive = false;
      points.push({ step: steps[end - 1]!, loss: s.name, value });
    }
  }
  const first = steps[0] ?? 0;
  const last = steps[steps.length - 1] ?? 1;
  const names = series.map((s) => s.name);
  return {
    width: 560,
    height: 320,
    padding: 12,
    title: {
      text: options.title ?? 'Training losses',
      subtitle: [
        `${steps.length} step${steps.length === 1 ? '' : 's'} (${first} to ${last})${every > 1 ? `; each point is the mean of ${every} consecutive steps` : ''}`,
        positive
          ? 'log scale: every term is positive'
          : 'symmetric log scale: a term is 0 or negative',
      ],
      offset: 12,
    },
    data: [
      {
        name: 'losses',
        values: points,
      },
    ],
    scales: [
      {
        name: 'x',
        type: 'linear',
        domain: [first, last > first ? last : first + 1],
        range: 'width',
        nice: false,
        zero: false,
      },
      {
        name: 'y',
        type: positive ? 'log' : 'symlog',
        domain: { data: 'losses', field: 'value' },
        range: 'height',
        nice: positive,
        zero: false,
      },
      {
        name: 'colour',
        type: 'ordinal',
        domain: names,
        range: names.map((_, i) => COLOURS[i % COLOURS.length]!),
      },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'training step', tickCount: 8, titlePadding: 8 },
      {
        orient: 'left',
        scale: 'y',
        title: 'loss (unitless)',
        grid: true,
        gridColor: '#e4e4e4',
        titlePadding: 8,
        ...(positive ? { format: '~g' } : { tickCount: 8, format: '~g' }),
      },
    ],
    legends: [
      {
        stroke: 'colour',
        title: 'loss term',
        orient: 'right',
        symbolType: 'stroke',
        symbolStrokeWidth: 2.5,
        symbolSize: 200,
      },
    ],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'losses', groupby: 'loss' } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            encode: {
              update: {
                x: { scale: 'x', field: 'step' },
                y: { scale: 'y', field: 'value' },
                stroke: { scale: 'colour', field: 'loss' },
                strokeWidth: { value: 1.5 },
                defined: { signal: 'datum.value !== null' },
              },
            },
          },
        ],
      },
    ],
  };
}

/** A loss curve ({@link lossCurveSpec}) as SVG and as PNG at twice its size. */
export function renderLossCurve(
  steps: readonly number[],
  series: readonly LossSeries[],
  options: { readonly title?: string } = {},
): Promise<RenderedFigure> {
  return renderFigure(lossCurveSpec(steps, series, options), { scale: 2 });
}
