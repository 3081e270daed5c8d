import { createRng } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectMriError } from '../test/helpers.js';
import {
  fractal1d,
  fractal2d,
  fractal3d,
  fractalBound,
  PERLIN_1D_BOUND,
  PERLIN_2D_BOUND,
  PERLIN_3D_BOUND,
  perlin1d,
  perlin2d,
  perlin3d,
  perlinPermutation,
} from './perlin.js';

const coordinate = fc.double({ min: -300, max: 300, noNaN: true });
const lattice = fc.integer({ min: -300, max: 300 });

describe('Perlin noise', () => {
  const p = perlinPermutation(createRng(1));

  it('the permutation is a shuffle of 0..255, stored twice, and depends on the seed', () => {
    expect([...p.slice(0, 256)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 256 }, (_, i) => i),
    );
    expect(p.slice(256)).toEqual(p.slice(0, 256));
    expect(perlinPermutation(createRng(1))).toEqual(p);
    expect(perlinPermutation(createRng(2))).not.toEqual(p);
  });

  it('is zero at lattice points (1-D, 2-D, 3-D and fractal sums)', () => {
    fc.assert(
      fc.property(lattice, lattice, lattice, (x, y, z) => {
        expect(Math.abs(perlin1d(p, x))).toBe(0);
        expect(Math.abs(perlin2d(p, x, y))).toBe(0);
        expect(Math.abs(perlin3d(p, x, y, z))).toBe(0);
        expect(Math.abs(fractal3d(p, x, y, z, { octaves: 4 }))).toBe(0);
      }),
    );
  });

  it('stays within its bounds', () => {
    fc.assert(
      fc.property(coordinate, coordinate, coordinate, (x, y, z) => {
        expect(Math.abs(perlin1d(p, x))).toBeLessThanOrEqual(PERLIN_1D_BOUND);
        expect(Math.abs(perlin2d(p, x, y))).toBeLessThanOrEqual(PERLIN_2D_BOUND);
        expect(Math.abs(perlin3d(p, x, y, z))).toBeLessThanOrEqual(PERLIN_3D_BOUND);
        const options = { octaves: 5, persistence: 0.6, lacunarity: 2 };
        expect(Math.abs(fractal2d(p, x, y, options))).toBeLessThanOrEqual(
          fractalBound(PERLIN_2D_BOUND, options),
        );
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
        expect(Math.abs(perlin1d(p, x + h) - perlin1d(p, x))).toBeLessThan(4 * h);
        expect(Math.abs(perlin2d(p, x + h, y) - perlin2d(p, x, y))).toBeLessThan(8 * h);
        expect(Math.abs(perlin3d(p, x, y, z + h) - perlin3d(p, x, y, z))).toBeLessThan(8 * h);
      }),
    );
  });

  it('is continuous across cell borders (left and right limits agree)', () => {
    for (let x = -5; x <= 5; x++) {
      const eps = 1e-9;
      expect(Math.abs(perlin2d(p, x - eps, 0.3) - perlin2d(p, x + eps, 0.3))).toBeLessThan(1e-8);
      expect(
        Math.abs(perlin3d(p, 0.4, x - eps, 0.7) - perlin3d(p, 0.4, x + eps, 0.7)),
      ).toBeLessThan(1e-8);
    }
  });

  it('same seed, same field; different seeds, different fields', () => {
    fc.assert(
      fc.property(fc.nat(), coordinate, coordinate, (seed, x, y) => {
        const a = perlinPermutation(createRng(seed));
        const b = perlinPermutation(createRng(seed));
        expect(perlin2d(a, x, y)).toBe(perlin2d(b, x, y));
        expect(fractal1d(a, x)).toBe(fractal1d(b, x));
      }),
    );
    const q = perlinPermutation(createRng(99));
    const xs = Array.from({ length: 50 }, (_, i) => i * 0.37 + 0.1);
    expect(xs.map((x) => perlin1d(p, x))).not.toEqual(xs.map((x) => perlin1d(q, x)));
  });

  it('is not trivially zero: values spread over a good part of the range', () => {
    let max = 0;
    for (let i = 0; i < 2000; i++)
      max = Math.max(max, Math.abs(perlin3d(p, i * 0.173, i * 0.291, i * 0.057)));
    expect(max).toBeGreaterThan(0.4);
  });

  it('fractal sums with one octave equal the plain noise', () => {
    expect(fractal1d(p, 0.3, { octaves: 1 })).toBe(perlin1d(p, 0.3));
    expect(fractal2d(p, 0.3, 0.8, { octaves: 1 })).toBe(perlin2d(p, 0.3, 0.8));
    expect(fractal3d(p, 0.3, 0.8, 1.1, { octaves: 1 })).toBe(perlin3d(p, 0.3, 0.8, 1.1));
    expect(fractal1d(p, 0.3, { octaves: 2, persistence: 0.5, lacunarity: 2 })).toBeCloseTo(
      perlin1d(p, 0.3) + 0.5 * perlin1d(p, 0.6),
      15,
    );
  });

  it('rejects bad arguments with MriError naming them', () => {
    expectMriError(() => perlin1d(new Uint8Array(10), 0), 'permutation');
    expectMriError(() => perlin2d(p, Number.NaN, 0), 'x');
    expectMriError(() => perlin3d(p, 0, 0, Number.POSITIVE_INFINITY), 'z');
    expectMriError(() => fractal1d(p, 0, { octaves: 0 }), 'octaves');
    expectMriError(() => fractal2d(p, 0, 0, { persistence: 2 }), 'persistence');
    expectMriError(() => fractal3d(p, 0, 0, 0, { lacunarity: 0.5 }), 'lacunarity');
    expectMriError(() => perlinPermutation({} as never), 'rng');
  });
});
