import { describe, expect, it } from 'vitest';
import {
  AUTO_BATCH_BYTES,
  defaultPoolSize,
  planCorrection,
  sliceBytes,
  WASM_HEAP_BYTES,
  WORKER_SHARE,
} from './correction-plan.js';

const GiB = 2 ** 30;
const plan = (
  height: number,
  width: number,
  extra: Partial<Parameters<typeof planCorrection>[0]>,
) =>
  planCorrection({
    height,
    width,
    slices: 300,
    channels: 16,
    workers: 2,
    availableBytes: 16 * GiB,
    ...extra,
  });

describe('planCorrection', () => {
  it('sizes automatic batches from the slice: one 256x256 slice, many small ones', () => {
    expect(plan(256, 256, {}).batchSize).toBe(1);
    expect(plan(128, 128, {}).batchSize).toBe(4);
    expect(plan(96, 96, {}).batchSize).toBe(7);
    expect(plan(32, 32, {}).batchSize).toBe(16);
    expect(plan(32, 32, { slices: 5 }).batchSize).toBe(5);
    // Padded to a multiple of 4, as the network pads.
    expect(sliceBytes(255, 253, 16)).toBe(sliceBytes(256, 256, 16));
    expect(sliceBytes(96, 96, 16) * 7).toBeLessThanOrEqual(AUTO_BATCH_BYTES);
  });

  it("keeps a caller's batch while it fits, and lowers it to fit the wasm heap and the memory", () => {
    // 512x512 at C = 16: 256 MiB a slice.
    expect(plan(512, 512, { batchSize: 8 })).toEqual({ batchSize: 8, workers: 2 });
    // 0.75 GiB available: the workers' share holds one slice, on one worker.
    expect(plan(512, 512, { batchSize: 8, availableBytes: 0.75 * GiB })).toEqual({
      batchSize: 1,
      workers: 1,
    });
    // A batch never needs more than the wasm heap, however much memory there is.
    const huge = plan(1024, 1024, { batchSize: 64, availableBytes: 512 * GiB });
    expect(huge.batchSize * sliceBytes(1024, 1024, 16)).toBeLessThanOrEqual(WASM_HEAP_BYTES);
    // Slices too large for any budget are still tried one at a time, on one worker.
    expect(plan(4096, 4096, { availableBytes: GiB })).toEqual({ batchSize: 1, workers: 1 });
  });

  it('uses no more workers than batches, and only as many as the memory holds side by side', () => {
    expect(plan(256, 256, { slices: 1, workers: 8 }).workers).toBe(1);
    expect(plan(256, 256, { slices: 3, workers: 8 }).workers).toBe(3);
    const perSlice = sliceBytes(512, 512, 16);
    const available = (3 * perSlice) / WORKER_SHARE;
    expect(plan(512, 512, { workers: 8, availableBytes: available })).toEqual({
      batchSize: 1,
      workers: 3,
    });
  });
});

describe('defaultPoolSize', () => {
  it('is one worker per core, as many as the available memory holds, at least one', () => {
    expect(defaultPoolSize(2, 16 * GiB)).toBe(2);
    expect(defaultPoolSize(64, 2 * GiB)).toBe(4);
    expect(defaultPoolSize(4, 0)).toBe(1);
  });
});
