import type {
  Checkpoint,
  CorrectionResult,
  Corrector,
  CorrectorCorrectOptions,
  ModelConfig,
} from '@duncan-mri/core';
import type { CompareImagesOptions, ImageComparison } from '@duncan-mri/metrics';
import type { RecipeStep, SimulationResult } from '@duncan-mri/simulate';
import {
  assertVolume,
  invalidArgument,
  type Volume,
  validateBoolean,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';
import {
  fromWire,
  type ModelMessage,
  toWire,
  type WireVolume,
  type WorkerModelInfo,
} from './internal/protocol.js';
import { baseUrl, resolveUrl, validateFetchOptions } from './internal/urls.js';
import { defaultWasmPaths } from './internal/wasm-paths.js';
import { createWorkerClient } from './internal/worker-client.js';
import type { ModelSource } from './load-model.js';
import type { UseWebBackendOptions, WebBackendInfo } from './use-web-backend.js';

/** Options of {@link createWorkerCorrector}. */
export interface CreateWorkerCorrectorOptions {
  /** How the worker chooses its backend (see {@link useWebBackend}). */
  readonly backend?: UseWebBackendOptions;
  /** URL models: cache in IndexedDB with a version check (see {@link fetchCheckpoint}). Default true. */
  readonly cache?: boolean;
  /** URL models: the known version (see {@link fetchCheckpoint}). */
  readonly version?: string;
  /** URL models: allow another origin. Default false. */
  readonly allowCrossOrigin?: boolean;
  /**
   * Starts the worker. Default: this package's `dist/worker.js` as a module worker,
   * `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`, which Vite,
   * webpack 5 and Parcel bundle. It is called again after a cancellation.
   */
  readonly worker?: () => Worker;
  /** Aborts starting; the promise rejects with `signal.reason` and the worker is stopped. */
  readonly signal?: AbortSignal;
}

/**
 * Options of {@link WorkerCorrector.correct}: those of every `Corrector` (`@duncan-mri/core`;
 * `batchSize` defaults to 1 here, a progress event for every slice), and these.
 */
export interface WorkerCorrectOptions extends CorrectorCorrectOptions {
  /**
   * Cancels the correction: the promise rejects with `signal.reason` at once, and the worker is
   * stopped (a running GPU or wasm kernel cannot be interrupted) and restarted for the next call.
   */
  readonly signal?: AbortSignal;
  /**
   * Transfer the volume's buffer to the worker instead of copying it (no copy for large scans;
   * the caller's `volume.data` becomes empty, detached). Default false.
   */
  readonly transfer?: boolean;
}

/**
 * A corrector running in a Web Worker (see {@link createWorkerCorrector}): a `Corrector` of
 * `@duncan-mri/core`, like Node's `NodeCorrector`, that also simulates and scores.
 */
export interface WorkerCorrector extends Corrector {
  /** The backend the worker uses. */
  readonly backend: WebBackendInfo;
  /** The model the worker loaded. */
  readonly model: WorkerModelInfo;
  /** The model's configuration (`model.config`). */
  readonly config: ModelConfig;
  /**
   * `correct` of `@duncan-mri/core` in the worker: the corrected volume and the artefact map
   * (`input - corrected`), same shape and affine as the input. Mirror averaging (`flips`) is on
   * by default, as in core: four forward passes per batch; `flips: false` runs one. Residual
   * shrinkage (`shrinkage`, default 1, as in core) soft-thresholds each slice's correction at
   * that multiple of the slice's noise level, in the worker; `shrinkage: 0` turns it off.
   */
  correct(volume: Volume, options?: WorkerCorrectOptions): Promise<CorrectionResult>;
  /**
   * `simulate` of `@duncan-mri/simulate` in the worker, with `createRng(seed)`: adds artefacts to
   * a clean volume and says what it applied.
   */
  simulate(
    volume: Volume,
    recipe: readonly RecipeStep[],
    options: { readonly seed: number; readonly signal?: AbortSignal },
  ): Promise<SimulationResult>;
  /** `compareImages` of `@duncan-mri/metrics` in the worker: SSIM, MS-SSIM, VIF, UQI, PSNR. */
  compareImages(
    reference: Volume,
    test: Volume,
    options: CompareImagesOptions & { readonly signal?: AbortSignal },
  ): Promise<ImageComparison>;
  /**
   * Stops the worker and frees its memory; pending and later calls reject with
   * `INVALID_ARGUMENT`. Resolves at once (a worker stops without waiting).
   */
  close(): Promise<void>;
  /**
   * Stops the worker, as {@link WorkerCorrector.close}.
   * @deprecated Use `close()`, the name every `Corrector` has; `terminate` will be removed in a
   * later major version.
   */
  terminate(): void;
}

const WHERE = 'createWorkerCorrector';

function defaultWorker(): Worker {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

function absoluteWasmPaths(backend: UseWebBackendOptions): UseWebBackendOptions {
  // The worker resolves URLs against its own script, so send absolute ones.
  const base = baseUrl();
  const abs = (u: string) => (base === undefined ? u : new URL(u, base).href);
  const paths = backend.wasmPaths ?? defaultWasmPaths();
  if (typeof paths !== 'string' && (typeof paths !== 'object' || paths === null)) {
    invalidArgument(
      WHERE,
      'options.backend.wasmPaths',
      'must be a URL prefix or a map of URLs',
      paths,
    );
  }
  const wasmPaths =
    typeof paths === 'string'
      ? abs(paths)
      : Object.fromEntries(Object.entries(paths).map(([k, v]) => [k, abs(v as string)]));
  return { ...backend, wasmPaths };
}

function modelMessage(source: unknown, o: Record<string, unknown>): ModelMessage {
  if (typeof source === 'string' || source instanceof URL) {
    const { cache, version, allowCrossOrigin } = validateFetchOptions(WHERE, o);
    return {
      kind: 'url',
      url: resolveUrl(WHERE, 'model', source).href,
      cache,
      version,
      allowCrossOrigin,
    };
  }
  const c = validateObject(WHERE, 'model', source) as Partial<Checkpoint>;
  if (
    typeof c.manifest !== 'object' ||
    c.manifest === null ||
    !(c.weights instanceof Uint8Array || (c.weights as unknown) instanceof ArrayBuffer)
  ) {
    invalidArgument(WHERE, 'model', 'must be a URL or a checkpoint { manifest, weights }', source);
  }
  const weights =
    c.weights instanceof Uint8Array
      ? c.weights
      : new Uint8Array(c.weights as unknown as ArrayBuffer);
  return { kind: 'checkpoint', manifest: c.manifest, weights };
}

function validateSignal(argument: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal))
    invalidArgument(WHERE, argument, 'must be an AbortSignal', value);
  return value as AbortSignal | undefined;
}

