import { correct, type DuncanModel, loadCheckpoint } from '@duncan-mri/core';
import { compareImages } from '@duncan-mri/metrics';
import { simulate } from '@duncan-mri/simulate';
import { createRng, errorMessage, errorToWire } from '@duncan-mri/volume';
import { fetchCheckpoint } from './fetch-checkpoint.js';
import {
  fromWire,
  type Reply,
  type Request,
  toWire,
  type WorkerModelInfo,
} from './internal/protocol.js';
import { type UseWebBackendOptions, useWebBackend } from './use-web-backend.js';

/**
 * Whether the wasm backend may start with threads here: allowed by the options, listed in
 * `prefer`, and the worker cross-origin isolated.
 */
function mayUseWasmThreads(options: UseWebBackendOptions): boolean {
  const { prefer, wasmThreads } = options;
  const listed = prefer === undefined || typeof prefer === 'string' || prefer.includes('wasm');
  return wasmThreads !== false && listed && globalThis.crossOriginIsolated === true;
}

type Listener = (event: Event) => void;
interface ErrorTarget {
  addEventListener(type: string, listener: Listener): void;
  removeEventListener(type: string, listener: Listener): void;
}

/**
 * Runs `task`, failing as soon as the worker's scope reports an uncaught error or rejection
 * (tfjs's threaded wasm backend reports a thread that fails to start so: emscripten rethrows the
 * thread's `ErrorEvent` in an event handler, and the backend's start never settles). The error
 * carries the real message, e.g. `Uncaught ReferenceError: e is not defined`.
 */
function failOnUncaught<T>(scope: unknown, task: () => Promise<T>): Promise<T> {
  const target = scope as Partial<ErrorTarget>;
  if (
    typeof target.addEventListener !== 'function' ||
    typeof target.removeEventListener !== 'function'
  )
    return task();
  const t = target as ErrorTarget;
  let failed = false;
  let onError: Listener = () => undefined;
  let onRejection: Listener = () => undefined;
  const uncaught = new Promise<never>((_, reject) => {
    onError = (event) => {
      event.preventDefault();
      if (failed) return;
      failed = true;
      const e = event as ErrorEvent;
      const cause = e.error ?? e;
      reject(new Error(`an uncaught error in the worker: ${errorMessage(cause)}`, { cause }));
    };
    onRejection = (event) => {
      event.preventDefault();
      if (failed) return;
      failed = true;
      const { reason } = event as PromiseRejectionEvent;
      reject(
        new Error(`an unhandled rejection in the worker: ${errorMessage(reason)}`, {
          cause: reason,
        }),
      );
    };
  });
  t.addEventListener('error', onError);
  t.addEventListener('unhandledrejection', onRejection);
  return Promise.race([task(), uncaught]).finally(() => {
    // After an uncaught error the worker is beyond use (the page stops it): the listeners stay,
    // so that the same error from each further wasm thread is not reported to the page again.
    if (failed) return;
    t.removeEventListener('error', onError);
    t.removeEventListener('unhandledrejection', onRejection);
  });
}

/**
 * The part of a dedicated worker's global scope the corrector uses. When it also has
 * `removeEventListener` (a real worker scope does), its `error` and `unhandledrejection` events
 * are watched while the backend starts.
 */
export interface WorkerScopeLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/**
 * Runs the worker side of {@link createWorkerCorrector} in the current dedicated worker: it
 * chooses a backend with {@link useWebBackend}, loads the model, then corrects, simulates and
 * scores volumes on request, posting progress after every batch and transferring results.
 * While the backend starts, an uncaught error in the worker (a wasm thread that cannot start)
 * fails the start with that error's message instead of leaving it pending; when wasm threads
 * were allowed, the page's `createWorkerCorrector` then retries without them.
 * The package's own `dist/worker.js` is exactly this call; call it yourself only when your
 * bundler cannot start that file, in a worker module of your own, and pass
 * `worker: () => new Worker(new URL('./my-worker.ts', import.meta.url), { type: 'module' })` to
 * `createWorkerCorrector`.
 *
 * @example
 * ```ts
 * // my-worker.ts
 * import { serveWorkerCorrector } from '@duncan-mri/web';
 * serveWorkerCorrector();
 * ```
 */
export function serveWorkerCorrector(
  scope: WorkerScopeLike = globalThis as unknown as WorkerScopeLike,
): void {
  let model: DuncanModel | undefined;
  const post = (reply: Reply, transfer: Transferable[] = []) => scope.postMessage(reply, transfer);
  // Requests are handled one at a time, in order.
  let queue: Promise<void> = Promise.resolve();

  const init = async (request: Extract<Request, { type: 'init' }>) => {
    let backend: Awaited<ReturnType<typeof useWebBackend>>;
    try {
      backend = await failOnUncaught(scope, () => useWebBackend(request.backend));
    } catch (error) {
      post({
        type: 'error',
        id: 'init',
        error: errorToWire(error),
        threadsMayBeTheCause: mayUseWasmThreads(request.backend),
      });
      return;
    }
    const m = request.model;
    let fromCache = false;
    let version: string | undefined;
    if (m.kind === 'url') {
      const fetched = await fetchCheckpoint(m.url, {
        cache: m.cache,
        allowCrossOrigin: m.allowCrossOrigin,
        ...(m.version === undefined ? {} : { version: m.version }),
      });
      fromCache = fetched.fromCache;
      version = fetched.version;
      model = await loadCheckpoint(fetched.checkpoint);
    } else {
      model = await loadCheckpoint({
        manifest: m.manifest as Parameters<typeof loadCheckpoint>[0]['manifest'],
        weights: m.weights,
      });
    }
    const info: WorkerModelInfo = {
      config: model.config,
      seed: model.seed,
      step: model.step,
      parameterCount: model.parameterCount.total,
      fromCache,
      version,
    };
    post({ type: 'ready', backend, model: info });
  };

  const handle = async (request: Request) => {
    if (request.type === 'init') {
      try {
        await init(request);
      } catch (error) {
        post({ type: 'error', id: 'init', error: errorToWire(error) });
      }
      return;
    }
    const { id } = request;
    try {
      const transfer: Transferable[] = [];
      let value: unknown;
      if (request.type === 'correct') {
        if (model === undefined) throw new Error('no model: init failed');
        // The page's checked options (axis, batchSize, nonFinite, flips, shrinkage), as core's
        // correct takes them: the shrinkage runs here, in the worker.
        const result = await correct(model, fromWire(request.volume), {
          ...request.options,
          onProgress: ({ done, total }) => post({ type: 'progress', id, done, total }),
        });
        value = {
          corrected: toWire(result.corrected, true, transfer),
          artefactMap: toWire(result.artefactMap, true, transfer),
        };
      } else if (request.type === 'simulate') {
        const result = simulate(fromWire(request.volume), request.recipe, createRng(request.seed));
        value = { volume: toWire(result.volume, true, transfer), applied: result.applied };
      } else {
        value = compareImages(fromWire(request.reference), fromWire(request.test), request.options);
      }
      post({ type: 'result', id, value }, transfer);
    } catch (error) {
      post({ type: 'error', id, error: errorToWire(error) });
    }
  };

  scope.addEventListener('message', (event: MessageEvent) => {
    const request = event.data as Request;
    queue = queue.then(() => handle(request));
  });
}
