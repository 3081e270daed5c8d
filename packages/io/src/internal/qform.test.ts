import { describe, expect, it } from 'vitest';
import { qformFromAffine } from './qform.js';

function rebuild(q: ReturnType<typeof qformFromAffine>): number[] {
  const { b, c, d } = q;
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c],
  ];
  const z = [q.zooms[0], q.zooms[1], q.zooms[2] * q.qfac];
  return [0, 1, 2].flatMap((r) => [
    R[r]![0]! * z[0]!,
    R[r]![1]! * z[1]!,
    R[r]![2]! * z[2]!,
    q.offsets[r]!,
  ]);
}

describe('qformFromAffine', () => {
  it.each([
    ['identity', [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]],
    ['LAS flip (qfac -1)', [-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72]],
    ['permuted axes', [0, 0, 1.5, -10, -2, 0, 0, 20, 0, 3, 0, 5]],
    ['180 degrees about x', [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0]],
    [
      'oblique 30 degrees about x',
      [
        2,
        0,
        0,
        10,
        0,
        2 * Math.cos(0.5236),
        -3 * Math.sin(0.5236),
        -5,
        0,
        2 * Math.sin(0.5236),
        3 * Math.cos(0.5236),
        3,
      ],
    ],
  ])('%s round-trips', (_name, rows) => {
    const affine = [...rows, 0, 0, 0, 1];
    const q = qformFromAffine(affine);
    const back = rebuild(q);
    back.forEach((v, i) => {
      expect(Math.abs(v - rows[i]!)).toBeLessThan(1e-9 * (1 + Math.abs(rows[i]!)));
    });
  });

  it('a sheared affine gets the nearest rotation, with the column norms as zooms', () => {
    const q = qformFromAffine([
      -1.98, 0.1, 0.28, 10, 0.12, 1.97, -0.34, -5, 0.27, 0.36, 2.95, 3, 0, 0, 0, 1,
    ]);
    expect(q.qfac).toBe(-1);
    expect(q.zooms[0]).toBeCloseTo(Math.hypot(-1.98, 0.12, 0.27), 12);
    expect(q.b * q.b + q.c * q.c + q.d * q.d).toBeLessThanOrEqual(1);
  });
});
