import { correct, type DuncanModel, loadCheckpoint } from '@duncan-mri/core';
import { compareImages } from '@duncan-mri/metrics';
import { simulate } from '@duncan-mri/simulate';
import { createRng } from '@duncan-mri/volume';
import { fetchCheckpoint } from './fetch-checkpoint.js';
import {
  errorToWire,
  fromWire,
  type Reply,
  type Request,
  toWire,
  type WorkerModelInfo,
} from './internal/protocol.js';
import { useWebBackend } from './use-web-backend.js';

/** The part of a dedicated worker's global scope the corrector uses. */
export interface WorkerScopeLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/**
 * Runs the worker side of {@link createWorkerCorrector} in the current dedicated worker: it
 * chooses a backend with {@link useWebBackend}, loads the model, then corrects, simulates and
 * scores volumes on request, posting progress after every batch and transferring results.
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
    const backend = await useWebBackend(request.backend);
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
