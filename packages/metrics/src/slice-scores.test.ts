import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume, sliceVolume, type Volume } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { badMaskCases, phantom, volumeShape, withNoise } from './internal/test-helpers.js';
import { psnr } from './psnr.js';
import { sliceScores } from './slice-scores.js';
import { ssim } from './ssim.js';

const slice = (v: Volume, z: number): Volume => sliceVolume(v, 2, z);

/** A disc in the middle of every slice. */
function disc(nx: number, ny: number, nz: number): Uint8Array {
  const mask = new Uint8Array(nx * ny * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        if ((x - nx / 2) ** 2 + (y - ny / 2) ** 2 < (nx * ny) / 10) mask[x + nx * (y + ny * z)] = 1;
  return mask;
}

describe('sliceScores', () => {
  it('per slice equals ssim and psnr of the slice, with and without the mask', () => {
    const [nx, ny, nz] = [24, 20, 3];
    const reference = phantom(nx, ny, nz, 4);
    const test = withNoise(reference, 6);
    const mask = disc(nx, ny, nz);
    const scores = sliceScores(reference, test, { dataRange: 255, mask });
    expect(scores.map((s) => s.z)).toEqual([0, 1, 2]);
    for (const s of scores) {
      const r = slice(reference, s.z);
      const t = slice(test, s.z);
      const m = mask.slice(nx * ny * s.z, nx * ny * (s.z + 1));
      expect(s.maskVoxels).toBe(m.reduce((a, b) => a + b, 0));
      expect(s.inMask.ssim).toBeCloseTo(ssim(r, t, { dataRange: 255, mask: m }), 12);
      expect(s.whole.ssim).toBeCloseTo(ssim(r, t, { dataRange: 255 }), 12);
      expect(s.inMask.psnr).toBeCloseTo(psnr(r, t, { dataRange: 255, mask: m }), 10);
      expect(s.whole.psnr).toBeCloseTo(psnr(r, t, { dataRange: 255 }), 10);
    }
  });

  it("NRMSE: RMSE over the reference's min-max range in the region (scikit-image's min-max rule)", () => {
    // Reference: 0..120 ramp along x (whole range 120); mask: columns 4..7 (40..70, range 30).
    // Test: reference + 3 everywhere, so RMSE = 3 in both regions.
    const [nx, ny] = [13, 12];
    const data = Float32Array.from({ length: nx * ny }, (_, i) => 10 * (i % nx));
    const reference = createVolume({ data, shape: [nx, ny] });
    const test = createVolume({ data: data.map((v) => v + 3), shape: [nx, ny] });
    const mask = Uint8Array.from(data, (_, i) => (i % nx >= 4 && i % nx <= 7 ? 1 : 0));
    const [s] = sliceScores(reference, test, { dataRange: 120, mask });
    expect(s!.inMask.nrmse).toBeCloseTo(3 / 30, 12);
    expect(s!.whole.nrmse).toBeCloseTo(3 / 120, 12);
    expect(s!.inMask.psnr).toBeCloseTo(10 * Math.log10(120 ** 2 / 9), 10);
    // a reference that is flat over the mask: Infinity with an error, NaN (0 / 0) without
    const column = Uint8Array.from(data, (_, i) => (i % nx === 5 ? 1 : 0));
    const [flat] = sliceScores(reference, test, { dataRange: 120, mask: column });
    expect(flat!.inMask.nrmse).toBe(Number.POSITIVE_INFINITY);
    const [same] = sliceScores(reference, reference, { dataRange: 120, mask: column });
    expect(same!.inMask.nrmse).toBeNaN();
  });

  it('skips slices without mask voxels', () => {
    const reference = phantom(16, 16, 4, 2);
    const mask = disc(16, 16, 4);
    mask.fill(0, 0, 256);
    mask.fill(0, 2 * 256, 3 * 256);
    const scores = sliceScores(reference, withNoise(reference, 3), { dataRange: 255, mask });
    expect(scores.map((s) => s.z)).toEqual([1, 3]);
  });

  it('identity: SSIM 1, PSNR Infinity, NRMSE 0; symmetric SSIM and PSNR (property)', () => {
    fc.assert(
      fc.property(
        volumeShape(11, 20, 3),
        fc.integer({ min: 1, max: 500 }),
        ([nx, ny, nz], seed) => {
          const x = phantom(nx, ny, nz, seed);
          const y = withNoise(x, 4, seed);
          const mask = disc(nx, ny, nz);
          for (const s of sliceScores(x, x, { dataRange: 255, mask })) {
            for (const region of [s.inMask, s.whole]) {
              expect(region.ssim).toBeCloseTo(1, 12);
              expect(region.psnr).toBe(Number.POSITIVE_INFINITY);
              // 0, or NaN (0 / 0) where the reference is flat over the region (clipped at 255)
              expect(region.nrmse === 0 || Number.isNaN(region.nrmse)).toBe(true);
            }
          }
          const ab = sliceScores(x, y, { dataRange: 255, mask });
          const ba = sliceScores(y, x, { dataRange: 255, mask });
          ab.forEach((s, k) => {
            expect(s.inMask.ssim).toBeCloseTo(ba[k]!.inMask.ssim, 12);
            expect(s.whole.psnr).toBe(ba[k]!.whole.psnr);
            expect(s.inMask.ssim).toBeLessThanOrEqual(1);
            expect(s.inMask.nrmse).toBeGreaterThan(0);
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  const x = phantom(16, 16, 2);
  const mask = disc(16, 16, 2);
  it.each([
    ['a missing mask', () => sliceScores(x, x, { dataRange: 255 } as never), 'INVALID_ARGUMENT'],
    ...badMaskCases((m) => sliceScores(x, x, { dataRange: 255, mask: m }), 512, 10),
    ['a missing dataRange', () => sliceScores(x, x, { mask } as never), 'INVALID_ARGUMENT'],
    [
      'a different shape',
      () => sliceScores(x, phantom(16, 16, 3), { dataRange: 255, mask }),
      'SHAPE_MISMATCH',
    ],
    [
      'slices under 11x11',
      () =>
        sliceScores(phantom(10, 16), phantom(10, 16), {
          dataRange: 255,
          mask: new Uint8Array(160).fill(1),
        }),
      'INVALID_ARGUMENT',
    ],
    ['options that are not an object', () => sliceScores(x, x, null as never), 'INVALID_ARGUMENT'],
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
