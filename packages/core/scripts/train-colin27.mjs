// "Learning for real" (issue 5): train DUNCAN on Colin27 split into two disjoint sets of axial
// slices, one kept clean and one corrupted by @duncan-mri/simulate (unpaired), then evaluate on
// a different subject (ITK's KmeansTest T1) corrupted by the same simulator.
// Not run in CI. Needs the built packages (npm run build) and the
// Debian packages in data-cache/ (tools/reference/fetch-data.sh).
//
//   node scripts/train-colin27.mjs --steps 2000 --batch 1 --out /tmp/duncan-colin27
//   node scripts/train-colin27.mjs --steps 5 --channels 8 --blocks 1 --crop 64   (a quick try)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { correct, createModel, loadCheckpoint, saveCheckpoint, train } from '@duncan-mri/core';
import { psnr, ssim } from '@duncan-mri/metrics';
import { simulate } from '@duncan-mri/simulate';
import { createRng, intensityRange } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { option } from '../../../scripts/command-line.mjs';
import { ITK_DATA, MRICRON_TEMPLATES } from '../../../scripts/data-cache.mjs';
import { alternatingHalves, axialSlices, centralSlices, readNii } from './volumes.mjs';

const steps = Number(option('steps', 2000));
const batchSize = Number(option('batch', 1));
const channels = Number(option('channels', 32));
const residualBlocks = Number(option('blocks', 4));
const cropSize = Number(option('crop', 128));
const learningRate = Number(option('lr', 1e-4));
const seed = Number(option('seed', 1));
const out = option('out', '/tmp/duncan-colin27');
const resume = option('resume', undefined);
const colinPath = option('colin', join(MRICRON_TEMPLATES, 'ch2.nii.gz'));
const testPath = option('test', join(ITK_DATA, 'KmeansTest_T1UCharRaw.nii.gz'));

/** The artefacts of the experiment: motion and ghosting with a little noise, moderate. */
const RECIPE = [
  { artefact: 'motion', severity: 'moderate' },
  { artefact: 'ghosting', severity: 'moderate' },
  { artefact: 'noise', severity: 'mild' },
];

function evaluate(clean, corrupted, corrected, cleanCorrected) {
  const dataRange = intensityRange(clean).range;
  const s = (a, b) => ssim(a, b, { dataRange, slicewise: true });
  return {
    ssimCorrupted: s(clean, corrupted),
    ssimCorrected: s(clean, corrected),
    psnrCorrupted: psnr(clean, corrupted, { dataRange }),
    psnrCorrected: psnr(clean, corrected, { dataRange }),
    ssimCleanAfterCorrection: s(clean, cleanCorrected),
  };
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  const colin = readNii(colinPath);
  // Two disjoint halves: alternating blocks of 10 axial slices (each half spans the brain).
  const [cleanIdx, corruptedIdx] = alternatingHalves(colin.shape[2]);
  const cleanHalf = axialSlices(colin, cleanIdx);
  const corruptedSource = axialSlices(colin, corruptedIdx);
  const rng = createRng(seed);
  const corruptedHalf = simulate(corruptedSource, RECIPE, rng).volume;

  let model;
  if (resume) {
    model = await loadCheckpoint({
      manifest: JSON.parse(readFileSync(join(resume, 'manifest.json'), 'utf8')),
      weights: new Uint8Array(readFileSync(join(resume, 'weights.bin'))),
    });
  } else {
    model = createModel({ channels, residualBlocks, cropSize, learningRate }, { seed });
  }
  console.log(
    `Colin27 ${colin.shape.join('x')}: clean half ${cleanHalf.shape[2]} slices, corrupted half ${corruptedHalf.shape[2]} slices; model C=${model.config.channels} R=${model.config.residualBlocks}, ${model.parameterCount.total} weights`,
  );
  const started = Date.now();
  const result = await train(
    model,
    { clean: [cleanHalf], corrupted: [corruptedHalf] },
    {
      steps,
      seed,
      batchSize,
      onProgress: ({ step, losses, stepsPerSecond }) => {
        if (step === 1 || step % 25 === 0 || step === steps) {
          const l = Object.entries(losses)
            .map(([k, v]) => `${k} ${v.toFixed(3)}`)
            .join(', ');
          console.log(`step ${step}/${steps} (${stepsPerSecond.toFixed(2)} steps/s): ${l}`);
        }
      },
    },
  );
  const minutes = (Date.now() - started) / 60000;
  mkdirSync(out, { recursive: true });
  const { manifest, weights } = await saveCheckpoint(model);
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(out, 'weights.bin'), weights);

  // A different subject: ITK's KmeansTest T1 (128x128x62, 2x2x3 mm), the central 30 slices.
  const test = centralSlices(readNii(testPath), 30);
  const testCorrupted = simulate(test, RECIPE, createRng(seed + 1000)).volume;
  const { corrected } = await correct(model, testCorrupted, { batchSize: 4 });
  const { corrected: cleanCorrected } = await correct(model, test, { batchSize: 4 });
  const m = evaluate(test, testCorrupted, corrected, cleanCorrected);
  const f = (x) => x.toFixed(3);
  console.log(`\ntrained ${result.steps} steps in ${minutes.toFixed(1)} min; checkpoint in ${out}`);
  console.log('| test subject (KmeansTest T1, 30 slices) | SSIM | PSNR (dB) |');
  console.log('| --- | --- | --- |');
  console.log(`| corrupted vs clean | ${f(m.ssimCorrupted)} | ${m.psnrCorrupted.toFixed(2)} |`);
  console.log(`| corrected vs clean | ${f(m.ssimCorrected)} | ${m.psnrCorrected.toFixed(2)} |`);
  console.log(`| clean input after correction vs clean | ${f(m.ssimCleanAfterCorrection)} | |`);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
