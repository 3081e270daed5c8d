import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_FILES, defaultModelUrls } from './index.js';

describe('defaultModelUrls', () => {
  it('names the files at the package root, which exist', () => {
    const urls = defaultModelUrls();
    const root = fileURLToPath(new URL('../', import.meta.url));
    for (const key of ['manifest', 'weights', 'modelCard'] as const) {
      const path = fileURLToPath(urls[key]);
      expect(path).toBe(`${root}${DEFAULT_MODEL_FILES[key]}`);
      expect(statSync(path).isFile()).toBe(true);
    }
  });

  it('gives an inference checkpoint whose weights file has the manifest byte length', () => {
    const { manifest, weights } = defaultModelUrls();
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as {
      format: string;
      inference: boolean;
      byteLength: number;
      weightSpecs: { shape: number[]; dtype: string }[];
    };
    expect(m.format).toBe('duncan-mri-checkpoint');
    expect(m.inference).toBe(true);
    // The weights ship as float16 (two bytes a value), which holds parity (MODEL_CARD.md).
    const specBytes = m.weightSpecs.reduce(
      (sum, s) => sum + 2 * s.shape.reduce((a, b) => a * b, 1),
      0,
    );
    expect(m.weightSpecs.every((s) => s.dtype === 'float16')).toBe(true);
    expect(specBytes).toBe(m.byteLength);
    expect(statSync(weights).size).toBe(m.byteLength);
  });
});
