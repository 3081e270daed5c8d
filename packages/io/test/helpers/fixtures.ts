import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The bytes of a committed fixture, e.g. `fixture('nifti/anatomical.nii')`, as a plain Uint8Array. */
export function fixture(path: string): Uint8Array {
  const buffer = readFileSync(join(HERE, '..', 'fixtures', path));
  return new Uint8Array(
    buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength),
  );
}

/** A JSON file of test/reference. */
export function reference<T>(name: string): T {
  return JSON.parse(readFileSync(join(HERE, '..', 'reference', name), 'utf8')) as T;
}

/** Calls `fn` and returns what it threw (undefined if nothing). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Relative-or-absolute closeness used against float64 references read as float32. */
export function close(a: number, b: number, rtol: number, atol = 0): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/** True when two float arrays are bit-for-bit equal (NaN equal to NaN); fast for big arrays. */
export function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
