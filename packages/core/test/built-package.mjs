// Smoke test of the BUILT package under plain Node (not vitest): the application imports the
// @tensorflow/tfjs bundle (gradients) and the wasm backend; core imports only tfjs-core.
// Run: npx tsup && node test/built-package.mjs
import assert from 'node:assert/strict';
import { createVolume, isMriError } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  correct,
  createModel,
  defaultModelConfig,
  loadCheckpoint,
  saveCheckpoint,
  train,
  trainStep,
} from '@duncan-mri/core';

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(defaultModelConfig.channels, 32);

  const size = 32;
  const image = (shift, noise) => {
    const data = new Float32Array(size * size);
    let k = 7 + shift;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const u = (x - 15.5 - shift) / 13;
        const v = (y - 15.5) / 14;
        k = (k * 16807) % 2147483647;
        data[y * size + x] = (u * u + v * v < 1 ? 0.7 : 0) + noise * (k / 2147483647 - 0.5);
      }
    }
    return createVolume({ data, shape: [size, size] });
  };

  const config = { channels: 4, residualBlocks: 1, cropSize: 32, poolSize: 2 };
  const model = createModel(config, { seed: 1 });
  const batch = { clean: [image(0, 0), image(2, 0)], corrupted: [image(-1, 0.3), image(1, 0.3)] };
  const losses = await trainStep(model, batch);
  const keys = Object.keys(losses).sort();
  assert.deepEqual(keys, [
    'adversarial',
    'artefactConsistency',
    'contentConsistency',
    'cycle',
    'discriminator',
    'identity',
    'reconstruction',
  ]);
  for (const k of keys) assert.ok(Number.isFinite(losses[k]), k);

  const volume = createVolume({
    data: Float32Array.from({ length: 30 * 26 * 3 }, (_, i) => (i * 37) % 101),
    shape: [30, 26, 3],
    spacing: [1, 1, 2],
  });
  const progress = [];
  const result = await train(
    model,
    { clean: [volume], corrupted: [volume] },
    { steps: 2, seed: 3, onProgress: (p) => progress.push(p) },
  );
  assert.equal(result.steps, 2);
  assert.equal(progress.length, 2);
  assert.ok(progress[1].stepsPerSecond > 0);

  const before = tf.memory().numTensors;
  const { corrected, artefactMap } = await correct(model, volume, { batchSize: 2 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(corrected.shape, volume.shape);
  assert.deepEqual(corrected.affine, volume.affine);
  assert.deepEqual(artefactMap.shape, volume.shape);

  const { manifest, weights } = await saveCheckpoint(model);
  const loaded = await loadCheckpoint({ manifest: JSON.parse(JSON.stringify(manifest)), weights });
  assert.equal(loaded.step, 3);
  const again = await correct(loaded, volume, { batchSize: 2 });
  assert.deepEqual(again.corrected.data, corrected.data);
  const next = [await trainStep(model, batch), await trainStep(loaded, batch)];
  assert.deepEqual(next[1], next[0]);

  let thrown;
  try {
    await loadCheckpoint({ manifest, weights: weights.slice(0, 8) });
  } catch (e) {
    thrown = e;
  }
  assert.ok(isMriError(thrown) && thrown.code === 'CORRUPT_FILE');
  model.dispose();
  loaded.dispose();
  console.log(
    `built-package smoke test passed on ${tf.getBackend()}: trainStep, train, correct, save/load (${weights.byteLength} bytes)`,
  );
}

main().catch((e) => {
  // The wasm backend installs process-wide handlers that would exit with code 7; report and set 1.
  console.error(e);
  process.exitCode = 1;
});
