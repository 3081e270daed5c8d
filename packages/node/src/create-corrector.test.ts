import {
  type Checkpoint,
  correct,
  createModel,
  loadCheckpoint,
  saveCheckpoint,
} from '@duncan-mri/core';
import { maxAbsDiff } from '@duncan-mri/test-helpers';
import { createVolume, type Volume, withData } from '@duncan-mri/volume';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectMriError, SAMPLE, TINY_CONFIG, tempDir } from '../test/helpers.js';
import { createCorrector } from './create-corrector.js';
import { readVolumeFile } from './read-volume-file.js';
import { useNodeBackend } from './use-node-backend.js';

let checkpoint: Checkpoint;
let sample: Volume;
/** Tiny models of every decoder kind the installed core knows (residual or not). */
const variants: { name: string; checkpoint: Checkpoint }[] = [];

beforeAll(async () => {
  await useNodeBackend({ env: {} });
  const kinds: [string, object][] = [
    ['default', {}],
    ['residual', { residual: true }],
    ['whole-image', { residual: false }],
  ];
  for (const [name, extra] of kinds) {
    const model = createModel({ ...TINY_CONFIG, ...extra }, { seed: 3 });
    variants.push({ name, checkpoint: await saveCheckpoint(model) });
    model.dispose();
  }
  checkpoint = variants[0]!.checkpoint;
  sample = (await readVolumeFile(SAMPLE)).volume;
});

/** A 64x48 volume of `slices` slices: every `stride`-th voxel of the sample. */
function sampleVoxels(slices: number, stride: number): Volume {
  return createVolume({
    data: Float32Array.from({ length: 64 * 48 * slices }, (_, i) => sample.data[i * stride]!),
    shape: [64, 48, slices],
    affine: sample.affine,
  });
}

/** The test model on wasm with `workers` worker threads (0: this thread), batches of 2. */
const wasmCorrector = (workers: number) =>
  createCorrector({ model: checkpoint, workers, batchSize: 2, backend: 'wasm' });

