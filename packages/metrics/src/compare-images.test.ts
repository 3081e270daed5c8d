import { codeOf } from '@duncan-mri/test-helpers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareImages } from './compare-images.js';
import { noisyPhantomPair, phantom, withNoise } from './internal/test-helpers.js';
import { multiScaleSsim } from './multi-scale-ssim.js';
import { psnr } from './psnr.js';
import { ssim } from './ssim.js';
import { uqi } from './uqi.js';
import { vif } from './vif.js';

describe('compareImages', () => {
  it('equals the five single-metric functions (2-D, shared scale-1 statistics)', () => {
    fc.assert(
      fc.property(noisyPhantomPair(176, 180, 1, 30), ({ x, y }) => {
        const all = compareImages(x, y, { dataRange: 255 });
        expect(all.ssim).toBe(ssim(x, y, { dataRange: 255 }));
        expect(all.msssim).toBeCloseTo(multiScaleSsim(x, y, { dataRange: 255 }), 14);
        expect(all.vif).toBe(vif(x, y, { dataRange: 255 }));
        expect(all.uqi).toBe(uqi(x, y));
        expect(all.psnr).toBe(psnr(x, y, { dataRange: 255 }));
      }),
      { numRuns: 3 },
    );
  });

  it('equals them on 3-D volumes, with and without a mask and slicewise', () => {
    const x = phantom(44, 42, 12, 3);
    const y = withNoise(x, 8, 4);
    const mask = x.data.map((v) => (v > 60 ? 1 : 0)) as unknown as Uint8Array;
    const m = Uint8Array.from(mask);
    for (const options of [
      { dataRange: 255 },
      { dataRange: 255, mask: m },
      { dataRange: 255, slicewise: true },
    ]) {
      const all = compareImages(x, y, options);
      expect(all.ssim).toBe(ssim(x, y, options));
      expect(all.uqi).toBe(uqi(x, y, options.mask ? { mask: options.mask } : {}));
      expect(all.psnr).toBe(psnr(x, y, options));
      expect(all.vif).toBe(vif(x, y, { dataRange: 255 }));
      expect(all.msssim).toBeNull();
    }
  });

  it('gives null for metrics that need a larger image', () => {
    const x = phantom(32, 32);
    const all = compareImages(x, withNoise(x, 3), { dataRange: 255 });
    expect(all.msssim).toBeNull();
    expect(all.vif).toBeNull();
    expect(all.ssim).toBeLessThan(1);
  });

  it('validates once, with its own name in messages', () => {
    expect(codeOf(() => compareImages(phantom(20, 20), phantom(20, 21), { dataRange: 1 }))).toBe(
      'SHAPE_MISMATCH',
    );
    expect(() =>
      compareImages(phantom(20, 20), phantom(20, 20), { dataRange: Number.NaN }),
    ).toThrow(/^compareImages: dataRange/);
    expect(codeOf(() => compareImages(phantom(8, 20), phantom(8, 20), { dataRange: 1 }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
