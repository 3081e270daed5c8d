import { createRng } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gaussianKernel } from './kernels.js';
import { type BorderMode, reflectIndex, streamMoments, type ZMode } from './local-moments.js';

/** Direct (non-separable) windowed moments, the definition the fast path must equal. */
function bruteForce(
  x: Float32Array,
  y: Float32Array,
  shape: [number, number, number],
  w: Float64Array,
  xyMode: BorderMode,
  zMode: ZMode,
) {
  const [nx, ny, nz] = shape;
  const taps = w.length;
  const shift = (mode: BorderMode) => (mode === 'valid' ? 0 : (taps - 1) >> 1);
  const out = (n: number, mode: BorderMode) => (mode === 'valid' ? n - taps + 1 : n);
  const nxo = out(nx, xyMode);
  const nyo = out(ny, xyMode);
  const threeD = zMode !== 'slicewise';
  const nzo = threeD ? out(nz, zMode) : nz;
  const result: number[][] = [];
  for (let oz = 0; oz < nzo; oz++) {
    for (let oy = 0; oy < nyo; oy++) {
      for (let ox = 0; ox < nxo; ox++) {
        const m = [0, 0, 0, 0, 0];
        for (let kz = 0; kz < (threeD ? taps : 1); kz++) {
          const iz = threeD ? reflectIndex(oz + kz - shift(zMode), nz) : oz;
          const wz = threeD ? w[kz]! : 1;
          for (let ky = 0; ky < taps; ky++) {
            const iy = reflectIndex(oy + ky - shift(xyMode), ny);
            for (let kx = 0; kx < taps; kx++) {
              const ix = reflectIndex(ox + kx - shift(xyMode), nx);
              const weight = wz * w[ky]! * w[kx]!;
              const a = x[ix + nx * (iy + ny * iz)]!;
              const b = y[ix + nx * (iy + ny * iz)]!;
              m[0]! += weight * a;
              m[1]! += weight * b;
              m[2]! += weight * a * a;
              m[3]! += weight * b * b;
              m[4]! += weight * a * b;
            }
          }
        }
        result.push(m);
      }
    }
  }
  return result;
}

describe('reflectIndex', () => {
  it('is scipy.ndimage reflect (d c b a | a b c d | d c b a)', () => {
    const n = 4;
    const got = Array.from({ length: 16 }, (_, i) => reflectIndex(i - 6, n));
    expect(got).toEqual([2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1]);
    expect(reflectIndex(0, 1)).toBe(0);
    expect(reflectIndex(-3, 1)).toBe(0);
  });
});

describe('streamMoments', () => {
  const kernels = {
    'gaussian 11': gaussianKernel(1.5, 5),
    'gaussian 5': gaussianKernel(1, 2),
    'asymmetric 3': Float64Array.from([0.2, 0.5, 0.3]),
    'ones 4': Float64Array.from([1, 1, 1, 1]),
  };
  const cases: [string, BorderMode, ZMode][] = [
    ['valid', 'valid', 'slicewise'],
    ['reflect', 'reflect', 'slicewise'],
    ['valid 3-D', 'valid', 'valid'],
    ['reflect 3-D', 'reflect', 'reflect'],
  ];
  for (const [kernelName, w] of Object.entries(kernels)) {
    for (const [label, xyMode, zMode] of cases) {
      it(`equals the direct sum: ${kernelName}, ${label}`, () => {
        fc.assert(
          fc.property(
            fc.integer({ min: w.length, max: w.length + 5 }),
            fc.integer({ min: w.length, max: w.length + 4 }),
            fc.integer({ min: zMode === 'slicewise' ? 1 : w.length, max: w.length + 2 }),
            fc.nat(),
            (nx, ny, nz, seed) => {
              const rng = createRng(seed);
              const n = nx * ny * nz;
              const x = Float32Array.from({ length: n }, () => rng.normal(50, 20));
              const y = Float32Array.from({ length: n }, () => rng.normal(40, 25));
              const expected = bruteForce(x, y, [nx, ny, nz], w, xyMode, zMode);
              const got: number[][] = [];
              streamMoments(x, y, [nx, ny, nz], w, xyMode, zMode, 'separate', (_oz, m) => {
                for (let i = 0; i < m.mx.length; i++) {
                  got.push([m.mx[i]!, m.my[i]!, m.xx[i]!, m.yy[i]!, m.xy[i]!]);
                }
              });
              const combined: number[] = [];
              streamMoments(x, y, [nx, ny, nz], w, xyMode, zMode, 'combined', (_oz, m) => {
                expect(m.yy.length).toBe(0);
                for (let i = 0; i < m.mx.length; i++) combined.push(m.xx[i]!);
              });
              expect(got.length).toBe(expected.length);
              expect(combined.length).toBe(expected.length);
              for (let i = 0; i < combined.length; i++) {
                const e = expected[i]![2]! + expected[i]![3]!;
                expect(Math.abs(combined[i]! - e)).toBeLessThanOrEqual(1e-9 * Math.max(1, e));
              }
              for (let i = 0; i < got.length; i++) {
                for (let c = 0; c < 5; c++) {
                  const e = expected[i]![c]!;
                  expect(Math.abs(got[i]![c]! - e)).toBeLessThanOrEqual(
                    1e-9 * Math.max(1, Math.abs(e)),
                  );
                }
              }
            },
          ),
          { numRuns: 6 },
        );
      });
    }
  }
});