/**
 * Starts a DUNCAN corrector in a Web Worker, so the page never freezes: the worker chooses its
 * backend ({@link useWebBackend}: webgpu, webgl, wasm), loads the model (a same-origin URL,
 * cached in IndexedDB with a version check, or a checkpoint object), and then corrects volumes
 * slice by slice with a progress event per batch (per slice by default). Volumes go to the
 * worker as copies (or transferred, `transfer: true`); results come back transferred, without
 * a copy. Requests run one at a time, in order. Aborting a correction rejects it at once and
 * restarts the worker, since a running kernel cannot be interrupted. Everything stays on the
 * user's machine. Simulation and metrics run in the same worker ({@link WorkerCorrector}).
 * When the backend cannot start while wasm threads were allowed (a page served with
 * `Cross-Origin-Opener-Policy` and `Cross-Origin-Embedder-Policy`), the worker is started again
 * without threads, and `backend.threadsFailure` says why threads failed.
 *
 * @example
 * ```ts
 * const corrector = await createWorkerCorrector('/models/duncan/');
 * console.log(corrector.backend.backend);            // 'webgpu', 'webgl' or 'wasm'
 * const controller = new AbortController();
 * const { corrected, artefactMap } = await corrector.correct(volume, {
 *   onProgress: ({ done, total }) => (bar.value = done / total),
 *   signal: controller.signal,
 * });
 * await corrector.close();
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad model source or option, `BACKEND_UNAVAILABLE`
 * when no backend works in the worker, `INTERNAL` when the worker script cannot start, and what
 * {@link fetchCheckpoint} and `loadCheckpoint` throw.
 */
