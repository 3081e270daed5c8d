import { describe, expect, it } from 'vitest';
import { drawText, GLYPH_HEIGHT, GLYPH_WIDTH, hasGlyph, textWidth } from './bitmap-font.js';

function canvas(width: number, height: number) {
  return { data: new Uint8Array(width * height * 3), width, height };
}

/** The lit pixels of an RGB canvas as '#'/'.' rows. */
function rows(image: ReturnType<typeof canvas>): string[] {
  const out: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let row = '';
    for (let x = 0; x < image.width; x++) row += image.data[3 * (x + image.width * y)] ? '#' : '.';
    out.push(row);
  }
  return out;
}

describe('bitmap font', () => {
  it('has a glyph for every printable ASCII character and the caption symbols', () => {
    for (let c = 32; c < 127; c++)
      expect([String.fromCharCode(c), hasGlyph(String.fromCharCode(c))]).toEqual([
        String.fromCharCode(c),
        true,
      ]);
    for (const ch of '−–×↑↓Δ°') expect(hasGlyph(ch)).toBe(true);
    expect(hasGlyph('é')).toBe(false);
  });

  it('measures text: 6 font pixels a character, no trailing gap', () => {
    expect(textWidth('', 2)).toBe(0);
    expect(textWidth('a', 1)).toBe(GLYPH_WIDTH);
    expect(textWidth('abc', 2)).toBe(2 * (3 * (GLYPH_WIDTH + 1) - 1));
    expect(textWidth('↑Δ', 1)).toBe(11);
  });

  it('draws glyphs at a scale, in the colour given, and clips at the edges', () => {
    const one = canvas(GLYPH_WIDTH, GLYPH_HEIGHT);
    drawText(one, 'T', 0, 0, 1, [200, 100, 50]);
    expect(rows(one)).toEqual(['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..']);
    expect([...one.data.subarray(0, 3)]).toEqual([200, 100, 50]);
    const big = canvas(2 * GLYPH_WIDTH, 2 * GLYPH_HEIGHT);
    drawText(big, 'T', 0, 0, 2, [255, 255, 255]);
    expect(rows(big)[0]).toBe('##########');
    expect(rows(big)[2]).toBe('....##....');
    // Partly outside: no throw, only the visible part drawn; unknown characters draw '?'.
    const clipped = canvas(4, 4);
    expect(() => drawText(clipped, 'TT', -3, -2, 1, [255, 255, 255])).not.toThrow();
    const unknown = canvas(GLYPH_WIDTH, GLYPH_HEIGHT);
    const question = canvas(GLYPH_WIDTH, GLYPH_HEIGHT);
    drawText(unknown, 'é', 0, 0, 1, [255, 255, 255]);
    drawText(question, '?', 0, 0, 1, [255, 255, 255]);
    expect(unknown.data).toEqual(question.data);
  });
});
