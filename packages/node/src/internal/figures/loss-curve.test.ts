import { describe, expect, it } from 'vitest';
import { readPng } from '../../../test/png-reader.js';
import { expectSvgTexts } from '../../../test/svg-texts.js';
import { LOSS_CURVE_POINTS, lossCurveSpec, renderLossCurve } from './loss-curve.js';

const values = (spec: ReturnType<typeof lossCurveSpec>) =>
  (spec.data as { values: { step: number; loss: string; value: number | null }[] }[])[0]!.values;

describe('renderLossCurve', () => {
  it('draws every term with a title, axis titles, ticks and a legend of the terms', async () => {
    const steps = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const figure = await renderLossCurve(steps, [
      { name: 'cycle', values: steps.map((s) => 1 / s) },
      { name: 'discriminator', values: steps.map((s) => 0.5 + 0.01 * s) },
    ]);
    expectSvgTexts(figure.svg, [
      'Training losses',
      'training step',
      'loss (unitless)',
      'loss term',
      'cycle',
      'discriminator',
      '10 steps (1 to 10)',
      'log scale: every term is positive',
      '0.1',
      '1',
    ]);
    expect(figure.svg.match(/class="mark-line role-mark"/g)).toHaveLength(2);
    expect(figure.warnings).toEqual([]);
    const png = readPng(figure.png);
    expect([png.width, png.height]).toEqual([figure.width, figure.height]);
    expect(png.width).toBeGreaterThan(1000);
  });

  it('averages long runs into at most LOSS_CURVE_POINTS points, and goes symmetric-log for values <= 0', () => {
    const steps = Array.from({ length: 2 * LOSS_CURVE_POINTS + 1 }, (_, i) => 100 + i);
    const spec = lossCurveSpec(steps, [{ name: 'a', values: steps.map((s) => s) }]);
    const points = values(spec);
    expect(points.length).toBeLessThanOrEqual(LOSS_CURVE_POINTS);
    expect(points).toHaveLength(401);
    // means of runs of 3: (100 + 101 + 102) / 3 at the run's last step
    expect(points[0]).toEqual({ step: 102, loss: 'a', value: 101 });
    expect(points[points.length - 1]).toEqual({ step: 1300, loss: 'a', value: 1300 });
    expect(JSON.stringify(spec.title)).toMatch(/each point is the mean of 3 consecutive steps/);
    expect((spec.scales as { type: string }[])[1]!.type).toBe('log');

    const signed = lossCurveSpec([1, 2, 3], [{ name: 'b', values: [0.5, -0.1, Number.NaN] }]);
    expect((signed.scales as { type: string }[])[1]!.type).toBe('symlog');
    expect(values(signed).map((p) => p.value)).toEqual([0.5, -0.1, null]);
  });
});
