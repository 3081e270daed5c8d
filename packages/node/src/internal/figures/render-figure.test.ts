import type { Spec } from 'vega-typings';
import { describe, expect, it } from 'vitest';
import { differingPixels, pixelAt, readPng } from '../../../test/png-reader.js';
import { encodePng } from '../png.js';
import { renderFigure } from './render-figure.js';

const textSpec = (text: string): Spec => ({
  width: 200,
  height: 40,
  padding: 0,
  marks: [
    {
      type: 'text',
      encode: {
        update: {
          x: { value: 10 },
          y: { value: 30 },
          text: { value: text },
          fontSize: { value: 24 },
          fill: { value: 'black' },
        },
      },
    },
  ],
});

describe('renderFigure', () => {
  it('draws text with the bundled font: the same bytes every time, pixels where the text is', async () => {
    const a = await renderFigure(textSpec('Dice 0.91'));
    const b = await renderFigure(textSpec('Dice 0.91'));
    expect(Buffer.from(a.png).equals(Buffer.from(b.png))).toBe(true);
    expect(a.svg).toMatch(
      /<text[^>]*font-family="DejaVu Sans, sans-serif"[^>]*>Dice 0\.91<\/text>/,
    );
    const png = readPng(a.png);
    expect([png.width, png.height, a.width, a.height]).toEqual([200, 40, 200, 40]);
    const blank = readPng((await renderFigure(textSpec(''))).png);
    // The glyphs cover a few hundred pixels, all of them left of the text's measured end.
    const drawn = differingPixels(png, blank);
    expect(drawn).toBeGreaterThan(300);
    let darkest = 255;
    let right = 0;
    for (let y = 0; y < png.height; y++)
      for (let x = 0; x < png.width; x++) {
        const [r] = pixelAt(png, x, y);
        if (r < 128) right = Math.max(right, x);
        darkest = Math.min(darkest, r);
      }
    expect(darkest).toBeLessThan(40);
    expect(right).toBeGreaterThan(100); // "Dice 0.91" at 24 px is about 110 px wide
    expect(right).toBeLessThan(10 + 125);
    expect(a.warnings).toEqual([]);
  });

  it('scales the PNG by a whole factor and keeps embedded images pixel-exact', async () => {
    const tile = Uint8Array.from({ length: 3 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const url = `data:image/png;base64,${Buffer.from(encodePng({ width: 3, height: 3, channels: 3, data: tile })).toString('base64')}`;
    const spec: Spec = {
      width: 3,
      height: 3,
      padding: 0,
      marks: [
        {
          type: 'image',
          encode: {
            update: {
              x: { value: 0 },
              y: { value: 0 },
              width: { value: 3 },
              height: { value: 3 },
              url: { value: url },
              aspect: { value: false },
              smooth: { value: false },
            },
          },
        },
      ],
    };
    const figure = await renderFigure(spec, { scale: 4 });
    const png = readPng(figure.png);
    expect([png.width, png.height]).toEqual([12, 12]);
    for (let y = 0; y < 12; y++)
      for (let x = 0; x < 12; x++) {
        const i = 3 * (Math.floor(y / 4) * 3 + Math.floor(x / 4));
        expect([x, y, ...pixelAt(png, x, y)]).toEqual([x, y, tile[i], tile[i + 1], tile[i + 2]]);
      }
  });

  it('reports a spec Vega cannot parse as an INTERNAL MriError', async () => {
    await expect(
      renderFigure({ marks: [{ type: 'rect', from: { data: 'missing' } }] }),
    ).rejects.toMatchObject({ code: 'INTERNAL', message: /figures: Vega could not render/ });
  });
});
