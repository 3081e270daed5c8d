import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, float16Bits, float16Value } from './float16.js';

describe('float16', () => {
  it('encodes the values binary16 defines exactly to their bits', () => {
    // From the layout: sign, 5 exponent bits (bias 15), 10 fraction bits.
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // the largest finite half
      [2 ** -14, 0x0400], // the smallest normal
      [2 ** -24, 0x0001], // the smallest subnormal
      [1023 * 2 ** -24, 0x03ff], // the largest subnormal
      [1 + 2 ** -10, 0x3c01],
      [Number.POSITIVE_INFINITY, 0x7c00],
      [Number.NEGATIVE_INFINITY, 0xfc00],
    ];
    for (const [x, bits] of cases) {
      expect(float16Bits(x)).toBe(bits);
      expect(Object.is(float16Value(bits), x)).toBe(true);
    }
    expect(Number.isNaN(float16Value(float16Bits(Number.NaN)))).toBe(true);
  });

  it('rounds to nearest, ties to even, and overflows to Infinity past 65504', () => {
    // 1 + 2^-11 is halfway between 1 (even) and 1 + 2^-10 (odd): to 1.
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): up.
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    // Subnormals: 1.5 * 2^-24 is a tie between 1 (odd) and 2 (even) units; 2^-25 rounds to 0.
    expect(float16Bits(1.5 * 2 ** -24)).toBe(0x0002);
    expect(float16Bits(2 ** -25)).toBe(0x0000);
    expect(float16Bits(2 ** -25 + 2 ** -35)).toBe(0x0001);
    // A fraction that rounds up into the next exponent.
    expect(float16Bits(2 - 2 ** -12)).toBe(0x4000);
    expect(float16Bits(65519)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(1e6)).toBe(0x7c00);
  });

  it('round-trips every finite half, and each float32 lands on its nearest half', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      const x = float16Value(bits);
      expect(float16Bits(x)).toBe(x === 0 && bits === 0x8000 ? 0x8000 : bits);
    }
    // Against the two neighbouring halves: none is nearer than the one chosen.
    const values = Float32Array.from(
      { length: 2000 },
      (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 12) - 8),
    );
    for (const x of values) {
      const bits = float16Bits(x);
      const error = Math.abs(float16Value(bits) - x);
      for (const other of [bits - 1, bits + 1]) {
        if ((other & 0x7fff) >= 0x7c00 || other < 0) continue;
        expect(error).toBeLessThanOrEqual(Math.abs(float16Value(other) - x));
      }
    }
    const bytes = encodeFloat16(values);
    expect(bytes.byteLength).toBe(2 * values.length);
    const back = decodeFloat16(bytes.buffer as ArrayBuffer, 0, values.length);
    for (let i = 0; i < values.length; i++)
      expect(back[i]).toBe(float16Value(float16Bits(values[i]!)));
  });
});
