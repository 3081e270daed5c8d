import { availableParallelism } from 'node:os';
import type { Checkpoint, CorrectionResult, DuncanModel, ModelConfig } from '@duncan-mri/core';
import { assertVolume, MriError, type Volume, withData } from '@duncan-mri/volume';
import { readCheckpoint } from './checkpoint-files.js';
import { extractChunk, insertChunk, splitBatches } from './internal/chunks.js';
import { availableMemory, defaultPoolSize, planCorrection } from './internal/correction-plan.js';
import { invalid } from './internal/errors.js';
import type { OnnxCorrectorPass } from './internal/onnx-corrector-pass.js';
import { WorkerPool } from './internal/worker-pool.js';
import type { WorkerInit } from './internal/worker-protocol.js';
import { type NodeBackendInfo, type NodeBackendName, useNodeBackend } from './use-node-backend.js';

/** Options of {@link createCorrector}. */
export interface CreateCorrectorOptions {
  /**
   * The model: a checkpoint directory (`manifest.json` + `weights.bin`), or a checkpoint in
   * memory (`saveCheckpoint`'s output). Default: the bundled default model.
   */
  readonly model?: string | Checkpoint;
  /**
   * Worker threads, each with its own wasm (or cpu) backend and copy of the model; 0 corrects
   * in this thread. Default: one per core (`os.availableParallelism()`), as many as the
   * available memory holds, on wasm and cpu; 0 on tfjs-node and onnxruntime, which already use
   * every core. A volume uses fewer when it has fewer batches, or when its batches would not fit
   * the available memory side by side.
   */
  readonly workers?: number;
  /** Backend(s) to prefer (see {@link useNodeBackend}); `DUNCAN_BACKEND` still overrides. */
  readonly backend?: NodeBackendName | readonly NodeBackendName[];
  /**
   * The most slices per forward pass. Default: automatic, from the slice size (about 64 MiB of
   * the network's working memory: one 256x256 slice, 16 slices of 64x64). Either way a batch
   * is made smaller when it would not fit the wasm heap (4 GiB) or the available memory, so
   * large slices never exhaust a worker. On worker threads the result does not depend on the
   * number of workers; batches of one pass are corrected exactly as that pass corrects them.
   */
  readonly batchSize?: number;
}

/** Options of {@link NodeCorrector.correct}. */
export interface NodeCorrectOptions {
  /** Slicing axis: 0, 1 or 2 (x, y, z). Default 2. */
  readonly axis?: 0 | 1 | 2;
  /** Called as slices finish, with the slices done so far (all workers together). */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
}

/** A loaded model on a pool of worker threads (see {@link createCorrector}). */
export interface NodeCorrector {
  /** The backend chosen, and what was tried. */
  readonly backend: NodeBackendInfo;
  /** Worker threads in the pool (0: corrections run in the calling thread). */
  readonly workers: number;
  /** The model's configuration. */
  readonly config: ModelConfig;
  /**
   * Corrects a volume slice by slice (the slices are shared out among the workers); resolves to
   * `{ corrected, artefactMap }` with the input's shape, affine and intensity scale.
   */
  correct(volume: Volume, options?: NodeCorrectOptions): Promise<CorrectionResult>;
  /** Stops the workers and frees the model. The corrector cannot be used afterwards. */
  close(): Promise<void>;
}

const WHERE = 'createCorrector';
/** The smallest slice side the network takes (2 pixels at 1/4 scale for its reflection pads). */
const MIN_SLICE_SIDE = 8;

/**
 * Throws unless the slices along `axis` are at least 8x8 voxels, the smallest the network takes
 * (core's correct accepts 4x4, but its 1/4-scale reflection pads need 2 pixels there). A command
 * calls it before it starts workers and loads the model. `axisName` names the axis option in
 * the message (`--axis` on the command line).
 */
