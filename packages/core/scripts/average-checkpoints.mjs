// Averages the corrector weights of several checkpoints of one run (uniform weight averaging of
// the last states of a decayed schedule, as in Polyak averaging and SWA) and writes the result as
// an inference checkpoint, as export-inference-checkpoint.mjs does for one. Each input (a
// training state or an inference checkpoint) is reduced to its corrector path (content encoder A
// and decoder F); the arrays are averaged element by element in float64 and stored as float32.
// The inputs must share the architecture and configuration. The output's manifest is the last
// input's (its step counts the updates behind the newest weights averaged); `averaged-from.json`
// beside it lists the inputs with their steps and the SHA-256 of their weights files.
//
//   node packages/core/scripts/average-checkpoints.mjs --to data-cache/runs/r/average \
//     data-cache/runs/r/step-041000 data-cache/runs/r/step-042000 ...
// Needs the built packages.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '@duncan-mri/core';
import * as tf from '@tensorflow/tfjs';

const args = process.argv.slice(2);
const at = args.indexOf('--to');
const to = at >= 0 ? resolve(args[at + 1]) : undefined;
const inputs = args.filter((_, i) => i !== at && i !== at + 1).map((a) => resolve(a));
if (to === undefined || inputs.length < 2)
  throw new Error(
    'usage: average-checkpoints.mjs --to <dir> <checkpoint dir> <checkpoint dir> ...',
  );

await tf.setBackend('cpu');
const corrector = [];
for (const dir of inputs) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const weights = readFileSync(join(dir, 'weights.bin'));
  const model = await loadCheckpoint({ manifest, weights });
  const out = await saveCheckpoint(model, { inference: true });
  model.dispose();
  corrector.push({
    dir,
    step: manifest.optimiser.generatorStep,
    sha256: createHash('sha256').update(weights).digest('hex'),
    ...out,
  });
}
const layout = (m) =>
  JSON.stringify({ architecture: m.architecture, config: m.config, weightSpecs: m.weightSpecs });
for (const c of corrector) {
  if (layout(c.manifest) !== layout(corrector[0].manifest))
    throw new Error(
      `${c.dir}: its architecture or configuration differs from ${corrector[0].dir}'s; only states of one run can be averaged`,
    );
  if (c.manifest.weightSpecs.some((s) => s.dtype !== 'float32'))
    throw new Error(`${c.dir}: only float32 weights can be averaged`);
}
const n = corrector[0].weights.byteLength / 4;
const sum = new Float64Array(n);
for (const c of corrector) {
  const w = new Float32Array(c.weights.buffer, c.weights.byteOffset, n);
  for (let i = 0; i < n; i++) sum[i] += w[i];
}
const mean = new Float32Array(n);
for (let i = 0; i < n; i++) mean[i] = sum[i] / corrector.length;
const last = corrector[corrector.length - 1];
mkdirSync(to, { recursive: true });
// Weights first, manifest last, each by rename: a reader never sees a manifest without its weights.
writeFileSync(join(to, 'weights.bin.partial'), new Uint8Array(mean.buffer));
renameSync(join(to, 'weights.bin.partial'), join(to, 'weights.bin'));
writeFileSync(join(to, 'manifest.json.partial'), JSON.stringify(last.manifest));
renameSync(join(to, 'manifest.json.partial'), join(to, 'manifest.json'));
writeFileSync(
  join(to, 'averaged-from.json'),
  `${JSON.stringify(
    {
      what: 'the uniform average of the corrector weights of these checkpoints (packages/core/scripts/average-checkpoints.mjs)',
      inputs: corrector.map((c) => ({ dir: c.dir, step: c.step, weightsSha256: c.sha256 })),
    },
    null,
    1,
  )}\n`,
);
console.log(
  `${to}: the average of ${corrector.length} checkpoints (steps ${corrector.map((c) => c.step).join(', ')}), ${n} weights`,
);
