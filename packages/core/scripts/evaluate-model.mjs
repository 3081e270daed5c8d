// Evaluates a DUNCAN checkpoint with tfjs (the code path users run) on the held-out subjects of
// packages/core/scripts/prepare-training-data.mjs: for each subject, artefact and severity, the
// SSIM and PSNR of the corrupted input and of the corrected output against the clean image, and
// the SSIM of the clean image after correction. Prints a Markdown table and writes JSON.
// Not run in CI.
//
//   node packages/core/scripts/evaluate-model.mjs --model packages/model \
//       --data data-cache/training --json /tmp/eval.json [--backend wasm]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { correct, loadCheckpoint } from '@duncan-mri/core';
import { readNifti } from '@duncan-mri/io';
import { psnr, ssim } from '@duncan-mri/metrics';
import { intensityRange } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { option } from '../../../scripts/command-line.mjs';

const modelDir = resolve(option('model', 'packages/model'));
const dataDir = resolve(option('data', 'data-cache/training'));
const jsonOut = option('json', undefined);
const only = option('subjects', undefined)?.split(',');

const read = (file) => readNifti(new Uint8Array(readFileSync(join(dataDir, file)))).volume;

async function main() {
  await tf.setBackend(option('backend', 'wasm'));
  await tf.ready();
  const model = await loadCheckpoint({
    manifest: JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')),
    weights: new Uint8Array(readFileSync(join(modelDir, 'weights.bin'))),
  });
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8'));
  const rows = [];
  const started = Date.now();
  for (const [subject, info] of Object.entries(manifest.eval)) {
    if (only && !only.includes(subject)) continue;
    const clean = read(`eval-${subject}-clean.nii`);
    const dataRange = intensityRange(clean).range;
    const s = (x) => ssim(clean, x, { dataRange, slicewise: true });
    const p = (x) => psnr(clean, x, { dataRange });
    const { corrected: cleanCorrected } = await correct(model, clean, { batchSize: 4 });
    const ssimClean = s(cleanCorrected);
    for (const [key, file] of Object.entries(info.files)) {
      const [artefact, severity] = key.split('/');
      const corrupted = read(file);
      const { corrected } = await correct(model, corrupted, { batchSize: 4 });
      const row = {
        subject,
        artefact,
        severity,
        ssimCorrupted: s(corrupted),
        ssimCorrected: s(corrected),
        psnrCorrupted: p(corrupted),
        psnrCorrected: p(corrected),
        ssimCleanAfterCorrection: ssimClean,
      };
      rows.push(row);
      console.error(
        `${subject} ${key}: SSIM ${row.ssimCorrupted.toFixed(3)} -> ${row.ssimCorrected.toFixed(3)}`,
      );
    }
  }
  const f = (x) => x.toFixed(3);
  const lines = [
    '| subject | artefact | severity | SSIM corrupted | SSIM corrected | gain | PSNR corrupted (dB) | PSNR corrected (dB) | SSIM of a clean input after correction |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.subject} | ${r.artefact} | ${r.severity} | ${f(r.ssimCorrupted)} | ${f(r.ssimCorrected)} | ${(r.ssimCorrected - r.ssimCorrupted >= 0 ? '+' : '') + f(r.ssimCorrected - r.ssimCorrupted)} | ${r.psnrCorrupted.toFixed(2)} | ${r.psnrCorrected.toFixed(2)} | ${f(r.ssimCleanAfterCorrection)} |`,
    );
  }
  // The targets: mean SSIM gain on moderate and severe motion; clean inputs >= 0.97.
  const motion = rows.filter((r) => r.artefact === 'motion' && r.severity !== 'mild');
  const meanGain =
    motion.reduce((a, r) => a + r.ssimCorrected - r.ssimCorrupted, 0) / Math.max(1, motion.length);
  const cleanMin = Math.min(...rows.map((r) => r.ssimCleanAfterCorrection));
  lines.push('');
  lines.push(
    `Mean SSIM gain on moderate and severe motion: ${meanGain >= 0 ? '+' : ''}${f(meanGain)}; lowest SSIM of a clean input after correction: ${f(cleanMin)}.`,
  );
  console.log(lines.join('\n'));
  console.error(
    `evaluated in ${((Date.now() - started) / 60000).toFixed(1)} min on ${tf.getBackend()}`,
  );
  if (jsonOut) {
    writeFileSync(
      jsonOut,
      JSON.stringify(
        { model: modelDir, backend: tf.getBackend(), rows, meanGain, cleanMin },
        null,
        1,
      ),
    );
  }
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
