// Speed of @duncan-mri/core on the wasm backend against an identical PyTorch network.
// Usage: npm run bench -w @duncan-mri/core [-- --batch 4 --crop 128 --repeats 2 --no-torch]
// Needs the built package (npx tsup) and, for the comparison, Debian's /usr/bin/python3 with
// python3-torch. One thread each (wasm in Node is single-threaded; torch.set_num_threads(1)).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createVolume } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { correct, createModel, defaultModelConfig, trainStep } from '@duncan-mri/core';
import { flag, option } from '../../../scripts/command-line.mjs';
import { REPOSITORY } from '../../../scripts/data-cache.mjs';

const arg = (name, fallback) => Number(option(name, fallback));
const batch = arg('batch', 4);
const crop = arg('crop', 128);
const repeats = arg('repeats', 2);
const channels = arg('channels', defaultModelConfig.channels);
const blocks = arg('blocks', defaultModelConfig.residualBlocks);

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  const model = createModel({ channels, residualBlocks: blocks, cropSize: crop }, { seed: 1 });
  let k = 1;
  const random = () => {
    k = (k * 16807) % 2147483647;
    return k / 2147483647;
  };
  const slice = createVolume({
    data: Float32Array.from({ length: 256 * 256 }, random),
    shape: [256, 256],
  });
  const images = (n) =>
    Array.from({ length: n }, () =>
      createVolume({
        data: Float32Array.from({ length: crop * crop }, random),
        shape: [crop, crop],
      }),
    );
  const trainBatch = { clean: images(batch), corrupted: images(batch) };
  const time = async (fn) => {
    await fn();
    const runs = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      await fn();
      runs.push(performance.now() - t);
    }
    return { min: Math.min(...runs), mean: runs.reduce((a, b) => a + b, 0) / runs.length };
  };
  const forward = await time(() => correct(model, slice));
  const step = await time(() => trainStep(model, trainBatch));
  const heapMB = tf.backend().wasm.HEAPU8.buffer.byteLength / 2 ** 20;
  const ours = {
    backend: 'wasm',
    channels,
    blocks,
    batch,
    crop,
    parameters: model.parameterCount.total,
    forward256_ms_min: Math.round(forward.min),
    train_step_ms_min: Math.round(step.min),
    wasm_heap_MB: Math.round(heapMB),
  };
  console.log(JSON.stringify(ours));
  model.dispose();
  if (flag('no-torch')) return;
  const mirror = join(REPOSITORY, 'tools', 'reference', 'core_torch_mirror.py');
  const py = spawnSync(
    '/usr/bin/python3',
    [
      mirror,
      '--channels',
      `${channels}`,
      '--blocks',
      `${blocks}`,
      '--batch',
      `${batch}`,
      '--crop',
      `${crop}`,
      '--threads',
      '1',
      '--repeats',
      `${repeats}`,
    ],
    { encoding: 'utf8' },
  );
  if (py.status !== 0) {
    console.log(
      `PyTorch mirror unavailable (${py.stderr.trim().split('\n').at(-1)}); wasm figures only.`,
    );
    return;
  }
  const torch = JSON.parse(py.stdout.trim().split('\n').at(-1));
  console.log(JSON.stringify(torch));
  if (torch.parameters !== ours.parameters) {
    console.log(
      `warning: parameter counts differ (wasm ${ours.parameters}, torch ${torch.parameters})`,
    );
  }
  const ratio = (a, b) => (a / b).toFixed(1);
  console.log(
    `forward 256x256: wasm ${ours.forward256_ms_min} ms, PyTorch ${torch.forward256_ms_min} ms, ratio ${ratio(ours.forward256_ms_min, torch.forward256_ms_min)}x (target <= 4x)`,
  );
  console.log(
    `training step (batch ${batch}, ${crop}x${crop}): wasm ${ours.train_step_ms_min} ms, PyTorch ${torch.train_step_ms_min} ms, ratio ${ratio(ours.train_step_ms_min, torch.train_step_ms_min)}x (target <= 6x)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
