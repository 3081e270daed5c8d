import { freemem } from 'node:os';

// How a correction is sized to the memory it may use. The network's working memory grows with
// the pixels of a batch, not with the volume: the pool corrects a volume one batch of slices at a
// time, so a worker holds one batch and the main thread holds the input and the output.

/**
 * Bytes a forward pass holds per pixel of a slice and per channel of the model (its tensors at
 * their peak, ~46 for the bundled C = 16 model at 512x512, rounded up for XNNPACK's buffers and
 * the batch's own copies in the worker).
 */
export const BYTES_PER_PIXEL_CHANNEL = 64;
/** What one worker holds before its first slice: a V8 isolate, tfjs, the wasm heap, the model. */
export const WORKER_BASE_BYTES = 160 * 2 ** 20;
/** The most one batch may need: wasm32's heap ends at 4 GiB, and it also holds the model. */
export const WASM_HEAP_BYTES = 3 * 2 ** 30;
/**
 * The working memory of an automatic batch. On wasm the speed per slice hardly depends on the
 * batch (within ~10% from 1 to 16 slices of 64x64 to 256x256), so small slices are batched only
 * to spread the per-operation overhead, and a 256x256 slice goes alone.
 */
export const AUTO_BATCH_BYTES = 64 * 2 ** 20;
/** The largest automatic batch. */
export const MAX_AUTO_BATCH = 16;
/** The share of the available memory the workers' batches may take together. */
export const WORKER_SHARE = 0.5;

/** The working memory of one slice of `height` x `width` in the network (padded to 4). */
export function sliceBytes(height: number, width: number, channels: number): number {
  const up4 = (n: number) => Math.ceil(n / 4) * 4;
  return up4(height) * up4(width) * channels * BYTES_PER_PIXEL_CHANNEL;
}

/** Memory this process may still use: the system's available memory, within a cgroup limit. */
export function availableMemory(): number {
  const free = freemem();
  // process.constrainedMemory: the cgroup's limit; 2^64 (or 0, or missing) when there is none.
  const limit = process.constrainedMemory?.() ?? 0;
  if (limit > 0 && limit < Number.MAX_SAFE_INTEGER) {
    return Math.max(0, Math.min(free, limit - process.memoryUsage.rss()));
  }
  return free;
}

/** The default number of workers: one per core, as many as the available memory holds. */
export function defaultPoolSize(cores: number, available: number): number {
  const fit = Math.floor((WORKER_SHARE * available) / (WORKER_BASE_BYTES + AUTO_BATCH_BYTES));
  return Math.max(1, Math.min(cores, fit));
}

/** What {@link planCorrection} needs to know. */
export interface CorrectionShape {
  /** Rows and columns of one slice. */
  readonly height: number;
  readonly width: number;
  /** Slices to correct. */
  readonly slices: number;
  /** The model's channel count (`config.channels`). */
  readonly channels: number;
  /** Workers in the pool. */
  readonly workers: number;
  /** The caller's batch size: an upper bound; undefined for automatic. */
  readonly batchSize?: number | undefined;
  /** Bytes of memory available now ({@link availableMemory}). */
  readonly availableBytes: number;
}

/**
 * Slices per batch and workers to use for one volume. The batch is the caller's (or an automatic
 * one of about {@link AUTO_BATCH_BYTES}), lowered until it fits the wasm heap and the workers'
 * share of the available memory; then as many workers work as the batches and that share allow
 * (at least one: a batch of one slice is always tried).
 */
export function planCorrection(shape: CorrectionShape): { batchSize: number; workers: number } {
  const perSlice = sliceBytes(shape.height, shape.width, shape.channels);
  const budget = WORKER_SHARE * shape.availableBytes;
  const wanted =
    shape.batchSize ?? Math.min(MAX_AUTO_BATCH, Math.floor(AUTO_BATCH_BYTES / perSlice));
  const fits = Math.floor(Math.min(WASM_HEAP_BYTES, budget) / perSlice);
  const batchSize = Math.max(1, Math.min(wanted, fits, shape.slices));
  const batches = Math.ceil(shape.slices / batchSize);
  const lanes = Math.floor(budget / (batchSize * perSlice));
  const workers = Math.max(1, Math.min(shape.workers, batches, lanes));
  return { batchSize, workers };
}
