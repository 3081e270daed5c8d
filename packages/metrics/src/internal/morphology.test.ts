import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fillHoles,
  type Grid,
  largestComponent,
  otsuThreshold,
  squaredDistanceTo,
} from './morphology.js';

const grids = fc
  .record({
    nx: fc.integer({ min: 1, max: 7 }),
    ny: fc.integer({ min: 1, max: 7 }),
    nz: fc.integer({ min: 1, max: 5 }),
  })
  .chain(({ nx, ny, nz }) =>
    fc.record({
      grid: fc.constant([nx, ny, nz] as Grid),
      mask: fc.uint8Array({ min: 0, max: 1, minLength: nx * ny * nz, maxLength: nx * ny * nz }),
      spacing: fc.tuple(
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
      ),
    }),
  );

describe('morphology', () => {
  it('squaredDistanceTo equals the brute-force squared distance in mm', () => {
    fc.assert(
      fc.property(grids, ({ grid, mask, spacing }) => {
        const [nx, ny, nz] = grid;
        const d2 = squaredDistanceTo(mask, grid, spacing);
        for (let i = 0; i < mask.length; i++) {
          const x = i % nx;
          const y = Math.floor(i / nx) % ny;
          const z = Math.floor(i / (nx * ny));
          let best = Number.POSITIVE_INFINITY;
          for (let j = 0; j < mask.length; j++) {
            if (!mask[j]) continue;
            const dx = (x - (j % nx)) * spacing[0];
            const dy = (y - (Math.floor(j / nx) % ny)) * spacing[1];
            const dz = (z - Math.floor(j / (nx * ny))) * spacing[2];
            best = Math.min(best, dx * dx + dy * dy + dz * dz);
          }
          if (best === Number.POSITIVE_INFINITY) expect(d2[i]).toBe(best);
          else expect(d2[i]).toBeCloseTo(best, 3);
        }
        expect(nz).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });

  it('largestComponent keeps the biggest 6-connected piece', () => {
    // 5x3: a piece of 4 on the left, a piece of 3 on the right, diagonal contacts do not join.
    const mask = Uint8Array.from([1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(largestComponent(mask, [5, 3, 1]))).toEqual([
      1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(largestComponent(new Uint8Array(4), [2, 2, 1]).every((v) => v === 0)).toBe(true);
  });

  it('fillHoles fills enclosed background in 2-D and 3-D, not background open to the border', () => {
    const ring = Uint8Array.from([
      0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    ]);
    const filled = fillHoles(ring, [5, 5, 1]);
    expect(filled[12]).toBe(1);
    expect(filled[0]).toBe(0);
    const open = Uint8Array.from(ring);
    open[17] = 0;
    expect(fillHoles(open, [5, 5, 1])[12]).toBe(0);
    // A 3x3x3 shell with an empty centre.
    const shell = new Uint8Array(27).fill(1);
    shell[13] = 0;
    expect(fillHoles(shell, [3, 3, 3])[13]).toBe(1);
  });

  it('otsuThreshold splits two clusters and is NaN for constant data', () => {
    const data = Float32Array.from({ length: 200 }, (_, i) =>
      i < 120 ? 10 + (i % 3) : 200 + (i % 5),
    );
    const t = otsuThreshold(data);
    expect(t).toBeGreaterThan(12);
    expect(t).toBeLessThan(200);
    expect(otsuThreshold(new Float32Array(5).fill(3))).toBeNaN();
  });
});
