import { codeOf } from '@duncan-mri/test-helpers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onesKernel } from './internal/kernels.js';
import { ssimCore } from './internal/ssim-core.js';
import { noisyPhantomPair, phantom, withNoise } from './internal/test-helpers.js';
import { uqi } from './uqi.js';

describe('uqi', () => {
  it('equals SSIM with C1 = C2 = 0 and a uniform 8x8 window (Wang & Bovik 2002 vs Wang et al. 2004)', () => {
    fc.assert(
      fc.property(noisyPhantomPair(30, 26, 1, 40), ({ x, y }) => {
        const viaSsim = ssimCore(x.data, y.data, x.shape, {
          kernel: onesKernel(8).map((v) => v / 8),
          c1: 0,
          c2: 0,
          threeD: false,
          wantMap: false,
        }).mean;
        expect(uqi(x, y)).toBeCloseTo(viaSsim, 10);
      }),
      { numRuns: 15 },
    );
  });

  it('is 1 for identical images, symmetric and within [-1, 1]', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const x = phantom(20, 18, 2, seed);
        const y = withNoise(x, 30, seed);
        expect(uqi(x, x)).toBe(1);
        const q = uqi(x, y);
        expect(Math.abs(q - uqi(y, x))).toBeLessThan(1e-14);
        expect(Math.abs(q)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 10 },
    );
  });

  it('scores flat windows by the MATLAB rules', () => {
    const zero = phantom(16, 16);
    const z = new Float32Array(256);
    const a = { ...zero, data: z };
    const b = { ...zero, data: new Float32Array(256).fill(3) };
    const c = { ...zero, data: new Float32Array(256).fill(5) };
    expect(uqi(a, a)).toBe(1); // both means zero
    expect(uqi(b, c)).toBeCloseTo((2 * 3 * 5) / (9 + 25), 15); // flat, different means
    expect(uqi(a, c)).toBe(0);
  });

  it('decreases monotonically with noise; mask selects windows by their (3, 3) anchor', () => {
    const x = phantom(40, 40);
    const scores = [2, 5, 10, 20, 40].map((s) => uqi(x, withNoise(x, s)));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]!);
    const mask = new Uint8Array(1600);
    mask[3 + 40 * 3] = 1; // the anchor of the top-left window only
    const y = withNoise(x, 10);
    // Q of the top-left 8x8 window, written out from Wang & Bovik's definition.
    let mx = 0;
    let my = 0;
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        mx += x.data[c + 40 * r]! / 64;
        my += y.data[c + 40 * r]! / 64;
      }
    }
    let vx = 0;
    let vy = 0;
    let cxy = 0;
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const dx = x.data[c + 40 * r]! - mx;
        const dy = y.data[c + 40 * r]! - my;
        vx += (dx * dx) / 64;
        vy += (dy * dy) / 64;
        cxy += (dx * dy) / 64;
      }
    }
    const expected = (4 * cxy * mx * my) / ((vx + vy) * (mx * mx + my * my));
    expect(uqi(x, y, { mask })).toBeCloseTo(expected, 9);
  });

  it.each([
    ['a shape mismatch', () => uqi(phantom(20, 20), phantom(20, 21)), 'SHAPE_MISMATCH'],
    [
      'a mask selecting no window anchor',
      () => {
        const mask = new Uint8Array(400);
        mask[0] = 1;
        return uqi(phantom(20, 20), phantom(20, 20), { mask });
      },
      'INVALID_ARGUMENT',
    ],
    [
      'an image smaller than 8 pixels',
      () => uqi(phantom(7, 20), phantom(7, 20)),
      'INVALID_ARGUMENT',
    ],
    [
      'options that are not an object',
      () => uqi(phantom(20, 20), phantom(20, 20), 3 as never),
      'INVALID_ARGUMENT',
    ],
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
