import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cross, dot } from './vectors.js';

const vector = fc.tuple(
  ...([0, 1, 2] as const).map(() => fc.double({ min: -100, max: 100, noNaN: true })),
);

describe('cross and dot', () => {
  it('give the right-handed basis: x cross y = z, and dot products of basis vectors', () => {
    expect(cross([1, 0, 0], [0, 1, 0])).toEqual([0, 0, 1]);
    expect(cross([0, 1, 0], [0, 0, 1])).toEqual([1, 0, 0]);
    expect(cross([0, 1, 0], [1, 0, 0])).toEqual([0, 0, -1]);
    expect(dot([1, 2, 3], [4, -5, 6])).toBe(12);
    expect(dot([1, 0, 0], [0, 1, 0])).toBe(0);
  });

  it('make a cross product orthogonal to both factors and anti-symmetric', () => {
    fc.assert(
      fc.property(vector, vector, (a, b) => {
        const c = cross(a, b);
        const scale = Math.max(
          1,
          dot(a, a) * Math.sqrt(dot(b, b)),
          dot(b, b) * Math.sqrt(dot(a, a)),
        );
        expect(Math.abs(dot(c, a))).toBeLessThanOrEqual(1e-9 * scale);
        expect(Math.abs(dot(c, b))).toBeLessThanOrEqual(1e-9 * scale);
        expect(cross(b, a).map((v) => v + 0)).toEqual(c.map((v) => -v + 0));
      }),
    );
  });
});
