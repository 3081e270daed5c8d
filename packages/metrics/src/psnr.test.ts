import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { phantom, volumeShape, withNoise } from './internal/test-helpers.js';
import { psnr } from './psnr.js';

describe('psnr', () => {
  it('is Infinity for identical images', () => {
    const x = phantom(12, 9, 3);
    expect(psnr(x, x, { dataRange: 255 })).toBe(Number.POSITIVE_INFINITY);
  });

  it('is 10 log10(R^2 / d^2) for a constant offset d, in any shape and range', () => {
    fc.assert(
      fc.property(
        volumeShape(1, 9, 4),
        fc.double({ min: 0.25, max: 100, noNaN: true }),
        fc.double({ min: 1, max: 4096, noNaN: true }),
        ([nx, ny, nz], d, range) => {
          const n = nx * ny * nz;
          const x = createVolume({ data: new Float32Array(n).fill(10), shape: [nx, ny, nz] });
          const offset = Math.fround(10 + d) - 10;
          const y = createVolume({ data: new Float32Array(n).fill(10 + d), shape: [nx, ny, nz] });
          expect(psnr(x, y, { dataRange: range })).toBeCloseTo(
            10 * Math.log10((range * range) / (offset * offset)),
            10,
          );
        },
      ),
    );
  });

  it('is symmetric and decreases with noise', () => {
    const x = phantom(30, 30);
    const y = withNoise(x, 5);
    expect(psnr(x, y, { dataRange: 255 })).toBe(psnr(y, x, { dataRange: 255 }));
    const values = [1, 2, 4, 8].map((s) => psnr(x, withNoise(x, s), { dataRange: 255 }));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]!);
  });

  it('mask restricts the error to the selected voxels', () => {
    const x = createVolume({ data: [0, 0, 0, 0], shape: [2, 2] });
    const y = createVolume({ data: [0, 0, 0, 10], shape: [2, 2] });
    expect(psnr(x, y, { dataRange: 100, mask: Uint8Array.from([1, 1, 0, 0]) })).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(psnr(x, y, { dataRange: 100, mask: Uint8Array.from([0, 0, 0, 1]) })).toBeCloseTo(20, 12);
    expect(psnr(x, y, { dataRange: 100 })).toBeCloseTo(10 * Math.log10(10000 / 25), 12);
  });

  it.each([
    [
      'a shape mismatch',
      () => psnr(phantom(4, 4), phantom(4, 5), { dataRange: 1 }),
      'SHAPE_MISMATCH',
    ],
    [
      'an infinite dataRange',
      () => psnr(phantom(4, 4), phantom(4, 4), { dataRange: Number.POSITIVE_INFINITY }),
      'INVALID_ARGUMENT',
    ],
    [
      'a NaN voxel',
      () =>
        psnr(
          createVolume({ data: [Number.NaN], shape: [1, 1] }),
          createVolume({ data: [0], shape: [1, 1] }),
          { dataRange: 1 },
        ),
      'INVALID_ARGUMENT',
    ],
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
