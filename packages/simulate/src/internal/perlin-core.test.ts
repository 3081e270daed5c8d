import { createRng } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fractal, noise1, noise2, noise3, permutationFromUniform } from './perlin-core.js';

const coordinate = fc.double({ min: -300, max: 300, noNaN: true });
const lattice = fc.integer({ min: -300, max: 300 });

/** The largest |value| of 1-D, 2-D and 3-D noise: 0.5, 1 and sqrt(6) / 2 (from the gradients). */
const BOUND = { 1: 0.5, 2: 1, 3: Math.sqrt(6) / 2 } as const;

/** A permutation shuffled with a seeded Rng, as the bias field and motion make them. */
const permutation = (seed: number) => {
  const rng = createRng(seed);
  return permutationFromUniform((n) => rng.int(n));
};

describe('Perlin noise', () => {
  const p = permutation(1);

  it('the permutation is a shuffle of 0..255, stored twice, and depends on the seed', () => {
    expect([...p.slice(0, 256)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 256 }, (_, i) => i),
    );
    expect(p.slice(256)).toEqual(p.slice(0, 256));
    expect(permutation(1)).toEqual(p);
    expect(permutation(2)).not.toEqual(p);
  });

  it('is zero at lattice points (1-D, 2-D, 3-D and fractal sums)', () => {
    fc.assert(
      fc.property(lattice, lattice, lattice, (x, y, z) => {
        expect(Math.abs(noise1(p, x))).toBe(0);
        expect(Math.abs(noise2(p, x, y))).toBe(0);
        expect(Math.abs(noise3(p, x, y, z))).toBe(0);
        expect(Math.abs(fractal(p, 3, x, y, z, 4, 0.5, 2))).toBe(0);
      }),
    );
  });

  it('stays within its bounds', () => {
    fc.assert(
      fc.property(coordinate, coordinate, coordinate, (x, y, z) => {
        expect(Math.abs(noise1(p, x))).toBeLessThanOrEqual(BOUND[1]);
        expect(Math.abs(noise2(p, x, y))).toBeLessThanOrEqual(BOUND[2]);
        expect(Math.abs(noise3(p, x, y, z))).toBeLessThanOrEqual(BOUND[3]);
        // A fractal sum is bounded by bound * sum_o persistence^o.
        let sum = 0;
        for (let o = 0; o < 5; o++) sum += 0.6 ** o;
        expect(Math.abs(fractal(p, 2, x, y, 0, 5, 0.6, 2))).toBeLessThanOrEqual(BOUND[2] * sum);
      }),
      { numRuns: 500 },
    );
  });

  it('is continuous: a tiny step changes the value by a tiny amount', () => {
    // The gradients are bounded, so |f(x + h) - f(x)| <= L h with L <= 4 in every dimension
    // (the fade curve's slope is at most 1.875).
    const h = 1e-6;
    fc.assert(
      fc.property(coordinate, coordinate, coordinate, (x, y, z) => {
        expect(Math.abs(noise1(p, x + h) - noise1(p, x))).toBeLessThan(4 * h);
        expect(Math.abs(noise2(p, x + h, y) - noise2(p, x, y))).toBeLessThan(8 * h);
        expect(Math.abs(noise3(p, x, y, z + h) - noise3(p, x, y, z))).toBeLessThan(8 * h);
      }),
    );
  });

  it('is continuous across cell borders (left and right limits agree)', () => {
    for (let x = -5; x <= 5; x++) {
      const eps = 1e-9;
      expect(Math.abs(noise2(p, x - eps, 0.3) - noise2(p, x + eps, 0.3))).toBeLessThan(1e-8);
      expect(Math.abs(noise3(p, 0.4, x - eps, 0.7) - noise3(p, 0.4, x + eps, 0.7))).toBeLessThan(
        1e-8,
      );
    }
  });

  it('same seed, same field; different seeds, different fields', () => {
    fc.assert(
      fc.property(fc.nat(), coordinate, coordinate, (seed, x, y) => {
        const a = permutation(seed);
        const b = permutation(seed);
        expect(noise2(a, x, y)).toBe(noise2(b, x, y));
        expect(fractal(a, 1, x, 0, 0, 4, 0.5, 2)).toBe(fractal(b, 1, x, 0, 0, 4, 0.5, 2));
      }),
    );
    const q = permutation(99);
    const xs = Array.from({ length: 50 }, (_, i) => i * 0.37 + 0.1);
    expect(xs.map((x) => noise1(p, x))).not.toEqual(xs.map((x) => noise1(q, x)));
  });

  it('is not trivially zero: values spread over a good part of the range', () => {
    let max = 0;
    for (let i = 0; i < 2000; i++)
      max = Math.max(max, Math.abs(noise3(p, i * 0.173, i * 0.291, i * 0.057)));
    expect(max).toBeGreaterThan(0.4);
  });

  it('fractal sums with one octave equal the plain noise', () => {
    expect(fractal(p, 1, 0.3, 0, 0, 1, 0.5, 2)).toBe(noise1(p, 0.3));
    expect(fractal(p, 2, 0.3, 0.8, 0, 1, 0.5, 2)).toBe(noise2(p, 0.3, 0.8));
    expect(fractal(p, 3, 0.3, 0.8, 1.1, 1, 0.5, 2)).toBe(noise3(p, 0.3, 0.8, 1.1));
    expect(fractal(p, 1, 0.3, 0, 0, 2, 0.5, 2)).toBeCloseTo(
      noise1(p, 0.3) + 0.5 * noise1(p, 0.6),
      15,
    );
  });
});
