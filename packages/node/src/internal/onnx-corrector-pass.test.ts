// The onnxruntime backend against PyTorch and tfjs. Runs where onnxruntime-node is installed
// (a dev dependency of this package, so in CI); skipped, and says so, where it is not.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Checkpoint, correct, createModel, saveCheckpoint } from '@duncan-mri/core';
import { createVolume, type Volume } from '@duncan-mri/volume';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, SAMPLE, TINY_CONFIG, tempDir } from '../../test/helpers.js';
import { readCheckpoint } from '../checkpoint-files.js';
import { createCorrector } from '../create-corrector.js';
import { readVolumeFile } from '../read-volume-file.js';
import { useNodeBackend } from '../use-node-backend.js';
import { createOnnxCorrectorPass } from './onnx-corrector-pass.js';
import { ONNXRUNTIME_PACKAGE } from './onnxruntime-package.js';

const installed = (() => {
  try {
    createRequire(import.meta.url).resolve(ONNXRUNTIME_PACKAGE);
    return true;
  } catch {
    return false;
  }
})();

/** The largest difference, as a fraction of the reference's range. */
function relativeError(reference: Float32Array, test: Float32Array): number {
  let worst = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < reference.length; i++) {
    worst = Math.max(worst, Math.abs(reference[i]! - test[i]!));
    min = Math.min(min, reference[i]!);
    max = Math.max(max, reference[i]!);
  }
  return worst / (max - min);
}

/** An untrained tiny model's inference checkpoint (made on tfjs's cpu backend). */
async function tinyInferenceCheckpoint(seed: number): Promise<Checkpoint> {
  await useNodeBackend({ prefer: 'cpu', env: {} });
  const model = createModel(TINY_CONFIG, { seed });
  try {
    return await saveCheckpoint(model, { inference: true });
  } finally {
    model.dispose();
  }
}

/** createCorrector on onnxruntime (checked) with batches of 2. */
async function onnxCorrector(checkpoint: Checkpoint) {
  const corrector = await createCorrector({
    model: checkpoint,
    backend: 'onnxruntime',
    batchSize: 2,
  });
  expect(corrector.backend.backend).toBe('onnxruntime');
  return corrector;
}

