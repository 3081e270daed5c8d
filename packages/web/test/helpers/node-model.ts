// Node side of the browser tests: tfjs on wasm (gradients registered as the web package does),
// small models made on the fly, and the reference output the browser must reproduce.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-wasm';
import { type Checkpoint, correct, createModel, saveCheckpoint } from '@duncan-mri/core';
import { createVolume, type Volume } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';

export async function useNodeWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
}

/** A small model (C = 4, one residual block), as a checkpoint, and its correction of `volume`. */
export async function smallModel(
  seed: number,
  volume: Volume,
): Promise<{ checkpoint: Checkpoint; reference: Float32Array }> {
  const model = createModel(
    { channels: 4, residualBlocks: 1, cropSize: 32, poolSize: 0 },
    { seed },
  );
  try {
    const checkpoint = await saveCheckpoint(model);
    const { corrected } = await correct(model, volume, { batchSize: 1 });
    return { checkpoint, reference: corrected.data };
  } finally {
    model.dispose();
  }
}

/**
 * A phantom on a [0, 1] scale (an ellipse with an inner ellipse and a dark square; `shift`
 * moves it per slice), so that a tolerance of 1e-3 is relative to the intensity range.
 */
export function phantom(nx: number, ny: number, nz: number): Volume {
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const u = (x - (nx - 1) / 2 - z) / (0.4 * nx);
        const v = (y - (ny - 1) / 2) / (0.45 * ny);
        const r = u * u + v * v;
        let value = r < 1 ? 0.6 : 0.02;
        if (r < 0.3) value = 0.95;
        if (Math.abs(u - 0.3) < 0.15 && Math.abs(v + 0.2) < 0.15) value = 0.25;
        data[i] = value + 0.01 * Math.sin(0.7 * x + 1.3 * y + z);
      }
    }
  }
  return createVolume({ data, shape: [nx, ny, nz], spacing: [1, 1, 2] });
}