export function assertSliceSize(
  where: string,
  shape: readonly [number, number, number],
  axis: 0 | 1 | 2,
  axisName = 'axis',
): void {
  const inPlane = shape.filter((_, i) => i !== axis);
  if (inPlane.some((d) => d < MIN_SLICE_SIDE)) {
    const named = axisName === 'axis' ? `axis ${axis}` : `${axisName} ${'xyz'[axis]}`;
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: volume slices along ${named} must be at least ${MIN_SLICE_SIDE}x${MIN_SLICE_SIDE} voxels, got ${inPlane.join('x')} (volume ${shape.join('x')})`,
      { argument: 'volume' },
    );
  }
}

function validateAxis(where: string, value: unknown): 0 | 1 | 2 {
  if (value === undefined) return 2;
  if (value !== 0 && value !== 1 && value !== 2)
    throw invalid(where, 'options.axis', 'must be 0, 1 or 2', value);
  return value;
}

/**
 * Loads a DUNCAN model for correcting volumes in Node: picks the backend
 * ({@link useNodeBackend}, `onnxruntime` first when installed) and, on wasm or cpu, starts a
 * pool of worker threads, each initialising its own backend and copy of the model, so that every
 * core works on a volume's slices. On `onnxruntime` the model's corrector path is exported to
 * ONNX in memory and run by one ONNX Runtime session on every core. Reuse one corrector for many volumes (a folder of scans) and `close()` it at the end.
 *
 * Each worker corrects a contiguous run of slices, normalised by the whole volume's robust
 * percentiles and clipped to its range (`correct`'s `intensityRange` and `clip`), so the result
 * equals a single-thread correction whatever the number of workers.
 *
 * @example
 * ```ts
 * const corrector = await createCorrector({ model: 'runs/duncan-1', workers: 4 });
 * try {
 *   const { corrected, artefactMap } = await corrector.correct(volume, {
 *     onProgress: ({ done, total }) => console.error(`${done}/${total}`),
 *   });
 * } finally {
 *   await corrector.close();
 * }
 * ```
 * @throws MriError `IO_ERROR` when the model directory (or the bundled model) is missing,
 * `CORRUPT_FILE` / `UNSUPPORTED_FORMAT` / `SHAPE_MISMATCH` for a bad checkpoint,
 * `BACKEND_UNAVAILABLE`, `INVALID_ARGUMENT` for bad options.
 */
export async function createCorrector(
  options: CreateCorrectorOptions = {},
): Promise<NodeCorrector> {
  if (typeof options !== 'object' || options === null)
    throw invalid(WHERE, 'options', 'must be an object', options);
  const { workers: askedWorkers, batchSize } = options;
  if (
    askedWorkers !== undefined &&
    !(Number.isInteger(askedWorkers) && askedWorkers >= 0 && askedWorkers <= 256)
  )
    throw invalid(WHERE, 'options.workers', 'must be an integer >= 0 and <= 256', askedWorkers);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1))
    throw invalid(WHERE, 'options.batchSize', 'must be an integer >= 1', batchSize);
  let checkpoint: Checkpoint;
  if (options.model === undefined || typeof options.model === 'string') {
    checkpoint = readCheckpoint(options.model);
  } else if (
    typeof options.model === 'object' &&
    options.model !== null &&
    typeof options.model.manifest === 'object' &&
    options.model.weights instanceof Uint8Array
  ) {
    checkpoint = options.model;
  } else {
    throw invalid(
      WHERE,
      'options.model',
      'must be a checkpoint directory or { manifest, weights }',
      options.model,
    );
  }
  const backend = await useNodeBackend({
    correctionOnly: true,
    ...(options.backend === undefined ? {} : { prefer: options.backend }),
  });
  const pooled = backend.backend === 'wasm' || backend.backend === 'cpu';
  const workers = pooled
    ? (askedWorkers ?? defaultPoolSize(availableParallelism(), availableMemory()))
    : 0;

  const { loadCheckpoint, correct, correctionStatistics } = await import('@duncan-mri/core');
  let model: DuncanModel | OnnxCorrectorPass | undefined;
  let pool: WorkerPool | undefined;
  let config: ModelConfig;
  if (backend.backend === 'onnxruntime') {
    const { createOnnxCorrectorPass } = await import('./internal/onnx-corrector-pass.js');
    const pass = await createOnnxCorrectorPass(checkpoint, WHERE);
    model = pass;
    config = pass.config;
  } else if (workers === 0) {
    model = await loadCheckpoint(checkpoint);
    config = model.config;
  } else {
    const init: WorkerInit = {
      backend: backend.backend as 'wasm' | 'cpu',
      manifest: checkpoint.manifest,
      weights: checkpoint.weights,
    };
    const started = await WorkerPool.start(WHERE, init, workers);
    pool = started.pool;
    config = (started.config ?? checkpoint.manifest.config) as ModelConfig;
  }
  let closed = false;
  let nextId = 1;
  // One volume at a time on the pool (each call already uses every worker it can).
  let queue: Promise<unknown> = Promise.resolve();

  const corrector: NodeCorrector = {
    backend,
    workers,
    config,
    async correct(volume, correctOptions = {}) {
      const where = 'NodeCorrector.correct';
      if (closed)
        throw new MriError('INVALID_ARGUMENT', `${where}: the corrector is closed`, {
          argument: 'corrector',
        });
      assertVolume(volume, where, 'volume');
      if (typeof correctOptions !== 'object' || correctOptions === null)
        throw invalid(where, 'options', 'must be an object', correctOptions);
      const axis = validateAxis(where, correctOptions.axis);
      const onProgress = correctOptions.onProgress;
      if (onProgress !== undefined && typeof onProgress !== 'function')
        throw invalid(where, 'options.onProgress', 'must be a function', onProgress);
      assertSliceSize(where, volume.shape, axis);
      // Rows and columns of a slice: axis 2 gives [ny, nx], axis 1 [nz, nx], axis 0 [nz, ny].
      const [height, width] =
        axis === 2
          ? [volume.shape[1], volume.shape[0]]
          : [volume.shape[2], axis === 1 ? volume.shape[0] : volume.shape[1]];
      const total = volume.shape[axis];
      const plan = planCorrection({
        height,
        width,
        slices: total,
        channels: config.channels,
        workers: Math.max(1, workers),
        batchSize,
        availableBytes: availableMemory(),
      });
      if (model !== undefined) {
        return correct(model, volume, {
          axis,
          batchSize: plan.batchSize,
          ...(onProgress === undefined ? {} : { onProgress }),
        });
      }
      const workerPool = pool as WorkerPool;
      // The whole volume's statistics (and the finiteness check), once, in this thread.
      const { intensityRange, clip } = correctionStatistics(volume, config);
      const batches = splitBatches(total, plan.batchSize);
      const out = new Float32Array(volume.data.length);
      const previous = queue;
      const work = (async () => {
        await previous.catch(() => {});
        // Each worker takes the next batch as soon as it is free (a loaded core does less), and
        // holds one batch at a time; this thread holds the input and the output.
        let next = 0;
        let done = 0;
        let failure: { error: unknown } | undefined;
        await Promise.all(
          Array.from({ length: plan.workers }, async (_, lane) => {
            while (failure === undefined && next < batches.length) {
              const batch = batches[next++]!;
              const chunk = extractChunk(volume.data, volume.shape, axis, batch.start, batch.count);
              try {
                const corrected = await workerPool.run(lane, {
                  type: 'correct',
                  id: nextId++,
                  start: batch.start,
                  data: chunk.data, // a copy of the input's slices: its buffer is transferred
                  shape: chunk.shape,
                  axis,
                  intensityRange,
                  clip,
                });
                insertChunk(out, volume.shape, axis, batch.start, corrected, chunk.shape);
              } catch (error) {
                failure ??= { error };
                return;
              }
              done += batch.count;
              onProgress?.({ done, total });
            }
          }),
        );
        if (failure !== undefined) throw failure.error;
      })();
      queue = work;
      await work;
      const artefact = new Float32Array(out.length);
      for (let k = 0; k < out.length; k++) artefact[k] = volume.data[k]! - out[k]!;
      return { corrected: withData(volume, out), artefactMap: withData(volume, artefact) };
    },
    async close() {
      if (closed) return;
      closed = true;
      await model?.dispose();
      await pool?.close();
    },
  };
  return Object.freeze(corrector);
}
