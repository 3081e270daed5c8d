import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { captionNumber, hotColour, renderCaptionedPanel } from './captioned-panel.js';
import type { PanelImage } from './panel.js';

/** The RGB pixels of a PNG written by encodePng (one IDAT, filter 0 on every row). */
function decode(png: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  expect(png[25]).toBe(2); // truecolour
  const length = view.getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + length));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    rgb.set(raw.subarray(y * (3 * width + 1) + 1, (y + 1) * (3 * width + 1)), y * 3 * width);
  return { width, height, rgb };
}

function image(width: number, height: number, f: (x: number, y: number) => number): PanelImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[x + width * y] = f(x, y);
  return { data, width, height, flipX: false, flipY: false };
}

describe('renderCaptionedPanel', () => {
  const w = 217;
  const h = 180;
  const ramp = image(w, h, (x) => x);
  const error = image(w, h, (x) => (x < 100 ? 0 : 10));
  const tiles = [
    { image: ramp, kind: 'image', title: 'clean', subtitle: 'reference' },
    { image: ramp, kind: 'image', title: 'corrupted' },
    { image: ramp, kind: 'image', title: 'corrected' },
    { image: error, kind: 'error', title: '|error| before' },
    { image: error, kind: 'error', title: '|error| after' },
  ] as const;

  it('lays tiles out in one row at full resolution with captions above and a colour bar below', () => {
    const png = renderCaptionedPanel(tiles, { errorMax: 10, errorLabel: 'one scale', footer: 'x' });
    const { width, height, rgb } = decode(png);
    // Font scale 2 for a 217-pixel tile: gaps of 4, caption band 6 + 2 * 20, footer 6+6+4+20+6.
    expect(width).toBe(5 * w + 6 * 4);
    expect(height).toBe(46 + h + 42);
    const at = (x: number, y: number) => [
      ...rgb.subarray(3 * (x + width * y), 3 * (x + width * y) + 3),
    ];
    // The grey window of the first image: the ramp from black to white, one pixel per voxel.
    const top = 46;
    expect(at(4, top + 10)).toEqual([0, 0, 0]);
    expect(at(4 + w - 1, top + 10)).toEqual([255, 255, 255]);
    // Error tiles: 0 is black, errorMax is white.
    const e0 = 4 + 3 * (w + 4);
    expect(at(e0 + 50, top + 10)).toEqual([0, 0, 0]);
    expect(at(e0 + 150, top + 10)).toEqual([255, 255, 255]);
    // Captions: some text pixels in the band above every tile.
    for (let k = 0; k < 5; k++) {
      let lit = 0;
      for (let y = 0; y < top; y++)
        for (let x = 4 + k * (w + 4); x < 4 + k * (w + 4) + w; x++) if (at(x, y)[0]! > 200) lit++;
      expect(lit, `caption of tile ${k}`).toBeGreaterThan(20);
    }
    // The colour bar under the error tiles runs from black to white.
    const bar = top + h + 6 + 2;
    expect(at(e0, bar)).toEqual([0, 0, 0]);
    expect(at(e0 + 2 * w + 4 - 1, bar)).toEqual([255, 255, 255]);
  });

  it('flips tiles as asked, enlarges small ones and rejects tiles of different sizes', () => {
    const small = image(20, 10, (x, y) => x + 100 * y);
    const flipped = { ...small, flipX: true, flipY: true };
    const a = decode(
      renderCaptionedPanel([{ image: small, kind: 'image', title: 'a' }], {
        errorMax: 1,
        errorLabel: '',
      }),
    );
    // 20x10 is enlarged 10x to 200x100 (font scale 2).
    expect(a.width).toBe(200 + 2 * 4);
    const b = decode(
      renderCaptionedPanel([{ image: flipped, kind: 'image', title: 'a' }], {
        errorMax: 1,
        errorLabel: '',
      }),
    );
    const pixel = (p: typeof a, x: number, y: number) => p.rgb[3 * (x + p.width * y)];
    const top = a.height - 100 - 42; // 46 for the caption band
    expect(top).toBe(46);
    expect(pixel(a, 4, top)).toBe(pixel(b, 4 + 199, top + 99));
    expect(pixel(a, 4 + 199, top)).toBe(pixel(b, 4, top + 99));
    expect(() =>
      renderCaptionedPanel(
        [
          { image: small, kind: 'image', title: 'a' },
          { image: ramp, kind: 'image', title: 'b' },
        ],
        { errorMax: 1, errorLabel: '' },
      ),
    ).toThrow(RangeError);
  });

  it('maps errors black - red - yellow - white and prints caption numbers briefly', () => {
    expect(hotColour(0)).toEqual([0, 0, 0]);
    expect(hotColour(1 / 3)).toEqual([255, 0, 0]);
    expect(hotColour(2 / 3)).toEqual([255, 255, 0]);
    expect(hotColour(1)).toEqual([255, 255, 255]);
    expect(hotColour(7)).toEqual([255, 255, 255]);
    expect(hotColour(Number.NaN)).toEqual([0, 0, 0]);
    expect(captionNumber(0)).toBe('0');
    expect(captionNumber(61.734)).toBe('61.7');
    expect(captionNumber(0.012345)).toBe('0.0123');
    expect(captionNumber(1234.5)).toBe('1235');
  });
});
