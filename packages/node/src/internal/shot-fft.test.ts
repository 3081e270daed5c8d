import { createRng } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { createShotFft, transform2d } from './shot-fft.js';

/** The textbook O(n^2) DFT, the independent reference. */
function directDft(re: Float64Array, im: Float64Array, inverse: boolean): [number[], number[]] {
  const n = re.length;
  const sign = inverse ? 1 : -1;
  const outRe: number[] = [];
  const outIm: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      sr += re[j]! * Math.cos(angle) - im[j]! * Math.sin(angle);
      si += re[j]! * Math.sin(angle) + im[j]! * Math.cos(angle);
    }
    outRe.push(inverse ? sr / n : sr);
    outIm.push(inverse ? si / n : si);
  }
  return [outRe, outIm];
}

function randomComplex(n: number, seed: number): [Float64Array, Float64Array] {
  const rng = createRng(seed);
  return [
    Float64Array.from({ length: n }, () => rng.normal()),
    Float64Array.from({ length: n }, () => rng.normal()),
  ];
}

describe('createShotFft', () => {
  it('matches a direct DFT, forward and inverse, for powers of two and other lengths', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 31, 64, 97]) {
      for (const inverse of [false, true]) {
        const [re, im] = randomComplex(n, n);
        const [er, ei] = directDft(re, im, inverse);
        createShotFft(n).transform(re, im, inverse);
        const scale = Math.max(1, ...er.map(Math.abs), ...ei.map(Math.abs));
        for (let k = 0; k < n; k++) {
          expect(Math.abs(re[k]! - er[k]!) / scale).toBeLessThan(1e-12);
          expect(Math.abs(im[k]! - ei[k]!) / scale).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('round-trips (inverse of forward is the identity) at image sizes', () => {
    for (const n of [181, 217, 256]) {
      const [re, im] = randomComplex(n, 1);
      const [r0, i0] = [Float64Array.from(re), Float64Array.from(im)];
      const fft = createShotFft(n);
      fft.transform(re, im, false);
      fft.transform(re, im, true);
      for (let k = 0; k < n; k++) {
        expect(re[k]).toBeCloseTo(r0[k]!, 10);
        expect(im[k]).toBeCloseTo(i0[k]!, 10);
      }
    }
  });
});

describe('transform2d', () => {
  it('round-trips a 181 x 217 image and puts the sum at k = 0', () => {
    const [re, im] = randomComplex(181 * 217, 2);
    const [r0, i0] = [Float64Array.from(re), Float64Array.from(im)];
    const sum = r0.reduce((s, v) => s + v, 0);
    transform2d(re, im, 181, 217, false);
    expect(re[0]).toBeCloseTo(sum, 8);
    transform2d(re, im, 181, 217, true);
    for (let i = 0; i < re.length; i += 97) {
      expect(re[i]).toBeCloseTo(r0[i]!, 10);
      expect(im[i]).toBeCloseTo(i0[i]!, 10);
    }
  });
});
