/**
 * estimateNoiseSigma against an independent numpy computation of the finest diagonal Haar
 * detail's MAD (blocks by reshaping, numpy.median), cross-checked there against PyWavelets' Haar
 * transform. Values come from tools/reference/volume_noise_sigma_reference.py (stored in
 * test/reference/noise-sigma.json).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateNoiseSigma } from '../src/index.js';

interface Case {
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly data: (number | 'NaN' | 'Infinity' | '-Infinity')[];
  readonly blocks: number;
  readonly sigma: number;
  readonly trueSigma: number | null;
}

const golden = JSON.parse(
  readFileSync(new URL('./reference/noise-sigma.json', import.meta.url), 'utf8'),
) as { provenance: { tolerance: string }; cases: Case[] };

/** Float64 on both sides with the same operations in the same order. */
const RELATIVE = 1e-12;

describe('estimateNoiseSigma against numpy', () => {
  it('reads the fixture', () => {
    expect(golden.provenance.tolerance).toMatch(/relative 1e-12/);
    expect(golden.cases.map((c) => c.name)).toContain('non-finite');
  });

  it.each(golden.cases)('$name ($height x $width, $blocks blocks)', (c) => {
    const image = Float32Array.from(c.data, (v) => Number(v));
    const sigma = estimateNoiseSigma(image, c.height, c.width);
    if (c.sigma === 0) expect(sigma).toBe(0);
    else expect(Math.abs(sigma - c.sigma) / c.sigma).toBeLessThanOrEqual(RELATIVE);
    // Images of white noise: the estimate is near the noise it was made with.
    if (c.trueSigma !== null && c.trueSigma > 0) {
      expect(sigma / c.trueSigma).toBeGreaterThan(0.8);
      expect(sigma / c.trueSigma).toBeLessThan(1.4);
    }
  });
});
