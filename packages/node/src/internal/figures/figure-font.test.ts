import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import reference from '../../../test/reference/figure-font.json' with { type: 'json' };
import { packageFile } from '../package-paths.js';
import {
  FIGURE_FONT_FILES,
  figureFonts,
  fitText,
  isBold,
  parseFontFace,
  textWidth,
} from './figure-font.js';

describe('figure font', () => {
  it('measures advance widths as fontTools does (cmap and hmtx of DejaVu Sans, both weights)', () => {
    const fonts = figureFonts();
    for (const weight of ['regular', 'bold'] as const) {
      const face = fonts[weight];
      expect(face.unitsPerEm).toBe(reference[weight].unitsPerEm);
      for (const { text, units } of reference[weight].advances) {
        let sum = 0;
        for (const char of text) sum += face.advanceOf(char.codePointAt(0)!);
        expect([weight, text, sum]).toEqual([weight, text, units]);
        const px = textWidth(text, 20, weight === 'bold' ? 'bold' : 'normal');
        expect(px).toBeCloseTo((units * 20) / reference[weight].unitsPerEm, 9);
      }
    }
  });

  it('picks the bold face for bold weights only', () => {
    expect([isBold('bold'), isBold('bolder'), isBold(700), isBold('600')]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([isBold(undefined), isBold('normal'), isBold(400), isBold('lighter')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(textWidth('Dice', 12, 'bold')).toBeGreaterThan(textWidth('Dice', 12));
  });

  it('fits text into a width with an ellipsis, never wider than asked', () => {
    expect(fitText('clean', 12, 500)).toBe('clean');
    const long = 'a caption much too long for a small tile';
    const fitted = fitText(long, 12, 80);
    expect(fitted.endsWith('…')).toBe(true);
    expect(long.startsWith(fitted.slice(0, -1))).toBe(true);
    expect(textWidth(fitted, 12)).toBeLessThanOrEqual(80);
    // the longest prefix that fits: one more letter would not
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const cut = fitText(letters, 12, 80);
    expect(textWidth(cut, 12)).toBeLessThanOrEqual(80);
    expect(textWidth(`${letters.slice(0, cut.length)}…`, 12)).toBeGreaterThan(80);
    expect(fitText(long, 12, 1)).toBe('…');
  });

  it('refuses a file that is not a font with CORRUPT_FILE naming it', () => {
    expect(() => parseFontFace(new Uint8Array(8), 'x.ttf')).toThrow(/figures: font x\.ttf/);
    const bytes = new Uint8Array(readFileSync(packageFile(FIGURE_FONT_FILES.regular)));
    const truncated = bytes.slice(0, 200);
    try {
      parseFontFace(truncated, 'cut.ttf');
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('CORRUPT_FILE');
      expect((error as Error).message).toMatch(/cut\.ttf is truncated/);
    }
  });
});
