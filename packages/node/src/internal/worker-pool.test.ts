import { type Checkpoint, createModel, saveCheckpoint } from '@duncan-mri/core';
import { isMriError } from '@duncan-mri/volume';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_CONFIG } from '../../test/helpers.js';
import { useNodeBackend } from '../use-node-backend.js';
import { WorkerPool } from './worker-pool.js';
import type { CorrectJob } from './worker-protocol.js';

let checkpoint: Checkpoint;
let pool: WorkerPool;
let nextId = 1;

/** A batch of `slices` slices of 64x64 (large enough to be in flight when the worker is killed). */
const job = (slices: number): CorrectJob => ({
  type: 'correct',
  id: nextId++,
  start: 0,
  data: Float32Array.from({ length: 64 * 64 * slices }, (_, i) => (i % 61) / 61),
  shape: [64, 64, slices],
  options: {
    axis: 2,
    intensityRange: { low: 0, high: 1 },
    clip: { min: 0, max: 1 },
    nonFinite: 'reject',
    flips: true,
    shrinkage: 1,
  },
});

beforeAll(async () => {
  await useNodeBackend({ env: {} });
  const model = createModel(TINY_CONFIG, { seed: 5 });
  checkpoint = await saveCheckpoint(model);
  model.dispose();
  const init = { backend: 'wasm' as const, ...checkpoint };
  pool = (await WorkerPool.start('test', init, 2)).pool;
});

afterAll(async () => {
  await pool.close();
});

describe('WorkerPool', () => {
  it('replaces a worker killed in the middle of a job: that job rejects with an MriError, the next succeeds', async () => {
    const expected = await pool.run(0, job(2));
    const [victim, other] = await pool.threads();
    const running = pool.run(0, job(64));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await victim!.terminate();
    const error = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMriError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /test: a correction worker stopped on slices 0-63 .*replaced/,
    );
    // The slot has a new worker; the other slot's worker is untouched; both give the same answer.
    expect(await pool.run(0, job(2))).toEqual(expected);
    expect(await pool.run(1, job(2))).toEqual(expected);
    const threads = await pool.threads();
    expect(threads).toHaveLength(2);
    expect(threads).not.toContain(victim);
    expect(threads).toContain(other);
  });

  it('keeps a worker whose job failed with an MriError (bad input), and reports that error', async () => {
    const [first] = await pool.threads();
    const bad = { ...job(1), shape: [64, 64, 2] as [number, number, number] };
    const error = await pool.run(0, bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMriError(error)).toBe(true);
    expect((error as { code: string }).code).not.toBe('INTERNAL');
    expect((await pool.threads())[0]).toBe(first);
    expect((await pool.run(0, job(1))).length).toBe(64 * 64);
  });
});
