import { createRng } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reflectIndex } from './local-moments.js';
import { medianFilter3x3 } from './median-filter.js';
import { percentile } from './percentile.js';
import { volumeShape } from './test-helpers.js';

describe('medianFilter3x3', () => {
  it('is the median of the mirrored 3x3 neighbourhood, only where asked (property)', () => {
    fc.assert(
      fc.property(volumeShape(1, 9, 3), fc.integer({ min: 0, max: 1000 }), ([nx, ny, nz], seed) => {
        const rng = createRng(seed);
        const data = Float32Array.from({ length: nx * ny * nz }, () => rng.int(50));
        const where = Uint8Array.from(data, () => rng.int(2));
        const before = Float32Array.from(data);
        const out = medianFilter3x3(data, [nx, ny, nz], where);
        expect(data).toEqual(before);
        for (let z = 0; z < nz; z++)
          for (let y = 0; y < ny; y++)
            for (let x = 0; x < nx; x++) {
              const i = x + nx * (y + ny * z);
              if (!where[i]) {
                expect(out[i]).toBe(data[i]);
                continue;
              }
              const window: number[] = [];
              for (let dy = -1; dy <= 1; dy++)
                for (let dx = -1; dx <= 1; dx++)
                  window.push(
                    data[reflectIndex(x + dx, nx) + nx * (reflectIndex(y + dy, ny) + ny * z)]!,
                  );
              window.sort((p, q) => p - q);
              expect(out[i]).toBe(window[4]);
            }
      }),
      { numRuns: 50 },
    );
  });

  it('removes a single spike and keeps a flat region', () => {
    const data = new Float32Array(25).fill(10);
    data[12] = 1000;
    const out = medianFilter3x3(data, [5, 5, 1], new Uint8Array(25).fill(1));
    expect(Array.from(out)).toEqual(new Array(25).fill(10));
  });
});

describe('percentile', () => {
  it("uses numpy's linear rule", () => {
    const data = Float32Array.from([4, 1, 3, 2]);
    expect(percentile(data, 0)).toBe(1);
    expect(percentile(data, 25)).toBe(1.75);
    expect(percentile(data, 50)).toBe(2.5);
    expect(percentile(data, 100)).toBe(4);
    expect(percentile(Float32Array.from([7]), 99.5)).toBe(7);
  });
});
