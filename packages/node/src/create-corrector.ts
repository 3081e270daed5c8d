import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Checkpoint, CorrectionResult, DuncanModel, ModelConfig } from '@duncan-mri/core';
import { assertVolume, describeValue, MriError, type Volume, withData } from '@duncan-mri/volume';
import { readCheckpoint } from './checkpoint-files.js';
import { extractChunk, insertChunk, splitRuns } from './internal/chunks.js';
import { invalid } from './internal/errors.js';
import type { OnnxCorrectorPass } from './internal/onnx-corrector-pass.js';
import type { FromWorker, ToWorker, WorkerError, WorkerInit } from './internal/worker-protocol.js';
import { correctWorkerUrl } from './internal/worker-url.js';
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
   * in this thread. Default: one per core (`os.availableParallelism()`) on wasm and cpu, 0 on
   * tfjs-node and onnxruntime, which already use every core.
   */
  readonly workers?: number;
  /** Backend(s) to prefer (see {@link useNodeBackend}); `DUNCAN_BACKEND` still overrides. */
  readonly backend?: NodeBackendName | readonly NodeBackendName[];
  /** Slices per forward pass (default 8). */
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

interface PoolWorker {
  readonly worker: Worker;
  /** The model configuration as the worker's loadCheckpoint resolved it. */
  config: ModelConfig | undefined;
  busy: boolean;
  /** Set when the worker has exited (a crash): later jobs fail at once instead of waiting. */
  dead: boolean;
  fail: ((error: Error) => void) | undefined;
}

function toError(e: WorkerError): Error {
  if (e.name === 'MriError' && e.code !== undefined) {
    return new MriError(e.code as MriError['code'], e.message, {
      ...(e.argument === undefined ? {} : { argument: e.argument }),
    });
  }
  return new MriError('INTERNAL', `${WHERE}: a correction worker failed: ${e.message}`);
}

async function startWorker(init: WorkerInit): Promise<PoolWorker> {
  const worker = new Worker(correctWorkerUrl(), { workerData: init });
  const entry: PoolWorker = {
    worker,
    config: undefined,
    busy: false,
    dead: false,
    fail: undefined,
  };
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ready') {
        entry.config = m.config;
        cleanup();
        resolve();
      } else if (m.type === 'error') {
        cleanup();
        reject(toError(m.error));
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(
        new MriError('INTERNAL', `${WHERE}: a correction worker did not start: ${error.message}`, {
          cause: error,
        }),
      );
    };
    const onExit = (code: number) => {
      cleanup();
      reject(
        new MriError(
          'INTERNAL',
          `${WHERE}: a correction worker exited with code ${code} while starting`,
        ),
      );
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  // A crash later fails the job in flight.
  worker.on('error', (error) => entry.fail?.(error));
  worker.on('exit', (code) => {
    entry.dead = true;
    entry.fail?.(new Error(`worker exited with code ${code}`));
  });
  worker.unref();
  return entry;
}

function runJob(
  entry: PoolWorker,
  job: Extract<ToWorker, { type: 'correct' }>,
  onDone: (done: number) => void,
): Promise<Float32Array> {
  const { worker } = entry;
  if (entry.dead) {
    return Promise.reject(
      new MriError('INTERNAL', `${WHERE}: a correction worker has exited; create a new corrector`),
    );
  }
  entry.busy = true;
  worker.ref();
  return new Promise<Float32Array>((resolve, reject) => {
    const finish = () => {
      worker.off('message', onMessage);
      entry.fail = undefined;
      entry.busy = false;
      worker.unref();
    };
    const onMessage = (m: FromWorker) => {
      if (m.type === 'progress' && m.id === job.id) onDone(m.done);
      else if (m.type === 'result' && m.id === job.id) {
        finish();
        resolve(m.corrected);
      } else if (m.type === 'error' && (m.id === job.id || m.id === undefined)) {
        finish();
        reject(toError(m.error));
      }
    };
    entry.fail = (error: Error) => {
      finish();
      reject(
        new MriError('INTERNAL', `${WHERE}: a correction worker failed: ${error.message}`, {
          cause: error,
        }),
      );
    };
    worker.on('message', onMessage);
    worker.postMessage(job, [job.data.buffer as ArrayBuffer]);
  });
}

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
  const { workers: askedWorkers, batchSize = 8 } = options;
  if (
    askedWorkers !== undefined &&
    !(Number.isInteger(askedWorkers) && askedWorkers >= 0 && askedWorkers <= 256)
  )
    throw invalid(WHERE, 'options.workers', 'must be an integer >= 0 and <= 256', askedWorkers);
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
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
  const workers = pooled ? (askedWorkers ?? availableParallelism()) : 0;

  const { loadCheckpoint, correct, robustIntensityRange } = await import('@duncan-mri/core');
  let model: DuncanModel | OnnxCorrectorPass | undefined;
  let pool: PoolWorker[] = [];
  if (backend.backend === 'onnxruntime') {
    const { createOnnxCorrectorPass } = await import('./internal/onnx-corrector-pass.js');
    model = await createOnnxCorrectorPass(checkpoint, WHERE);
  } else if (workers === 0) {
    model = await loadCheckpoint(checkpoint);
  } else {
    const init: WorkerInit = {
      backend: backend.backend as 'wasm' | 'cpu',
      manifest: checkpoint.manifest,
      weights: checkpoint.weights,
    };
    const started = await Promise.allSettled(
      Array.from({ length: workers }, () => startWorker(init)),
    );
    pool = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(pool.map((p) => p.worker.terminate()));
      throw failed.reason;
    }
  }
  const config = (model?.config ?? pool[0]?.config ?? checkpoint.manifest.config) as ModelConfig;
  let closed = false;
  let nextId = 1;
  // One volume at a time on the pool (each call already uses every worker).
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
      if (model !== undefined) {
        return correct(model, volume, {
          axis,
          batchSize,
          ...(onProgress === undefined ? {} : { onProgress }),
        });
      }
      for (let i = 0; i < volume.data.length; i++) {
        const x = volume.data[i]!;
        if (!Number.isFinite(x)) {
          throw new MriError(
            'INVALID_ARGUMENT',
            `${where}: volume.data must be finite, got ${describeValue(x)} at index ${i}`,
            { argument: 'volume' },
          );
        }
      }
      const total = volume.shape[axis];
      const global = robustIntensityRange(volume.data, config.lowPercentile, config.highPercentile);
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of volume.data) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const runs = splitRuns(total, pool.length);
      const done = new Array<number>(runs.length).fill(0);
      const out = new Float32Array(volume.data.length);
      const previous = queue;
      const work = (async () => {
        await previous.catch(() => {});
        await Promise.all(
          runs.map(async (run, i) => {
            const chunk = extractChunk(volume.data, volume.shape, axis, run.start, run.count);
            const corrected = await runJob(
              pool[i]!,
              {
                type: 'correct',
                id: nextId++,
                data: Float32Array.from(chunk.data), // a copy: its buffer is transferred
                shape: chunk.shape,
                axis,
                batchSize,
                intensityRange: global,
                clip: { min, max },
              },
              (d) => {
                done[i] = d;
                onProgress?.({ done: done.reduce((a, b) => a + b, 0), total });
              },
            );
            insertChunk(out, volume.shape, axis, run.start, corrected, chunk.shape);
          }),
        );
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
      await Promise.all(
        pool.map(async ({ worker }) => {
          worker.postMessage({ type: 'close' } satisfies ToWorker);
          await worker.terminate();
        }),
      );
    },
  };
  return Object.freeze(corrector);
}
