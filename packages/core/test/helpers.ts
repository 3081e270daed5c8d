import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ellipsePhantom } from '@duncan-mri/test-helpers';
import type { Volume } from '@duncan-mri/volume';

/** Switches tfjs to `backend` (the bundle registers the gradients; wasm is imported above). */
export async function useBackend(backend: 'wasm' | 'cpu'): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
}

/**
 * A small head-like phantom ({@link ellipsePhantom}: an ellipse of 100 with an inner ellipse of
 * 160 and a dark square, on a zero background; 1 x 1.5 x 2 mm); `shift` moves the structures
 * (a different "subject").
 */
export function phantom(nx: number, ny: number, nz = 1, shift = 0): Volume {
  return ellipsePhantom(nx, ny, nz, { shift: () => shift, zRadius: 0.6, spacing: [1, 1.5, 2] });
}

/** A tiny configuration for tests. */
export const TINY = { channels: 4, residualBlocks: 1, cropSize: 32, poolSize: 4 } as const;

export { expectMriError, maxAbsDiff } from '@duncan-mri/test-helpers';
export { tf };
