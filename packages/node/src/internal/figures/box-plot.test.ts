import { describe, expect, it } from 'vitest';
import { pixelAt, readPng } from '../../../test/png-reader.js';
import { expectSvgTexts } from '../../../test/svg-texts.js';
import {
  BASELINE_COLOUR,
  type BoxPlotOptions,
  boxPlotSpec,
  boxStats,
  CORRECTED_COLOUR,
  renderBoxPlot,
} from './box-plot.js';

describe('boxStats', () => {
  it("quartiles as numpy's linear percentile; Tukey whiskers and outliers", () => {
    // numpy.percentile([1..9, 100], [25, 50, 75]) = 3.25, 5.5, 7.75
    const s = boxStats([5, 3, 1, 2, 4, 6, 7, 8, 9, 100])!;
    expect(s.n).toBe(10);
    expect(s.q1).toBeCloseTo(3.25, 12);
    expect(s.median).toBeCloseTo(5.5, 12);
    expect(s.q3).toBeCloseTo(7.75, 12);
    expect([s.min, s.max, s.whiskerLow, s.whiskerHigh, s.outliers]).toEqual([1, 100, 1, 9, 1]);
  });

  it('ignores non-finite values; null when nothing is left; one value is a flat box', () => {
    expect(boxStats([])).toBeNull();
    expect(boxStats([Number.NaN, Number.POSITIVE_INFINITY])).toBeNull();
    expect(boxStats([0.5, Number.NaN])).toMatchObject({ n: 1, q1: 0.5, median: 0.5, q3: 0.5 });
  });
});

const OPTIONS: BoxPlotOptions = {
  title: 'SSIM per slice',
  subtitle: ['every z slice of every case'],
  xTitle: 'artefact, severity',
  yTitle: 'SSIM (unitless)',
  legendTitle: 'image',
  series: [
    { name: 'no correction', colour: BASELINE_COLOUR },
    { name: 'corrected', colour: CORRECTED_COLOUR },
  ],
  yDomain: [0, 1],
};

/** The pixels of a PNG that have exactly this colour. */
function count(png: ReturnType<typeof readPng>, colour: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16));
  let n = 0;
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const p = pixelAt(png, x, y);
      if (p[0] === r && p[1] === g && p[2] === b) n++;
    }
  return n;
}

describe('renderBoxPlot', () => {
  const groups = [
    {
      label: 'motion mild',
      samples: [
        [0.5, 0.6, 0.62, 0.7],
        [0.8, 0.82, 0.85, 0.9, 0.2],
      ],
    },
    { label: 'ghosting severe', samples: [[0.3, 0.35, 0.4], []] },
  ];

  it('labels everything: title, subtitle, axes, ticks, legend; the SVG and PNG agree', async () => {
    const figure = await renderBoxPlot(groups, OPTIONS);
    expectSvgTexts(figure.svg, [
      'SSIM per slice',
      'every z slice of every case',
      'artefact, severity',
      'SSIM (unitless)',
      'image',
      'no correction',
      'corrected',
      'motion mild',
      'ghosting severe',
      '0.0',
      '0.5',
      '1.0',
    ]);
    expect(figure.warnings).toEqual([]);
    const png = readPng(figure.png);
    const size = figure.svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/)!;
    // PNG at twice the SVG's size
    expect([png.width, png.height]).toEqual([2 * Number(size[1]), 2 * Number(size[2])]);
    expect([figure.width, figure.height]).toEqual([png.width, png.height]);
    // Three boxes and their legend swatches in the series' colours; the empty sample has none.
    const orange = count(png, BASELINE_COLOUR);
    const blue = count(png, CORRECTED_COLOUR);
    expect(orange).toBeGreaterThan(2 * blue * 0.8);
    expect(blue).toBeGreaterThan(500);
  });

  it('places the outlier, and draws nothing for an empty sample', () => {
    const spec = boxPlotSpec(groups, OPTIONS);
    const data = spec.data as { name: string; values: Record<string, unknown>[] }[];
    expect(data[0]!.values.map((b) => `${b.group}/${b.series}`)).toEqual([
      'motion mild/no correction',
      'motion mild/corrected',
      'ghosting severe/no correction',
    ]);
    expect(data[1]!.values).toEqual([{ group: 'motion mild', series: 'corrected', value: 0.2 }]);
  });

  it('slants long group labels and takes its y range from the data when none is given', async () => {
    const long = [{ label: 'shot-ghosting moderate and more', samples: [[-2, 5, 40]] }];
    const { yDomain: _, ...rest } = OPTIONS;
    const options: BoxPlotOptions = { ...rest, series: [OPTIONS.series[0]!] };
    const spec = boxPlotSpec(long, options);
    expect((spec.axes as { labelAngle?: number }[])[0]!.labelAngle).toBe(-35);
    expect((spec.scales as { name: string; domain: unknown }[])[2]!.domain).toEqual([-2, 40]);
    const empty = await renderBoxPlot([], options);
    expect(readPng(empty.png).width).toBeGreaterThan(300);
  });
});
