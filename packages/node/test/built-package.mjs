// Smoke test of the BUILT library under plain Node (not vitest): the wasm backend finds its .wasm
// files from dist/, the worker entry dist/correct-worker.js starts and initialises its own
// backend, and files go in and out. Run: npx tsup && node test/built-package.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel, saveCheckpoint } from '@duncan-mri/core';
import {
  compareVolumeFiles,
  createCorrector,
  installedNodeBackends,
  readCheckpoint,
  readVolumeFile,
  useNodeBackend,
  writeCheckpoint,
  writeVolumeFile,
} from '@duncan-mri/node';
import { isMriError } from '@duncan-mri/volume';

const SAMPLE = fileURLToPath(new URL('../sample/ge-pd-4-slices.nii.gz', import.meta.url));

/** The bundled samples are addressable through the package's `exports` ("./sample/*"). */
async function checkSampleExports() {
  const fromImport = fileURLToPath(
    import.meta.resolve('@duncan-mri/node/sample/itk-midsag-t1.nii.gz'),
  );
  const fromRequire = createRequire(import.meta.url).resolve(
    '@duncan-mri/node/sample/itk-midsag-t1.nii.gz',
  );
  assert.equal(fromImport, fromRequire);
  const { volume } = await readVolumeFile(fromImport);
  assert.deepEqual(volume.shape, [217, 180, 1]);
}

/**
 * Training works from the built package with tfjs-core's own gradients (dist bundles tfjs-core's
 * register_all_gradients; the `@tensorflow/tfjs` bundle is no dependency): two paired steps of a
 * tiny model give finite losses.
 */
function checkTrainingSteps(dir) {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const out = join(dir, 'trained');
  execFileSync(
    process.execPath,
    [
      cli,
      'train',
      '--mode',
      'paired',
      '--clean',
      fileURLToPath(new URL('../sample/itk-midsag-t1.nii.gz', import.meta.url)),
      '--out',
      out,
      '--steps',
      '2',
      '--batch-size',
      '1',
      '--config',
      '{"channels":4,"residualBlocks":1}',
    ],
    { stdio: 'pipe', env: { ...process.env, DUNCAN_BACKEND: 'wasm' } },
  );
  const rows = readFileSync(join(out, 'losses.csv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(rows.length, 2);
  for (const row of rows) {
    for (const value of row.split(',').map(Number)) assert.ok(Number.isFinite(value), row);
  }
  rmSync(out, { recursive: true, force: true });
}

async function main() {
  await checkSampleExports();
  const backend = await useNodeBackend();
  assert.equal(backend.backend, 'wasm', backend.description);
  assert.deepEqual(
    backend.tried.map((t) => [t.backend, t.ok]),
    [
      ['tfjs-node-gpu', false],
      ['tfjs-node', false],
      ['wasm', true],
    ],
  );
  const dir = mkdtempSync(join(tmpdir(), 'duncan-built-'));
  try {
    const model = createModel({ channels: 4, residualBlocks: 1, cropSize: 32 }, { seed: 1 });
    writeCheckpoint(join(dir, 'model'), await saveCheckpoint(model));
    model.dispose();
    assert.ok(readCheckpoint(join(dir, 'model')).weights.length > 0);
    checkTrainingSteps(dir);

    const input = await readVolumeFile(SAMPLE);
    const corrector = await createCorrector({
      model: join(dir, 'model'),
      workers: 2,
      backend: 'wasm',
    });
    let result;
    try {
      assert.equal(corrector.workers, 2);
      result = await corrector.correct(input.volume);
    } finally {
      await corrector.close();
    }
    assert.deepEqual(result.corrected.shape, input.volume.shape);
    // The onnxruntime backend (its code is a chunk loaded on demand), where it is installed.
    let onnx = 'onnxruntime not installed';
    if (installedNodeBackends().find((b) => b.backend === 'onnxruntime')?.installed) {
      const native = await createCorrector({ model: join(dir, 'model'), backend: 'onnxruntime' });
      try {
        assert.equal(native.backend.backend, 'onnxruntime');
        const other = await native.correct(input.volume);
        let worst = 0;
        for (let i = 0; i < other.corrected.data.length; i++)
          worst = Math.max(worst, Math.abs(other.corrected.data[i] - result.corrected.data[i]));
        assert.ok(worst < 1e-4 * 960, `onnxruntime differs from wasm by ${worst}`);
        onnx = `onnxruntime within ${worst.toPrecision(2)} of wasm`;
      } finally {
        await native.close();
      }
    }
    const out = await writeVolumeFile(join(dir, 'corrected.nii.gz'), result.corrected, {
      source: input,
    });
    const m = await compareVolumeFiles(SAMPLE, out.path);
    assert.ok(m.ssim > -1 && m.ssim <= 1 && m.dataRange === 960);
    let thrown;
    try {
      await writeVolumeFile(join(dir, 'corrected.nii.gz'), result.corrected, { source: input });
    } catch (e) {
      thrown = e;
    }
    assert.ok(isMriError(thrown) && thrown.code === 'IO_ERROR');
    assert.deepEqual(readdirSync(dir).sort(), ['corrected.nii.gz', 'model']);
    console.log(
      `built-package smoke test passed: ${backend.description}; 2 worker threads; 2 training steps; SSIM ${m.ssim.toFixed(3)}; ${onnx}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  // The wasm backend installs process-wide handlers that would exit with code 7; report and set 1.
  console.error(e);
  process.exitCode = 1;
});
