import type { Axis } from '@duncan-mri/volume';
import { fftAlongAxis } from './fft.js';

type Shape = readonly [number, number, number];

/** The axes with more than one sample (a 2-D image has nz = 1). */
export function activeAxes(shape: Shape): Axis[] {
  return ([0, 1, 2] as const).filter((a) => shape[a] > 1);
}

/** The full forward transform of a real image, in float64. */
export function forwardKspace(
  data: Float32Array | Float64Array,
  shape: Shape,
): { re: Float64Array; im: Float64Array } {
  const re = Float64Array.from(data);
  const im = new Float64Array(data.length);
  for (const axis of activeAxes(shape)) fftAlongAxis(re, im, shape, axis, false);
  return { re, im };
}

/** In-place inverse transform along every axis. */
export function inverseKspaceInPlace(re: Float64Array, im: Float64Array, shape: Shape): void {
  for (const axis of activeAxes(shape)) fftAlongAxis(re, im, shape, axis, true);
}

/** True when no voxel is negative (a magnitude image). */
export function isMagnitudeImage(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i]! < 0) return false;
  return true;
}

/**
 * The image of an inverse-transformed k-space, as MRI reconstructs it: the magnitude for a
 * magnitude input, the real part for a signed input (which keeps its sign).
 */
export function toImage(re: Float64Array, im: Float64Array, magnitude: boolean): Float32Array {
  const out = new Float32Array(re.length);
  if (magnitude)
    for (let i = 0; i < re.length; i++) {
      const r = re[i]!;
      const m = im[i]!;
      out[i] = Math.sqrt(r * r + m * m);
    }
  else out.set(re);
  return out;
}

/** The signed frequency of FFT index `k` of a length-`n` axis: in `[-floor(n/2), ceil(n/2))`. */
export function signedFrequency(k: number, n: number): number {
  return k < Math.ceil(n / 2) ? k : k - n;
}

/** Inverse transform and conversion back to a float32 image. */
export function kspaceToImage(
  re: Float64Array,
  im: Float64Array,
  shape: Shape,
  magnitude: boolean,
): Float32Array {
  inverseKspaceInPlace(re, im, shape);
  return toImage(re, im, magnitude);
}

/** Forward transform, `modify` the k-space in place, inverse, back to an image. */
export function throughKspace(
  data: Float32Array,
  shape: Shape,
  modify: (re: Float64Array, im: Float64Array) => void,
): Float32Array {
  const { re, im } = forwardKspace(data, shape);
  modify(re, im);
  return kspaceToImage(re, im, shape, isMagnitudeImage(data));
}
