import { type Axis, isMriError } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFftPlan, fftAlongAxis } from './fft.js';

interface ComplexArray {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** The DFT of a copy of `input` by one plan (numpy's `fft`, or `ifft` with `inverse`). */
function fft(input: ComplexArray, options: { inverse?: boolean } = {}): ComplexArray {
  const out = { re: Float64Array.from(input.re), im: Float64Array.from(input.im) };
  const plan = createFftPlan(input.re.length);
  if (options.inverse === true) plan.inverse(out.re, out.im);
  else plan.forward(out.re, out.im);
  return out;
}

/** The transform of a copy of an x-fastest `shape` array along `axes` (numpy's `fftn`). */
function fftn(
  input: ComplexArray,
  shape: readonly [number, number, number],
  options: { inverse?: boolean; axes?: readonly Axis[] } = {},
): ComplexArray {
  const out = { re: Float64Array.from(input.re), im: Float64Array.from(input.im) };
  for (const axis of options.axes ?? [0, 1, 2])
    fftAlongAxis(out.re, out.im, shape, axis, options.inverse === true);
  return out;
}

/** The textbook O(n^2) DFT in float64, with exact angles (j k mod n). */
function directDft(re: Float64Array, im: Float64Array, inverse: boolean) {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += re[j]! * c - im[j]! * s;
      si += re[j]! * s + im[j]! * c;
    }
    outRe[k] = inverse ? sr / n : sr;
    outIm[k] = inverse ? si / n : si;
  }
  return { re: outRe, im: outIm };
}

/** max |x - y| / max |y| over complex entries. */
function relative(
  x: { re: Float64Array; im: Float64Array },
  y: { re: Float64Array; im: Float64Array },
) {
  let num = 0;
  let den = 0;
  for (let k = 0; k < x.re.length; k++) {
    num = Math.max(num, Math.hypot(x.re[k]! - y.re[k]!, x.im[k]! - y.im[k]!));
    den = Math.max(den, Math.hypot(y.re[k]!, y.im[k]!));
  }
  return den === 0 ? num : num / den;
}

function signal(n: number, seed: number) {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    re[i] = Math.sin(1.7 * i + seed) + 0.01 * i;
    im[i] = Math.cos(0.37 * i * i + 2 * seed) - 0.5;
  }
  return { re, im };
}

const SIZES = [...Array.from({ length: 64 }, (_, i) => i + 1), 181, 217, 256];

describe('createFftPlan and fftAlongAxis', () => {
  it.each(SIZES)('equals a direct DFT to 1e-9 relative, forward and inverse, n = %i', (n) => {
    const x = signal(n, n);
    expect(relative(fft(x), directDft(x.re, x.im, false))).toBeLessThan(1e-9);
    expect(relative(fft(x, { inverse: true }), directDft(x.re, x.im, true))).toBeLessThan(1e-9);
  });

  it('picks mixed radix for small factors, Rader for large primes, Bluestein otherwise', () => {
    expect(createFftPlan(256).algorithm).toBe('mixed-radix');
    expect(createFftPlan(217).algorithm).toBe('mixed-radix'); // 7 x 31
    expect(createFftPlan(181).algorithm).toBe('rader'); // 180 = 4 x 9 x 5
    expect(createFftPlan(2 * 179).algorithm).toBe('bluestein');
    expect(createFftPlan(47 * 53).algorithm).toBe('bluestein');
  });

  it.each([358, 1009, 2491, 1024])(
    'equals a direct DFT for n = %i (Rader, Bluestein, radix 4)',
    (n) => {
      const x = signal(n, 7);
      expect(relative(fft(x), directDft(x.re, x.im, false))).toBeLessThan(1e-9);
      expect(relative(fft(x, { inverse: true }), directDft(x.re, x.im, true))).toBeLessThan(1e-9);
    },
  );

  it('round-trips (inverse of forward is the identity) for random lengths and data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 1000 }),
        (n, seed) => {
          const x = signal(n, seed);
          const back = fft(fft(x), { inverse: true });
          expect(relative(back, x)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fftAlongAxis on every axis equals 1-D DFTs along each axis (3-D, odd sizes) and inverts', () => {
    const shape = [5, 7, 3] as const;
    const n = 5 * 7 * 3;
    const x = signal(n, 3);
    const k = fftn(x, shape);
    // Reference: direct DFTs along x, then y, then z.
    let ref = { re: Float64Array.from(x.re), im: Float64Array.from(x.im) };
    const strides = [1, 5, 35];
    for (let axis = 0; axis < 3; axis++) {
      const len = shape[axis]!;
      const stride = strides[axis]!;
      const out = { re: new Float64Array(n), im: new Float64Array(n) };
      for (let start = 0; start < n; start++) {
        if (Math.floor(start / stride) % len !== 0) continue;
        const lineRe = new Float64Array(len);
        const lineIm = new Float64Array(len);
        for (let j = 0; j < len; j++) {
          lineRe[j] = ref.re[start + j * stride]!;
          lineIm[j] = ref.im[start + j * stride]!;
        }
        const d = directDft(lineRe, lineIm, false);
        for (let j = 0; j < len; j++) {
          out.re[start + j * stride] = d.re[j]!;
          out.im[start + j * stride] = d.im[j]!;
        }
      }
      ref = out;
    }
    expect(relative(k, ref)).toBeLessThan(1e-12);
    expect(relative(fftn(k, shape, { inverse: true }), x)).toBeLessThan(1e-13);
    // Only some axes.
    const xOnly = fftn(x, shape, { axes: [0] });
    expect(relative(fftn(xOnly, shape, { axes: [1, 2] }), k)).toBeLessThan(1e-13);
  });

  it('refuses a length that is not an integer in [1, 2^27] with MriError naming n', () => {
    for (const n of [0, 2.5, 2 ** 27 + 1]) {
      try {
        createFftPlan(n);
        expect.unreachable();
      } catch (e) {
        expect(isMriError(e)).toBe(true);
        expect((e as { argument: string }).argument).toBe('n');
      }
    }
  });
});
