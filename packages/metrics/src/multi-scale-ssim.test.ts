import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { phantom, withNoise } from './internal/test-helpers.js';
import { MS_SSIM_WEIGHTS, multiScaleSsim } from './multi-scale-ssim.js';
import { ssim } from './ssim.js';

const x = phantom(176, 192, 1, 5);
const y = withNoise(x, 12, 6);

describe('multiScaleSsim', () => {
  it('uses the paper weights and is 1 for identical images', () => {
    expect(MS_SSIM_WEIGHTS).toEqual([0.0448, 0.2856, 0.3001, 0.2363, 0.1333]);
    expect(multiScaleSsim(x, x, { dataRange: 255 })).toBe(1);
  });

  it('is symmetric, within [0, 1], and decreases with noise', () => {
    const a = multiScaleSsim(x, y, { dataRange: 255 });
    expect(Math.abs(a - multiScaleSsim(y, x, { dataRange: 255 }))).toBeLessThan(1e-14);
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(1);
    const scores = [4, 8, 16, 32].map((s) =>
      multiScaleSsim(x, withNoise(x, s), { dataRange: 255 }),
    );
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]!);
  });

  it('with one scale of weight 1 it is SSIM', () => {
    expect(multiScaleSsim(x, y, { dataRange: 255, weights: [1] })).toBeCloseTo(
      ssim(x, y, { dataRange: 255 }),
      13,
    );
  });

  it('scores a 3-D volume as the mean of its slices', () => {
    const [nx, ny] = x.shape;
    const stack = createVolume({
      data: new Float32Array([...x.data, ...y.data]),
      shape: [nx, ny, 2],
    });
    const stack2 = createVolume({
      data: new Float32Array([...y.data, ...y.data]),
      shape: [nx, ny, 2],
    });
    expect(multiScaleSsim(stack, stack2, { dataRange: 255 })).toBeCloseTo(
      (multiScaleSsim(x, y, { dataRange: 255 }) + 1) / 2,
      13,
    );
  });

  it('refuses images too small for five scales, naming the minimum', () => {
    const small = phantom(175, 200);
    expect(codeOf(() => multiScaleSsim(small, small, { dataRange: 255 }))).toBe('INVALID_ARGUMENT');
    expect(() => multiScaleSsim(small, small, { dataRange: 255 })).toThrow(
      'multiScaleSsim: reference slices must be at least 176x176 pixels for 5 scales (the 11-pixel window must fit after 4 halvings), got 175x200',
    );
    // Three scales need 44 pixels.
    const medium = phantom(44, 50);
    expect(
      multiScaleSsim(medium, withNoise(medium, 5), { dataRange: 255, weights: [0.3, 0.3, 0.4] }),
    ).toBeLessThan(1);
  });

  it.each([
    ['empty weights', { dataRange: 255, weights: [] }],
    ['negative weights', { dataRange: 255, weights: [1, -1] }],
    ['a missing dataRange', {}],
  ])('rejects %s', (_label, options) => {
    expect(codeOf(() => multiScaleSsim(x, y, options as never))).toBe('INVALID_ARGUMENT');
  });
});
