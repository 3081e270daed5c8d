import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type ExpectedMriError, ellipsePhantom } from '@duncan-mri/test-helpers';
import { createVolume, type MriErrorCode, type Volume } from '@duncan-mri/volume';
import { expect } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));

let slice: Volume | undefined;

/** Colin27 axial slice z = 94, 181 x 217, 1 mm (see fixtures/README.md). */
export function realSlice(): Volume {
  if (!slice) {
    const bytes = gunzipSync(readFileSync(join(HERE, 'fixtures', 'ch2-z94.f32.gz')));
    const data = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(i * 4);
    slice = createVolume({ data, shape: [181, 217], spacing: [1, 1, 1] });
  }
  return slice;
}

/**
 * A small synthetic head-like phantom ({@link ellipsePhantom}: an ellipse of 100 with an inner
 * ellipse of 160 and a dark square, on a zero background). 2-D when nz = 1.
 */
export function phantom(
  nx: number,
  ny: number,
  nz = 1,
  spacing: [number, number, number] = [1, 1, 1],
): Volume {
  return ellipsePhantom(nx, ny, nz, { spacing });
}

export { expectMriError } from '@duncan-mri/test-helpers';

/**
 * What {@link expectMriError} expects of simulate's boundary checks: an error of `code` naming
 * `argument`, in the house style `<function>: ... , got ...`.
 */
export function argumentError(
  argument: string,
  code: MriErrorCode = 'INVALID_ARGUMENT',
): ExpectedMriError {
  return { code, argument, message: /^\w+: .+, got .+/ };
}

/** Every voxel finite and >= 0. */
export function expectFiniteNonNegative(data: Float32Array): void {
  let bad = 0;
  for (const v of data) if (!Number.isFinite(v) || v < 0) bad++;
  expect(bad).toBe(0);
}

/** Max |a - b| / max |a|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(a[i]!));
  }
  return den === 0 ? num : num / den;
}
