// Writes the inference checkpoint of a training checkpoint: the corrector path's weights only
// (content encoder A and decoder F, float32, or float16 with --dtype float16), without the other
// networks, Adam moments or image pools. This is what the npm package ships; the training state
// stays in the repository.
//
//   node packages/core/scripts/export-inference-checkpoint.mjs --from training/default-model/checkpoint \
//     --to packages/model [--dtype float16]
// Needs the built packages.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '@duncan-mri/core';
import * as tf from '@tensorflow/tfjs';

const args = process.argv.slice(2);
/** The value after `--name`; `fallback` when absent (required when there is none). */
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 && fallback === undefined) throw new Error(`--${name} is required`);
  return i < 0 ? fallback : args[i + 1];
};
const from = resolve(opt('from'));
const to = resolve(opt('to'));
const dtype = opt('dtype', 'float32');
if (dtype !== 'float32' && dtype !== 'float16') {
  throw new Error(`--dtype must be float32 or float16, got ${dtype}`);
}
await tf.setBackend('cpu');
const manifest = JSON.parse(readFileSync(join(from, 'manifest.json'), 'utf8'));
const model = await loadCheckpoint({ manifest, weights: readFileSync(join(from, 'weights.bin')) });
const saved = await saveCheckpoint(model, { inference: true, dtype });
// An inference checkpoint loads without its optimiser, so re-exporting one would record step 0:
// the step always comes from the source's manifest.
const out = { ...saved, manifest: { ...saved.manifest, optimiser: manifest.optimiser } };
mkdirSync(to, { recursive: true });
// Weights first, manifest last, each by rename: a reader never sees a manifest without its weights.
writeFileSync(join(to, 'weights.bin.partial'), out.weights);
renameSync(join(to, 'weights.bin.partial'), join(to, 'weights.bin'));
writeFileSync(join(to, 'manifest.json.partial'), JSON.stringify(out.manifest));
renameSync(join(to, 'manifest.json.partial'), join(to, 'manifest.json'));
console.log(
  `${to}: ${out.manifest.weightSpecs.length} ${dtype} arrays, ${out.weights.byteLength} bytes (from ${from}, step ${manifest.optimiser.generatorStep})`,
);
model.dispose();
