import { availableParallelism } from 'node:os';
import type {
  Checkpoint,
  CorrectionResult,
  Corrector,
  CorrectorCorrectOptions,
  DuncanModel,
  ModelConfig,
} from '@duncan-mri/core';
import {
  assertVolume,
  invalidArgument,
  type Volume,
  validateBoolean,
  validateNumber,
} from '@duncan-mri/volume';
import { readCheckpoint } from './checkpoint-files.js';
import { availableMemory, defaultPoolSize, planCorrection } from './internal/correction-plan.js';
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

/**
 * Options of {@link NodeCorrector.correct}: those of every `Corrector` (`@duncan-mri/core`).
 * `batchSize`, when given, bounds this call's batch instead of {@link CreateCorrectorOptions}'s.
 */
export type NodeCorrectOptions = CorrectorCorrectOptions;

/**
 * A loaded model on a pool of worker threads (see {@link createCorrector}): a `Corrector` of
 * `@duncan-mri/core`, like the browser's `WorkerCorrector`.
 */
export interface NodeCorrector extends Corrector {
  /** The backend chosen, and what was tried. */
  readonly backend: NodeBackendInfo;
  /** Worker threads in the pool (0: corrections run in the calling thread). */
  readonly workers: number;
  /**
   * Corrects a volume slice by slice (runs of slices are shared out among the workers); resolves
   * to `{ corrected, artefactMap }` with the input's shape, affine and intensity scale.
   */
  correct(volume: Volume, options?: NodeCorrectOptions): Promise<CorrectionResult>;
  /** Stops the workers and frees the model. The corrector cannot be used afterwards. */
  close(): Promise<void>;
}

const WHERE = 'createCorrector';

function validateAxis(where: string, value: unknown): 0 | 1 | 2 {
  if (value === undefined) return 2;
  if (value !== 0 && value !== 1 && value !== 2)
    invalidArgument(where, 'options.axis', 'must be 0, 1 or 2', value);
  return value;
}

function validateBatchSize(where: string, argument: string, value: unknown): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1))
    invalidArgument(where, argument, 'must be an integer >= 1', value);
  return value as number | undefined;
}