// These tests are about tfjs in this thread and the wasm worker pool, so they ask for wasm
// (onnxruntime, first when installed, has its own tests in internal/onnx-corrector-pass.test.ts).
describe('createCorrector', () => {
  it('gives the same correction on worker threads as core.correct in this thread', async () => {
    const model = await loadCheckpoint(checkpoint);
    const reference = await correct(model, sample);
    model.dispose();
    const copy = Float32Array.from(sample.data);
    const inThread = await createCorrector({ model: checkpoint, workers: 0, backend: 'wasm' });
    expect(inThread.workers).toBe(0);
    expect(inThread.backend.backend).toBe('wasm');
    const a = await inThread.correct(sample);
    await inThread.close();
    expect(a.corrected.data).toEqual(reference.corrected.data);

    const pool = await createCorrector({
      model: checkpoint,
      workers: 3,
      batchSize: 1,
      backend: 'wasm',
    });
    try {
      expect(pool.workers).toBe(3);
      const progress: number[] = [];
      const b = await pool.correct(sample, {
        onProgress: ({ done, total }) => progress.push(done / total),
      });
      expect(b.corrected.shape).toEqual(sample.shape);
      expect(b.corrected.affine).toEqual(sample.affine);
      // Runs of 2, 1 and 1 slices, each normalised by its own percentiles and mapped back: equal
      // up to instance normalisation's epsilon (an untrained model is the worst case).
      expect(maxAbsDiff(b.corrected.data, reference.corrected.data)).toBeLessThan(2e-3 * 960);
      for (let i = 0; i < sample.data.length; i += 101)
        expect(b.artefactMap.data[i]).toBeCloseTo(sample.data[i]! - b.corrected.data[i]!, 3);
      expect(progress.at(-1)).toBe(1);
      // Calls overlapping on one pool are queued and give the same answer.
      const [x, y] = await Promise.all([pool.correct(sample), pool.correct(sample)]);
      expect(x.corrected.data).toEqual(b.corrected.data);
      expect(y.corrected.data).toEqual(b.corrected.data);
      // Along another axis, and a second volume on the same pool.
      const small = createVolume({
        data: sample.data.subarray(0, 256 * 256 * 2),
        shape: [64, 256, 8],
        affine: sample.affine,
      });
      const reference2 = await (async () => {
        const m = await loadCheckpoint(checkpoint);
        const r = await correct(m, small, { axis: 0 });
        m.dispose();
        return r;
      })();
      const c = await pool.correct(small, { axis: 0 });
      expect(maxAbsDiff(c.corrected.data, reference2.corrected.data)).toBeLessThan(2e-3 * 960);
      expect(sample.data).toEqual(copy);
    } finally {
      await pool.close();
      await pool.close();
    }
    expect((await expectMriError(() => pool.correct(sample), {})).code).toBe('INVALID_ARGUMENT');
  });

  it('splits volumes among workers with the same result as one pass, for residual and whole-image decoders', async () => {
    for (const variant of variants) {
      const model = await loadCheckpoint(variant.checkpoint);
      const reference = await correct(model, sample);
      model.dispose();
      const pool = await createCorrector({
        model: variant.checkpoint,
        workers: 2,
        backend: 'wasm',
      });
      try {
        const { corrected } = await pool.correct(sample);
        const diff = maxAbsDiff(corrected.data, reference.corrected.data);
        // Every run is normalised by the whole volume's range: only float rounding differs.
        expect([variant.name, diff < 1e-5 * 960]).toEqual([variant.name, true]);
      } finally {
        await pool.close();
      }
    }
  });

  it('corrects bit for bit as one pass with the same batches, whatever the number of workers', async () => {
    const model = await loadCheckpoint(checkpoint);
    const volume = sampleVoxels(7, 3);
    for (const [batchSize, workers] of [
      [1, 3],
      [2, 2],
      [3, 1],
    ] as const) {
      const reference = await correct(model, volume, { batchSize });
      const pool = await createCorrector({
        model: checkpoint,
        workers,
        batchSize,
        backend: 'wasm',
      });
      try {
        const { corrected, artefactMap } = await pool.correct(volume);
        expect([batchSize, workers, corrected.data]).toEqual([
          batchSize,
          workers,
          reference.corrected.data,
        ]);
        expect(artefactMap.data).toEqual(reference.artefactMap.data);
      } finally {
        await pool.close();
      }
    }
    model.dispose();
  });

  it("passes core's non-finite policy and a call's batch size through, on the pool as in one pass", async () => {
    const model = await loadCheckpoint(checkpoint);
    const volume = createVolume({
      data: Float32Array.from({ length: 64 * 48 * 5 }, (_, i) =>
        i % 997 === 3 ? Number.NaN : i === 100 ? Number.NEGATIVE_INFINITY : sample.data[i * 3]!,
      ),
      shape: [64, 48, 5],
      affine: sample.affine,
    });
    const reference = await correct(model, volume, { batchSize: 2, nonFinite: 'zero-and-restore' });
    model.dispose();
    const pool = await createCorrector({ model: checkpoint, workers: 2, backend: 'wasm' });
    try {
      expect((await expectMriError(() => pool.correct(volume), {})).message).toMatch(
        /volume.data must be finite, got NaN at index 3/,
      );
      const { corrected, artefactMap } = await pool.correct(volume, {
        batchSize: 2,
        nonFinite: 'zero-and-restore',
      });
      expect(corrected.data).toEqual(reference.corrected.data);
      expect(artefactMap.data).toEqual(reference.artefactMap.data);
      expect(Number.isNaN(corrected.data[100]!) && Number.isNaN(artefactMap.data[3]!)).toBe(true);
      const bad = await expectMriError(() => pool.correct(volume, { batchSize: 0 }), {});
      expect([bad.code, (bad as { argument?: string }).argument]).toEqual([
        'INVALID_ARGUMENT',
        'options.batchSize',
      ]);
    } finally {
      await pool.close();
    }
  });

  it('passes mirror averaging (flips) through, on the pool and in this thread, as core.correct', async () => {
    const model = await loadCheckpoint(checkpoint);
    const volume = sampleVoxels(3, 5);
    const on = (await correct(model, volume, { batchSize: 2, flips: true })).corrected.data;
    const off = (await correct(model, volume, { batchSize: 2, flips: false })).corrected.data;
    model.dispose();
    // An untrained network is not mirror-symmetric: the two differ, so each check below can fail.
    expect(maxAbsDiff(on, off)).toBeGreaterThan(1e-3);
    for (const workers of [0, 2]) {
      const corrector = await wasmCorrector(workers);
      try {
        expect(corrector.workers).toBe(workers);
        // On by default; bit for bit as core's correct with the same batches either way.
        expect([workers, (await corrector.correct(volume)).corrected.data]).toEqual([workers, on]);
        const flipped = await corrector.correct(volume, { flips: true });
        expect(flipped.corrected.data).toEqual(on);
        const single = await corrector.correct(volume, { flips: false });
        expect([workers, single.corrected.data]).toEqual([workers, off]);
        await expectMriError(() => corrector.correct(volume, { flips: 'no' as never }), {
          argument: 'options.flips',
          message: /^NodeCorrector.correct: options.flips must be a boolean, got "no"/,
        });
      } finally {
        await corrector.close();
      }
    }
  });

  it('passes residual shrinkage through, on the pool and in this thread, as core.correct', async () => {
    const model = await loadCheckpoint(checkpoint);
    // The sample's own noise sets each slice's threshold; a NaN strip (the outside of a
    // processed image) must be left out of it on the workers as in one pass.
    const plain = sampleVoxels(3, 5);
    const strip = withData(
      plain,
      Float32Array.from(plain.data, (v, i) => (i % 64 < 10 ? Number.NaN : v)),
    );
    // One forward pass per slice keeps it quick; the shrinkage comes after the passes.
    const base = { batchSize: 2, flips: false, nonFinite: 'zero-and-restore' } as const;
    const expected = new Map<string, Float32Array>();
    for (const [name, volume] of [
      ['plain', plain],
      ['strip', strip],
    ] as const) {
      for (const k of [0, 1, 2.5]) {
        const { corrected } = await correct(model, volume, { ...base, shrinkage: k });
        expected.set(`${name} ${k}`, corrected.data);
      }
    }
    model.dispose();
    // Each k changes the output, so each check below can fail.
    expect(maxAbsDiff(expected.get('plain 0')!, expected.get('plain 1')!)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(expected.get('plain 1')!, expected.get('plain 2.5')!)).toBeGreaterThan(1e-3);
    for (const workers of [0, 2]) {
      const corrector = await wasmCorrector(workers);
      try {
        for (const [name, volume] of [
          ['plain', plain],
          ['strip', strip],
        ] as const) {
          // 1 by default; bit for bit as core's correct with the same batches.
          const { corrected } = await corrector.correct(volume, {
            flips: false,
            nonFinite: 'zero-and-restore',
          });
          expect([workers, name, corrected.data]).toEqual([
            workers,
            name,
            expected.get(`${name} 1`),
          ]);
          for (const k of [0, 2.5]) {
            const shrunk = await corrector.correct(volume, {
              flips: false,
              nonFinite: 'zero-and-restore',
              shrinkage: k,
            });
            expect([workers, name, k, shrunk.corrected.data]).toEqual([
              workers,
              name,
              k,
              expected.get(`${name} ${k}`),
            ]);
          }
        }
        for (const shrinkage of [-1, Number.NaN, '1']) {
          await expectMriError(() => corrector.correct(plain, { shrinkage } as never), {
            argument: 'options.shrinkage',
            message: /^NodeCorrector.correct: options.shrinkage must be a finite number >= 0, got /,
          });
        }
      } finally {
        await corrector.close();
      }
    }
  });

  it('reads a model directory, and says when it is missing or broken', async () => {
    const { writeCheckpoint } = await import('./checkpoint-files.js');
    const dir = tempDir();
    writeCheckpoint(dir, checkpoint);
    const corrector = await createCorrector({ model: dir, workers: 0 });
    expect(corrector.config.channels).toBe(TINY_CONFIG.channels);
    await corrector.close();
    const missing = await expectMriError(() => createCorrector({ model: `${dir}/nope` }), {});
    expect(missing.code).toBe('IO_ERROR');
    expect(missing.message).toMatch(/MODEL_NOT_FOUND/);
    // A truncated checkpoint fails in the workers, as the MriError loadCheckpoint throws.
    const broken = { manifest: checkpoint.manifest, weights: checkpoint.weights.slice(0, 100) };
    const e = await expectMriError(
      () => createCorrector({ model: broken, workers: 1, backend: 'wasm' }),
      {},
    );
    expect(e.code).toBe('CORRUPT_FILE');
    expect(e.message).toMatch(/loadCheckpoint: weights must have/);
  });

  it('throws MriError for bad options and volumes', async () => {
    for (const options of [
      { workers: -1 },
      { workers: 1.5 },
      { batchSize: 0 },
      { model: 42 },
      { backend: 'gpu' },
    ]) {
      expect(
        (
          await expectMriError(
            () => createCorrector({ model: checkpoint, ...options } as never),
            {},
          )
        ).code,
      ).toBe('INVALID_ARGUMENT');
    }
    const pool = await createCorrector({ model: checkpoint, workers: 1, backend: 'wasm' });
    try {
      const tiny = createVolume({ data: new Float32Array(6 * 6 * 2), shape: [6, 6, 2] });
      const withNaN = withData(
        sample,
        Float32Array.from(sample.data, (v, i) => (i === 5 ? Number.NaN : v)),
      );
      const cases: [() => unknown, string][] = [
        [() => pool.correct(tiny), 'INVALID_ARGUMENT'],
        [() => pool.correct(withNaN), 'INVALID_ARGUMENT'],
        [() => pool.correct(sample, { axis: 3 as never }), 'INVALID_ARGUMENT'],
        [() => pool.correct(sample, { onProgress: 'x' as never }), 'INVALID_ARGUMENT'],
        [() => pool.correct({ data: [1] } as never), 'INVALID_ARGUMENT'],
      ];
      for (const [fn, code] of cases) expect((await expectMriError(fn, {})).code).toBe(code);
    } finally {
      await pool.close();
    }
  });
});
