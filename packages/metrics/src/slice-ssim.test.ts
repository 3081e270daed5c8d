import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume, type Volume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { phantom, withNoise } from './internal/test-helpers.js';
import { sliceSsim } from './slice-ssim.js';
import { ssim } from './ssim.js';

function slice(v: Volume, z: number): Volume {
  const [nx, ny] = v.shape;
  return createVolume({ data: v.data.slice(nx * ny * z, nx * ny * (z + 1)), shape: [nx, ny] });
}

describe('sliceSsim', () => {
  it('is the 2-D ssim of each z slice, bit for bit, and averages to slicewise ssim', () => {
    const reference = phantom(24, 20, 3, 4);
    const test = withNoise(reference, 6);
    const perSlice = sliceSsim(reference, test, { dataRange: 255 });
    expect(perSlice).toHaveLength(3);
    perSlice.forEach((value, z) => {
      expect(value).toBe(ssim(slice(reference, z), slice(test, z), { dataRange: 255 }));
    });
    const mean = perSlice.reduce((a, b) => a + b, 0) / perSlice.length;
    expect(mean).toBeCloseTo(ssim(reference, test, { dataRange: 255, slicewise: true }), 12);
    expect(sliceSsim(reference, reference, { dataRange: 255 })).toEqual([1, 1, 1]);
  });

  it('refuses what ssim refuses, under its own name', () => {
    const reference = phantom(24, 20, 2);
    const small = phantom(10, 10, 2);
    expect(codeOf(() => sliceSsim(reference, small, { dataRange: 1 }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => sliceSsim(reference, reference, { dataRange: 0 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => sliceSsim(small, small, { dataRange: 1 }))).toBe('INVALID_ARGUMENT');
    expect(() => sliceSsim(small, small, { dataRange: 1 })).toThrow(/^sliceSsim: /);
  });
});
