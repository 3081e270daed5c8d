import { reflectIndex } from './local-moments.js';

/**
 * A 3x3 in-plane median filter of every z slice of an x-fastest volume, written only where
 * `where` is non-zero (other voxels keep their input value). The 3x3 neighbourhood always reads
 * the input, inside and outside `where`, with mirrored borders (scipy.ndimage's
 * `median_filter(size=(3, 3), mode='reflect')` per slice, edge sample repeated).
 */
export function medianFilter3x3(
  data: Float32Array,
  shape: readonly [number, number, number],
  where: Uint8Array,
): Float32Array {
  const [nx, ny, nz] = shape;
  const out = Float32Array.from(data);
  const window = new Float64Array(9);
  const plane = nx * ny;
  for (let z = 0; z < nz; z++) {
    const offset = z * plane;
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = offset + x + nx * y;
        if (where[i] === 0) continue;
        let k = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const row = offset + nx * reflectIndex(y + dy, ny);
          for (let dx = -1; dx <= 1; dx++) {
            // Insertion sort as the window fills: nine values.
            const v = data[row + reflectIndex(x + dx, nx)]!;
            let j = k++;
            while (j > 0 && window[j - 1]! > v) {
              window[j] = window[j - 1]!;
              j--;
            }
            window[j] = v;
          }
        }
        out[i] = window[4]!;
      }
    }
  }
  return out;
}