describe.skipIf(!installed)('the onnxruntime backend', () => {
  let sample: Volume;
  beforeAll(async () => {
    sample = (await readVolumeFile(SAMPLE)).volume;
  });

  it("gives PyTorch's output of the bundled model to 1e-4 (test/fixtures/model-parity.json)", async () => {
    const reference = JSON.parse(
      readFileSync(new URL('../../test/fixtures/model-parity.json', import.meta.url), 'utf8'),
    ) as {
      input: { height: number; width: number; data: number[] };
      corrected: number[];
    };
    const pass = await createOnnxCorrectorPass(readCheckpoint(), 'test');
    const { height, width, data } = reference.input;
    const volume = createVolume({ data: Float32Array.from(data), shape: [width, height, 1] });
    // The identity intensity mapping, no clipping, no residual shrinkage and one forward pass
    // (flips: false; the fixture is PyTorch's single pass, not the mirror average): the
    // network's output itself.
    const { corrected } = await correct(pass, volume, {
      intensityRange: { low: 0, high: 1 },
      clip: false,
      flips: false,
      shrinkage: 0,
    });
    await pass.dispose();
    let worst = 0;
    let changed = 0;
    for (let i = 0; i < data.length; i++) {
      worst = Math.max(worst, Math.abs(corrected.data[i]! - reference.corrected[i]!));
      changed = Math.max(changed, Math.abs(corrected.data[i]! - data[i]!));
    }
    expect(worst).toBeLessThan(1e-4);
    expect(changed).toBeGreaterThan(1e-3); // the model is not the identity
  });

  it('corrects the sample as tfjs does, to 1e-4 of the range, through createCorrector', async () => {
    const onnx = await createCorrector({ backend: 'onnxruntime' });
    expect(onnx.backend.backend).toBe('onnxruntime');
    expect(onnx.backend.tfBackend).toBe('none');
    expect(onnx.workers).toBe(0);
    expect(onnx.config.channels).toBe(16);
    const a = await onnx.correct(sample);
    await onnx.close();
    const tfjs = await createCorrector({ backend: 'wasm', workers: 0 });
    expect(tfjs.backend.backend).toBe('wasm');
    const b = await tfjs.correct(sample);
    await tfjs.close();
    expect(relativeError(b.corrected.data, a.corrected.data)).toBeLessThan(1e-4);
    expect(
      relativeError(
        b.corrected.data,
        a.artefactMap.data.map((v, i) => sample.data[i]! - v),
      ),
    ).toBeLessThan(1e-4);
    // Clipped to the input's range, as core's correct does.
    expect(a.corrected.data.every((v) => v >= 0 && v <= 960)).toBe(true);
  });

  it('matches tfjs for every decoder kind, along every axis, on sides that need padding', async () => {
    await useNodeBackend({ prefer: 'cpu', env: {} });
    const volume = (() => {
      const [nx, ny, nz] = [30, 27, 9];
      const data = new Float32Array(nx * ny * nz);
      for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 10 + (i % nx);
      return createVolume({ data, shape: [nx, ny, nz] });
    })();
    const kinds = [
      { contentSkips: true, residual: true, outputNorm: false },
      { contentSkips: false, residual: true, outputNorm: true },
      { contentSkips: false, residual: false, outputNorm: false },
      { contentSkips: true, residual: false, outputNorm: true },
    ];
    for (const kind of kinds) {
      const model = createModel({ ...TINY_CONFIG, residualBlocks: 2, ...kind }, { seed: 11 });
      const checkpoint: Checkpoint = await saveCheckpoint(model, { inference: true });
      const pass = await createOnnxCorrectorPass(checkpoint, 'test');
      for (const axis of [0, 1, 2] as const) {
        // No clipping, the identity mapping and no residual shrinkage: the networks' outputs,
        // compared by their range.
        const options = {
          axis,
          batchSize: 4,
          clip: false,
          intensityRange: { low: 0, high: 100 },
          shrinkage: 0,
        };
        const a = await correct(model, volume, options);
        const b = await correct(pass, volume, options);
        const label = `${JSON.stringify(kind)} axis ${axis}`;
        // The decoder's output itself: the artefact map (-decoderF) of a residual model, the
        // corrected image of a whole-image one.
        const ref = kind.residual ? a.artefactMap.data : a.corrected.data;
        const test = kind.residual ? b.artefactMap.data : b.corrected.data;
        expect(relativeError(ref, test), label).toBeLessThan(1e-4);
      }
      await pass.dispose();
      model.dispose();
    }
  });

  it('runs mirror averaging (flips) through createCorrector as core.correct runs it on the pass', async () => {
    const checkpoint = await tinyInferenceCheckpoint(12);
    const volume = createVolume({
      data: Float32Array.from({ length: 40 * 36 * 3 }, (_, i) => ((i * 7919) % 1000) / 10),
      shape: [40, 36, 3],
    });
    const pass = await createOnnxCorrectorPass(checkpoint, 'test');
    const on = (await correct(pass, volume, { batchSize: 2 })).corrected.data;
    const off = (await correct(pass, volume, { batchSize: 2, flips: false })).corrected.data;
    await pass.dispose();
    // The untrained network is not mirror-symmetric: the two differ, so each check can fail.
    expect(relativeError(on, off)).toBeGreaterThan(1e-3);
    const corrector = await onnxCorrector(checkpoint);
    try {
      expect(relativeError(on, (await corrector.correct(volume)).corrected.data)).toBeLessThan(
        1e-6,
      );
      const single = (await corrector.correct(volume, { flips: false })).corrected.data;
      expect(relativeError(off, single)).toBeLessThan(1e-6);
    } finally {
      await corrector.close();
    }
  });

  it('runs residual shrinkage through createCorrector as core.correct runs it on the pass', async () => {
    const checkpoint = await tinyInferenceCheckpoint(13);
    // Smooth structure with a faint texture: a noise level (0.42) below the untrained network's
    // changes (about 2 RMS), so that k = 1 and 3 shrink some of them and leave others.
    const volume = createVolume({
      data: Float32Array.from(
        { length: 40 * 36 * 3 },
        (_, i) =>
          50 +
          40 * Math.sin((i % 40) / 5) * Math.cos(Math.floor(i / 40) / 7) +
          (((i * 7919) % 1000) / 1000) * 2,
      ),
      shape: [40, 36, 3],
    });
    // One forward pass per slice keeps it quick; the shrinkage comes after the passes.
    const options = { batchSize: 2, flips: false };
    const pass = await createOnnxCorrectorPass(checkpoint, 'test');
    const expected = new Map<number, Float32Array>();
    for (const k of [0, 1, 3]) {
      expected.set(k, (await correct(pass, volume, { ...options, shrinkage: k })).corrected.data);
    }
    await pass.dispose();
    // Each k changes the output, so each check below can fail.
    expect(relativeError(expected.get(0)!, expected.get(1)!)).toBeGreaterThan(1e-3);
    expect(relativeError(expected.get(1)!, expected.get(3)!)).toBeGreaterThan(1e-3);
    const corrector = await onnxCorrector(checkpoint);
    try {
      const byDefault = (await corrector.correct(volume, { flips: false })).corrected.data;
      expect(relativeError(expected.get(1)!, byDefault)).toBeLessThan(1e-6);
      for (const k of [0, 3]) {
        const got = (await corrector.correct(volume, { flips: false, shrinkage: k })).corrected;
        expect(relativeError(expected.get(k)!, got.data)).toBeLessThan(1e-6);
      }
    } finally {
      await corrector.close();
    }
  });

  it('is passed over where tensors are needed, and named in what was tried', async () => {
    const info = await useNodeBackend({ prefer: 'onnxruntime', env: {} });
    expect(info.backend).not.toBe('onnxruntime');
    expect(info.tried[0]).toEqual({
      backend: 'onnxruntime',
      ok: false,
      reason: 'runs the corrector only, not training or tensor code',
    });
    const chosen = await useNodeBackend({ correctionOnly: true, env: {} });
    expect(chosen.backend).toBe('onnxruntime');
    expect(chosen.description).toMatch(/^onnxruntime \(1\.\d+\.\d+, CPU, \d+ threads\)$/);
    await useNodeBackend({ env: {} });
  });

  it('is what duncan correct uses by default when installed, and what duncan info reports', async () => {
    const out = join(tempDir(), 'corrected.nii.gz');
    const env = { ...process.env, DUNCAN_BACKEND: '' };
    const run = (args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
    const r = run(['correct', SAMPLE, '-o', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^backend: onnxruntime \(1\.\d+\.\d+, CPU, \d+ threads\); main thread$/m,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ backend: 'onnxruntime', workers: 0 });
    const pass = await createOnnxCorrectorPass(readCheckpoint(), 'test');
    const expected = await correct(pass, sample);
    await pass.dispose();
    const written = (await readVolumeFile(out)).volume;
    expect(relativeError(expected.corrected.data, written.data)).toBeLessThan(1e-6);
    const info = run(['info', SAMPLE, '--json']);
    const version = (
      createRequire(import.meta.url)(`${ONNXRUNTIME_PACKAGE}/package.json`) as { version: string }
    ).version;
    expect(JSON.parse(info.stdout).backends[0]).toEqual({
      backend: 'onnxruntime',
      installed: true,
      version,
    });
    expect(run(['info', SAMPLE]).stdout).toMatch(
      new RegExp(`^backends {5}onnxruntime ${version.replaceAll('.', '\\.')}, `, 'm'),
    );
  });
});
