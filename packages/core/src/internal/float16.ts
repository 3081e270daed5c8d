// IEEE 754 binary16 ("half") from and to float32 values, for checkpoints that store their
// weights as float16 (half the bytes). Written from the standard's layout: 1 sign bit, 5
// exponent bits (bias 15), 10 fraction bits; subnormals below 2^-14; rounding to nearest, ties to
// even. tfjs decodes float16 too, but only inside `tf.io.decodeWeights`, and it has no encoder.

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The binary16 bits nearest to `x` (ties to even); ±Infinity beyond 65504, NaN stays NaN. */
export function float16Bits(x: number): number {
  scratch[0] = x;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (fraction === 0 ? 0 : 0x200);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A subnormal half: the value is (1.fraction) 2^(exponent - 127) = m 2^-24.
    if (e < -10) return sign;
    const significand = fraction | 0x800000;
    const shift = 14 - e;
    let half = significand >>> shift;
    const rest = significand & ((1 << shift) - 1);
    const middle = 1 << (shift - 1);
    if (rest > middle || (rest === middle && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (fraction >>> 13);
  const rest = fraction & 0x1fff;
  // A carry out of the fraction moves the exponent up, which is the right rounding (to 65504's
  // successor, Infinity, at the top).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** The value of binary16 bits. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Little-endian binary16 array (as stored) to float32 values. */
export function decodeFloat16(bytes: ArrayBuffer, offset: number, count: number): Float32Array {
  const view = new DataView(bytes, offset, 2 * count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = float16Value(view.getUint16(2 * i, true));
  return out;
}

/** float32 values to a little-endian binary16 array (as stored). */
export function encodeFloat16(values: Float32Array): Uint8Array {
  const out = new Uint8Array(2 * values.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(2 * i, float16Bits(values[i]!), true);
  return out;
}
