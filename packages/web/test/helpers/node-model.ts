// Node side of the browser tests: tfjs on wasm (gradients registered as the web package does),
// small models made on the fly, and the reference output the browser must reproduce.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-wasm';
import { type Checkpoint, correct, createModel, saveCheckpoint } from '@duncan-mri/core';
import { ellipsePhantom } from '@duncan-mri/test-helpers';
import type { Volume } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';

export async function useNodeWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
}

/**
 * A small model (C = 4, one residual block), as a checkpoint, and its correction of `volume`:
 * with core's defaults (`reference`: mirror averaging, residual shrinkage 1), with one forward
 * pass (`single`), and with the shrinkage at 0 and at 10 (`byShrinkage`).
 */
export async function smallModel(
  seed: number,
  volume: Volume,
): Promise<{
  checkpoint: Checkpoint;
  reference: Float32Array;
  single: Float32Array;
  byShrinkage: ReadonlyMap<number, Float32Array>;
}> {
  const model = createModel(
    { channels: 4, residualBlocks: 1, cropSize: 32, poolSize: 0 },
    { seed },
  );
  try {
    const checkpoint = await saveCheckpoint(model);
    const { corrected } = await correct(model, volume, { batchSize: 1 });
    const single = await correct(model, volume, { batchSize: 1, flips: false });
    const byShrinkage = new Map<number, Float32Array>();
    for (const shrinkage of [0, 10]) {
      byShrinkage.set(
        shrinkage,
        (await correct(model, volume, { batchSize: 1, shrinkage })).corrected.data,
      );
    }
    return { checkpoint, reference: corrected.data, single: single.corrected.data, byShrinkage };
  } finally {
    model.dispose();
  }
}

/**
 * A phantom on a [0, 1] scale ({@link ellipsePhantom}: an ellipse with an inner ellipse and a
 * dark square, moved by one voxel per slice, plus a faint texture), so that a tolerance of 1e-3
 * is relative to the intensity range.
 */
export function phantom(nx: number, ny: number, nz: number): Volume {
  return ellipsePhantom(nx, ny, nz, {
    values: [0.02, 0.6, 0.95, 0.25],
    shift: (z) => z,
    zRadius: Number.POSITIVE_INFINITY,
    texture: (x, y, z) => 0.01 * Math.sin(0.7 * x + 1.3 * y + z),
    spacing: [1, 1, 2],
  });
}
