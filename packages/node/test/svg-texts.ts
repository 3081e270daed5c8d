import { expect } from 'vitest';

/**
 * The texts a Vega SVG draws, in document order: each `<text>` element's content, or each of its
 * `<tspan>` lines, with the five XML entities decoded.
 */
export function svgTexts(svg: string): string[] {
  const decode = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;|&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const texts: string[] = [];
  for (const [, body] of svg.matchAll(/<text[^>]*>(.*?)<\/text>/gs)) {
    const lines = [...body!.matchAll(/<tspan[^>]*>(.*?)<\/tspan>/gs)].map((m) => m[1]!);
    texts.push(...(lines.length > 0 ? lines : [body!]).map(decode));
  }
  return texts;
}

/** Expects `svg` to draw each of `texts` (among others, in any order). */
export function expectSvgTexts(svg: string, texts: readonly string[]): void {
  expect(svgTexts(svg)).toEqual(expect.arrayContaining([...texts]));
}