export async function createWorkerCorrector(
  model: ModelSource,
  options: CreateWorkerCorrectorOptions = {},
): Promise<WorkerCorrector> {
  const o = validateObject(WHERE, 'options', options, true);
  const message = modelMessage(model, o);
  const backendOptions = absoluteWasmPaths(
    validateObject(WHERE, 'options.backend', o.backend, true) as UseWebBackendOptions,
  );
  const makeWorker = (o.worker ?? defaultWorker) as () => Worker;
  if (typeof makeWorker !== 'function')
    invalidArgument(
      WHERE,
      'options.worker',
      'must be a function that returns a Worker',
      makeWorker,
    );
  const startSignal = validateSignal('options.signal', o.signal);
  startSignal?.throwIfAborted();

  const client = createWorkerClient({
    where: WHERE,
    makeWorker,
    model: message,
    backend: backendOptions,
  });
  const { run } = client;

  const onStartAbort = () => client.stop(startSignal?.reason);
  startSignal?.addEventListener('abort', onStartAbort, { once: true });
  let info: { backend: WebBackendInfo; model: WorkerModelInfo };
  try {
    info = await Promise.race([
      client.start(),
      new Promise<never>((_, reject) => {
        if (startSignal !== undefined) {
          startSignal.addEventListener('abort', () => reject(startSignal.reason), { once: true });
        }
      }),
    ]);
  } finally {
    startSignal?.removeEventListener('abort', onStartAbort);
  }

  const volumeArg = (where: string, argument: string, v: unknown): Volume => {
    assertVolume(v, where, argument);
    return v as Volume;
  };

  return Object.freeze({
    backend: info.backend,
    model: info.model,
    config: info.model.config,
    correct(volume: Volume, opts: WorkerCorrectOptions = {}): Promise<CorrectionResult> {
      const where = 'WorkerCorrector.correct';
      try {
        volumeArg(where, 'volume', volume);
        const c = validateObject(where, 'options', opts, true);
        const axis = validateNumber(
          where,
          'options.axis',
          c.axis,
          { min: 0, max: 2, integer: true },
          2,
        );
        const batchSize = validateNumber(
          where,
          'options.batchSize',
          c.batchSize,
          { min: 1, integer: true },
          1,
        );
        if (c.onProgress !== undefined && typeof c.onProgress !== 'function')
          invalidArgument(where, 'options.onProgress', 'must be a function', c.onProgress);
        const transfer = c.transfer ?? false;
        if (typeof transfer !== 'boolean')
          invalidArgument(where, 'options.transfer', 'must be a boolean', transfer);
        const signal = validateSignal('options.signal', c.signal);
        const nonFinite = c.nonFinite;
        if (nonFinite !== undefined && nonFinite !== 'reject' && nonFinite !== 'zero-and-restore')
          invalidArgument(
            where,
            'options.nonFinite',
            "must be 'reject' or 'zero-and-restore'",
            nonFinite,
          );
        // Mirror averaging (core's correct: four forward passes per batch), on by default.
        const flips = validateBoolean(where, 'options.flips', c.flips, true);
        // Residual shrinkage (core's correct, per slice, after the network, in the worker);
        // core's default when not given.
        const shrinkage =
          c.shrinkage === undefined
            ? undefined
            : validateNumber(where, 'options.shrinkage', c.shrinkage, { min: 0 });
        return run<{ corrected: WireVolume; artefactMap: WireVolume }>(
          where,
          (id, buffers) => ({
            type: 'correct',
            id,
            volume: toWire(volume, transfer, buffers),
            options: {
              axis: axis as 0 | 1 | 2,
              batchSize,
              ...(nonFinite === undefined ? {} : { nonFinite }),
              flips,
              ...(shrinkage === undefined ? {} : { shrinkage }),
            },
          }),
          signal,
          c.onProgress as WorkerCorrectOptions['onProgress'],
        ).then((r) => ({ corrected: fromWire(r.corrected), artefactMap: fromWire(r.artefactMap) }));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    simulate(volume, recipe, opts) {
      const where = 'WorkerCorrector.simulate';
      try {
        volumeArg(where, 'volume', volume);
        if (!Array.isArray(recipe))
          invalidArgument(where, 'recipe', 'must be an array of steps', recipe);
        const s = validateObject(where, 'options', opts);
        const seed = validateNumber(where, 'options.seed', s.seed, { min: 0, integer: true });
        const signal = validateSignal('options.signal', s.signal);
        return run<{ volume: WireVolume; applied: SimulationResult['applied'] }>(
          where,
          (id, buffers) => ({
            type: 'simulate',
            id,
            volume: toWire(volume, false, buffers),
            recipe,
            seed,
          }),
          signal,
        ).then((r) => ({ volume: fromWire(r.volume), applied: r.applied }));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    compareImages(reference, test, opts) {
      const where = 'WorkerCorrector.compareImages';
      try {
        volumeArg(where, 'reference', reference);
        volumeArg(where, 'test', test);
        const { signal: rawSignal, ...rest } = validateObject(where, 'options', opts);
        const signal = validateSignal('options.signal', rawSignal);
        return run<ImageComparison>(
          where,
          (id, buffers) => ({
            type: 'compare',
            id,
            reference: toWire(reference, false, buffers),
            test: toWire(test, false, buffers),
            options: rest as unknown as CompareImagesOptions,
          }),
          signal,
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close() {
      client.close();
      return Promise.resolve();
    },
    terminate() {
      client.close();
    },
  } satisfies WorkerCorrector);
}
