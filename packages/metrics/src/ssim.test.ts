import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume, type MriErrorCode, type Volume } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noisyPhantomPair, phantom, withNoise } from './internal/test-helpers.js';
import { ssim } from './ssim.js';

const slice = phantom(40, 36);
const noisy = withNoise(slice, 10);
const volume = phantom(24, 22, 16, 3);
const noisyVolume = withNoise(volume, 10, 4);

describe('ssim', () => {
  it('is 1 for identical images, 2-D and 3-D, any seed', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const x = withNoise(phantom(20, 17, 1, seed), 5, seed);
        expect(ssim(x, x, { dataRange: 255 })).toBe(1);
        const v = phantom(12, 13, 11, seed);
        expect(ssim(v, v, { dataRange: 255 })).toBe(1);
      }),
      { numRuns: 10 },
    );
  });

  it('is symmetric and at most 1', () => {
    fc.assert(
      fc.property(noisyPhantomPair(24, 20, 0.5, 60), ({ x, y }) => {
        const a = ssim(x, y, { dataRange: 255 });
        expect(Math.abs(a - ssim(y, x, { dataRange: 255 }))).toBeLessThan(1e-14);
        expect(a).toBeLessThanOrEqual(1);
        expect(a).toBeGreaterThanOrEqual(-1);
      }),
      { numRuns: 20 },
    );
  });

  it('decreases monotonically as noise grows', () => {
    const scores = [1, 2, 4, 8, 16, 32].map((sigma) =>
      ssim(slice, withNoise(slice, sigma, 7), { dataRange: 255 }),
    );
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]!);
  });

  it('map: same shape and affine; its interior mean is the score; mask averages the map', () => {
    const { ssim: score, map } = ssim(slice, noisy, { dataRange: 255, map: true });
    expect(map.shape).toEqual(slice.shape);
    expect(map.affine).toBe(slice.affine);
    expect(score).toBeCloseTo(ssim(slice, noisy, { dataRange: 255 }), 14);
    let sum = 0;
    let count = 0;
    for (let y = 5; y < 36 - 5; y++) {
      for (let x = 5; x < 40 - 5; x++) {
        sum += map.data[x + 40 * y]!;
        count++;
      }
    }
    expect(sum / count).toBeCloseTo(score, 6); // the map is float32
    const mask = new Uint8Array(40 * 36);
    let maskSum = 0;
    for (let i = 0; i < mask.length; i += 3) {
      mask[i] = 1;
      maskSum += map.data[i]!;
    }
    expect(ssim(slice, noisy, { dataRange: 255, mask })).toBeCloseTo(
      maskSum / Math.ceil(mask.length / 3),
      6,
    );
  });

  it('slicewise is the mean of the 2-D scores of the z slices', () => {
    const [nx, ny, nz] = volume.shape;
    let total = 0;
    for (let z = 0; z < nz; z++) {
      const part = (v: Volume) =>
        createVolume({ data: v.data.slice(z * nx * ny, (z + 1) * nx * ny), shape: [nx, ny] });
      total += ssim(part(volume), part(noisyVolume), { dataRange: 255 });
    }
    expect(ssim(volume, noisyVolume, { dataRange: 255, slicewise: true })).toBeCloseTo(
      total / nz,
      12,
    );
    // True 3-D windows see more context: a different number.
    expect(ssim(volume, noisyVolume, { dataRange: 255 })).not.toBeCloseTo(total / nz, 3);
  });

  it('does not modify its inputs', () => {
    const a = slice.data.slice();
    const b = noisy.data.slice();
    ssim(slice, noisy, { dataRange: 255, map: true });
    expect(slice.data).toEqual(a);
    expect(noisy.data).toEqual(b);
  });

  it('k1 = k2 = 0 on a structured image differs from the default (constants matter)', () => {
    const plain = ssim(slice, noisy, { dataRange: 255, k1: 0, k2: 0 });
    expect(plain).toBeLessThan(ssim(slice, noisy, { dataRange: 255 }));
  });

  it.each<[string, () => unknown, MriErrorCode, RegExp]>([
    [
      'shapes differ',
      () => ssim(slice, phantom(40, 35), { dataRange: 255 }),
      'SHAPE_MISMATCH',
      /test must have the shape of reference \[40, 36, 1\], got \[40, 35, 1\]/,
    ],
    [
      'NaN in test',
      () => {
        const d = noisy.data.slice();
        d[3] = Number.NaN;
        d[9] = Number.POSITIVE_INFINITY;
        return ssim(slice, createVolume({ data: d, shape: [40, 36] }), { dataRange: 255 });
      },
      'INVALID_ARGUMENT',
      /test must contain only finite values, got 2 NaN or infinite voxels \(first at index 3\)/,
    ],
    [
      'dataRange missing',
      () => ssim(slice, noisy, {} as never),
      'INVALID_ARGUMENT',
      /dataRange must be a positive finite number/,
    ],
    ['dataRange 0', () => ssim(slice, noisy, { dataRange: 0 }), 'INVALID_ARGUMENT', /dataRange/],
    [
      'no options',
      () => ssim(slice, noisy, undefined as never),
      'INVALID_ARGUMENT',
      /options must be an object/,
    ],
    [
      'mask of the wrong length',
      () => ssim(slice, noisy, { dataRange: 255, mask: new Uint8Array(5) }),
      'SHAPE_MISMATCH',
      /mask must have one entry per voxel \(1440\), got 5/,
    ],
    [
      'empty mask',
      () => ssim(slice, noisy, { dataRange: 255, mask: new Uint8Array(1440) }),
      'INVALID_ARGUMENT',
      /empty mask/,
    ],
    [
      'mask not a Uint8Array',
      () => ssim(slice, noisy, { dataRange: 255, mask: [1] as never }),
      'INVALID_ARGUMENT',
      /mask must be a Uint8Array/,
    ],
    [
      'image smaller than the window',
      () => ssim(phantom(10, 30), phantom(10, 30), { dataRange: 255 }),
      'INVALID_ARGUMENT',
      /at least 11 voxels .* got nx = 10/,
    ],
    [
      'thin stack in 3-D',
      () => ssim(phantom(20, 20, 5), phantom(20, 20, 5), { dataRange: 255 }),
      'INVALID_ARGUMENT',
      /slicewise/,
    ],
    [
      'slicewise not boolean',
      () => ssim(slice, noisy, { dataRange: 255, slicewise: 'yes' as never }),
      'INVALID_ARGUMENT',
      /slicewise must be a boolean/,
    ],
    [
      'k1 negative',
      () => ssim(slice, noisy, { dataRange: 255, k1: -1 }),
      'INVALID_ARGUMENT',
      /k1 must be a number in \[0, 1\]/,
    ],
    [
      'reference not a volume',
      () => ssim({} as never, noisy, { dataRange: 255 }),
      'INVALID_ARGUMENT',
      /reference.data must be a Float32Array/,
    ],
  ])('rejects %s', (_label, fn, code, message) => {
    expect(codeOf(fn)).toBe(code);
    expect(fn).toThrow(message);
    expect(fn).toThrow(/^ssim: /);
  });

  it('accepts thin stacks slice by slice', () => {
    const thin = phantom(20, 20, 5);
    expect(ssim(thin, thin, { dataRange: 255, slicewise: true })).toBe(1);
  });
});
