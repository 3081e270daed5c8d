import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMriError } from './mri-error.js';
import { createRng } from './rng.js';

describe('createRng', () => {
  it('same seed, same sequence; different seeds, different sequences', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const a = createRng(seed);
        const b = createRng(seed);
        const c = createRng(seed + 1);
        const sa = Array.from({ length: 8 }, () => a.nextUint32());
        expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
        expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
      }),
    );
  });

  it('float is in [0, 1) and int(n) in [0, n)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const rng = createRng(seed);
        for (let i = 0; i < 50; i++) {
          const f = rng.float();
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThan(1);
          const k = rng.int(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
  });

  it('has the moments of its distributions (100k draws, 5-sigma bounds)', () => {
    const rng = createRng(7);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let uniformSum = 0;
    const counts = new Array(10).fill(0);
    for (let i = 0; i < n; i++) {
      const z = rng.normal(3, 2);
      sum += z;
      sumSq += z * z;
      uniformSum += rng.float();
      counts[rng.int(10)]++;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    expect(Math.abs(mean - 3)).toBeLessThan((5 * 2) / Math.sqrt(n));
    expect(Math.abs(variance - 4)).toBeLessThan(5 * 4 * Math.sqrt(2 / n));
    expect(Math.abs(uniformSum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // chi-square with 9 degrees of freedom: 27.9 is the 0.999 quantile.
    const chi2 = counts.reduce((acc, c) => acc + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('fork gives an independent stream, reproducibly', () => {
    const a = createRng(1).fork();
    const b = createRng(1).fork();
    expect(a.nextUint32()).toBe(b.nextUint32());
    const parent = createRng(1);
    const child = parent.fork();
    expect(child.nextUint32()).not.toBe(parent.nextUint32());
  });

  it('rejects bad seeds and bad n', () => {
    for (const seed of [-1, 1.5, Number.NaN, 2 ** 60]) {
      let error: unknown;
      try {
        createRng(seed);
      } catch (e) {
        error = e;
      }
      expect(isMriError(error) && error.code).toBe('INVALID_ARGUMENT');
    }
    expect(() => createRng(1).int(0)).toThrow(/Rng.int: n must be/);
  });
});
