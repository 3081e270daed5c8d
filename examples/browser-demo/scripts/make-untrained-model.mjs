// Writes the demo's fallback model: an UNTRAINED DUNCAN model (C = 8, one residual block,
// fixed seed), used only when no trained default model exists at packages/model/.
// Run through prepare-model.mjs (it needs the loader hook of register-tfjs-resolve.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-wasm';
import { createModel, saveCheckpoint } from '@duncan-mri/core';
import * as tf from '@tensorflow/tfjs-core';

export const UNTRAINED_CONFIG = { channels: 8, residualBlocks: 1 };
export const UNTRAINED_SEED = 20261129;

const out = process.argv[2];
if (!out) throw new Error('usage: make-untrained-model.mjs <output folder>');
await tf.setBackend('wasm');
await tf.ready();
const model = createModel(UNTRAINED_CONFIG, { seed: UNTRAINED_SEED });
const { manifest, weights } = await saveCheckpoint(model);
model.dispose();
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
writeFileSync(join(out, 'weights.bin'), weights);
