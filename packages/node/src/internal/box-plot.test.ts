import { describe, expect, it } from 'vitest';
import { BOX_COLOURS, boxStats, renderBoxPlot } from './box-plot.js';

function ihdr(png: Uint8Array): { width: number; height: number; colourType: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20), colourType: png[25]! };
}

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

describe('renderBoxPlot', () => {
  it('draws one RGB PNG, wider with more groups, the boxes in their colours', () => {
    const one = ihdr(
      renderBoxPlot([
        {
          boxes: [
            [0.2, 0.3, 0.4],
            [0.6, 0.7, 0.8],
          ],
        },
      ]),
    );
    const groups = Array.from({ length: 9 }, () => ({
      boxes: [
        [0.5, 0.6],
        [0.7, 0.8],
      ],
    }));
    const nine = renderBoxPlot(groups, { height: 200 });
    const info = ihdr(nine);
    expect(one.colourType).toBe(2);
    expect(info.height).toBe(200);
    expect(info.width).toBeGreaterThan(one.width);
    expect(BOX_COLOURS[0]).toEqual([255, 127, 14]);
    // empty samples and values outside [0, 1] do not throw
    expect(() =>
      renderBoxPlot([{ boxes: [[], [-3, 2, Number.NaN]] }, { boxes: [] }]),
    ).not.toThrow();
  });
});