/**
 * Loads a DUNCAN model for correcting volumes in Node: picks the backend
 * ({@link useNodeBackend}, `onnxruntime` first when installed) and, on wasm or cpu, starts a
 * pool of worker threads, each initialising its own backend and copy of the model, so that every
 * core works on a volume's slices. On `onnxruntime` the model's corrector path is exported to
 * ONNX in memory and run by one ONNX Runtime session on every core. Reuse one corrector for many volumes (a folder of scans) and `close()` it at the end.
 *
 * Everything around the network (normalisation, clipping, the non-finite policy, mirror
 * averaging (`flips`, on by default: four forward passes per batch), residual shrinkage
 * (`shrinkage`, default 1: each slice's correction soft-thresholded at its noise level), the
 * 8x8 minimum, the artefact map) is core's `correct`: on worker threads the volume is cut by core's
 * `splitCorrection` into runs of slices that carry the whole volume's statistics, each worker
 * corrects one run at a time, and the pool only schedules the runs and moves their buffers, so
 * the result equals a single-thread correction whatever the number of workers.
 *
 * @example
 * ```ts
 * const corrector = await createCorrector({ model: 'runs/duncan-1', workers: 4 });
 * try {
 *   const { corrected, artefactMap } = await corrector.correct(volume, {
 *     nonFinite: 'zero-and-restore', // NaN voxels corrected as 0, NaN again in the outputs
 *     flips: false, // one forward pass per slice instead of four (mirror averaging off)
 *     shrinkage: 0, // the network's output as it is (no residual shrinkage)
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
    invalidArgument(WHERE, 'options', 'must be an object', options);
  const { workers: askedWorkers, batchSize } = options;
  if (
    askedWorkers !== undefined &&
    !(Number.isInteger(askedWorkers) && askedWorkers >= 0 && askedWorkers <= 256)
  )
    invalidArgument(WHERE, 'options.workers', 'must be an integer >= 0 and <= 256', askedWorkers);
  validateBatchSize(WHERE, 'options.batchSize', batchSize);
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
    invalidArgument(
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

  const { assertSliceSize, loadCheckpoint, correct, splitCorrection } = await import(
    '@duncan-mri/core'
  );
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
        invalidArgument(where, 'the corrector', 'is closed', undefined, {
          got: null,
          argument: 'corrector',
        });
      assertVolume(volume, where, 'volume');
      if (typeof correctOptions !== 'object' || correctOptions === null)
        invalidArgument(where, 'options', 'must be an object', correctOptions);
      const axis = validateAxis(where, correctOptions.axis);
      const { onProgress, nonFinite } = correctOptions;
      // Mirror averaging (core's correct: four forward passes per batch), on by default.
      const flips = validateBoolean(where, 'options.flips', correctOptions.flips, true);
      // Residual shrinkage (core's correct, per slice, after the network); core's default
      // (DEFAULT_SHRINKAGE) when not given.
      const shrinkage =
        correctOptions.shrinkage === undefined
          ? undefined
          : validateNumber(where, 'options.shrinkage', correctOptions.shrinkage, { min: 0 });
      if (onProgress !== undefined && typeof onProgress !== 'function')
        invalidArgument(where, 'options.onProgress', 'must be a function', onProgress);
      const callBatchSize = validateBatchSize(where, 'options.batchSize', correctOptions.batchSize);
      assertSliceSize(volume.shape, axis, where);
      // The two sides of a slice (their order does not matter to its memory).
      const [height, width] = volume.shape.filter((_, i) => i !== axis) as [number, number];
      const total = volume.shape[axis];
      const plan = planCorrection({
        height,
        width,
        slices: total,
        channels: config.channels,
        workers: Math.max(1, workers),
        batchSize: callBatchSize ?? batchSize,
        availableBytes: availableMemory(),
      });
      if (model !== undefined) {
        return correct(model, volume, {
          axis,
          batchSize: plan.batchSize,
          ...(nonFinite === undefined ? {} : { nonFinite }),
          flips,
          ...(shrinkage === undefined ? {} : { shrinkage }),
          ...(onProgress === undefined ? {} : { onProgress }),
        });
      }
      const workerPool = pool as WorkerPool;
      // The whole volume's statistics, non-finite policy, mirror averaging and shrinkage, once,
      // in this thread (core); the pool only sends each run to a free worker and puts the result
      // in place. Each worker's correct shrinks its own slices.
      const split = splitCorrection(volume, config, {
        axis,
        ...(nonFinite === undefined ? {} : { nonFinite }),
        flips,
        ...(shrinkage === undefined ? {} : { shrinkage }),
      });
      const runs = split.runs(plan.batchSize);
      const previous = queue;
      const work = (async () => {
        await previous.catch(() => {});
        // Each worker takes the next run as soon as it is free (a loaded core does less), and
        // holds one run at a time; this thread holds the input and the output.
        let next = 0;
        let done = 0;
        let failure: { error: unknown } | undefined;
        await Promise.all(
          Array.from({ length: plan.workers }, async (_, lane) => {
            while (failure === undefined && next < runs.length) {
              const run = runs[next++]!;
              const voxels = split.extract(run); // a copy: its buffer is transferred
              try {
                const corrected = await workerPool.run(lane, {
                  type: 'correct',
                  id: nextId++,
                  start: run.start,
                  data: voxels.data,
                  shape: voxels.shape,
                  options: split.options,
                });
                split.insert(run, corrected);
              } catch (error) {
                failure ??= { error };
                return;
              }
              done += run.count;
              onProgress?.({ done, total });
            }
          }),
        );
        if (failure !== undefined) throw failure.error;
      })();
      queue = work;
      await work;
      return split.finish();
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
