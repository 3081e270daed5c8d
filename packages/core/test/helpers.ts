import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createVolume, type Volume } from '@duncan-mri/volume';

/** Switches tfjs to `backend` (the bundle registers the gradients; wasm is imported above). */
export async function useBackend(backend: 'wasm' | 'cpu'): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
}

/**
 * A small head-like phantom: an ellipse of 100 with an inner ellipse of 160 and a dark square,
 * on a zero background; `shift` moves the structures (a different "subject").
 */
export function phantom(nx: number, ny: number, nz = 1, shift = 0): Volume {
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const u = (x - (nx - 1) / 2 - shift) / (0.4 * nx);
        const v = (y - (ny - 1) / 2) / (0.45 * ny);
        const w = nz === 1 ? 0 : (z - (nz - 1) / 2) / (0.6 * nz);
        const r = u * u + v * v + w * w;
        let value = r < 1 ? 100 : 0;
        if (r < 0.3) value = 160;
        if (Math.abs(u - 0.3) < 0.15 && Math.abs(v + 0.2) < 0.15) value = 40;
        data[i] = value;
      }
    }
  }
  return createVolume({ data, shape: [nx, ny, nz], spacing: [1, 1.5, 2] });
}

/** A tiny configuration for tests. */
export const TINY = { channels: 4, residualBlocks: 1, cropSize: 32, poolSize: 4 } as const;

export { expectMriError, maxAbsDiff } from '@duncan-mri/test-helpers';
export { tf };
