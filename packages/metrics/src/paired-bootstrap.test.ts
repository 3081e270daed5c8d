import { codeOf } from '@duncan-mri/test-helpers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from './paired-bootstrap.js';

describe('pairedBootstrap', () => {
  it('one pair: the difference, with a zero-width interval', () => {
    expect(pairedBootstrap([0.5], [0.75], { seed: 3 })).toEqual({
      mean: 0.25,
      low: 0.25,
      high: 0.25,
      n: 1,
      resamples: 2000,
      confidence: 0.95,
    });
  });

  it('constant differences: a zero-width interval at the difference', () => {
    // dyadic values: every difference is exactly 0.3125
    const a = [0.125, 0.5, 0.875, 0.25, 0.625];
    const b = a.map((v) => v + 0.3125);
    const r = pairedBootstrap(a, b, { seed: 1, resamples: 500 });
    expect(r.low).toBe(r.mean);
    expect(r.high).toBe(r.mean);
    expect(r.mean).toBe(0.3125);
  });

  it('two pairs with differences 0 and 1: resampled means 0, 0.5, 1 (p 1/4, 1/2, 1/4), so the 95 % interval is [0, 1]', () => {
    const r = pairedBootstrap([0, 0], [0, 1], { seed: 7 });
    expect([r.mean, r.low, r.high]).toEqual([0.5, 0, 1]);
    // at 40 % coverage the 30th and 70th percentiles both fall on 0.5
    const narrow = pairedBootstrap([0, 0], [0, 1], { seed: 7, confidence: 0.4 });
    expect([narrow.low, narrow.high]).toEqual([0.5, 0.5]);
  });

  it('holds the mean, is deterministic per seed, and swapping a and b mirrors it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -10, max: 10, noNaN: true }),
            fc.double({ min: -10, max: 10, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        (pairs, seed, confidence) => {
          const a = pairs.map((p) => p[0]);
          const b = pairs.map((p) => p[1]);
          const options = { seed, confidence, resamples: 200 };
          const r = pairedBootstrap(a, b, options);
          const tolerance = 1e-9 * (1 + Math.abs(r.mean));
          expect(r.low).toBeLessThanOrEqual(r.mean + tolerance);
          expect(r.high).toBeGreaterThanOrEqual(r.mean - tolerance);
          expect(r.low).toBeLessThanOrEqual(r.high);
          expect(pairedBootstrap(a, b, options)).toEqual(r);
          const swapped = pairedBootstrap(b, a, options);
          expect(swapped.mean).toBeCloseTo(-r.mean, 9);
          expect(swapped.low).toBeCloseTo(-r.high, 9);
          expect(swapped.high).toBeCloseTo(-r.low, 9);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('narrows as the coverage drops; other seeds move it only a little', () => {
    const a = Array.from({ length: 60 }, (_, i) => Math.sin(i));
    const b = a.map((v, i) => v + 0.1 + 0.05 * Math.cos(3 * i));
    const wide = pairedBootstrap(a, b, { seed: 1, confidence: 0.99 });
    const narrow = pairedBootstrap(a, b, { seed: 1, confidence: 0.5 });
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
    const other = pairedBootstrap(a, b, { seed: 2 });
    const base = pairedBootstrap(a, b, { seed: 1 });
    expect(other.mean).toBe(base.mean);
    expect(Math.abs(other.low - base.low)).toBeLessThan(0.2 * (base.high - base.low));
  });

  it.each([
    ['different lengths', () => pairedBootstrap([1, 2], [1], { seed: 0 }), 'SHAPE_MISMATCH'],
    ['empty arrays', () => pairedBootstrap([], [], { seed: 0 }), 'INVALID_ARGUMENT'],
    ['a NaN', () => pairedBootstrap([1, Number.NaN], [1, 2], { seed: 0 }), 'INVALID_ARGUMENT'],
    ['an Infinity', () => pairedBootstrap([1], [Infinity], { seed: 0 }), 'INVALID_ARGUMENT'],
    ['a string value', () => pairedBootstrap(['1'] as never, [1], { seed: 0 }), 'INVALID_ARGUMENT'],
    ['a number for a', () => pairedBootstrap(3 as never, [1], { seed: 0 }), 'INVALID_ARGUMENT'],
    ['no seed', () => pairedBootstrap([1], [2], {} as never), 'INVALID_ARGUMENT'],
    ['a fractional seed', () => pairedBootstrap([1], [2], { seed: 1.5 }), 'INVALID_ARGUMENT'],
    ['no options', () => pairedBootstrap([1], [2], undefined as never), 'INVALID_ARGUMENT'],
    ['0 resamples', () => pairedBootstrap([1], [2], { seed: 0, resamples: 0 }), 'INVALID_ARGUMENT'],
    [
      'confidence 1',
      () => pairedBootstrap([1], [2], { seed: 0, confidence: 1 }),
      'INVALID_ARGUMENT',
    ],
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
