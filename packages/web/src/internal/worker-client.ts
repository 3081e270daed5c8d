import { errorFromWire, invalidArgument, MriError } from '@duncan-mri/volume';
import type { UseWebBackendOptions, WebBackendInfo } from '../use-web-backend.js';
import type { ModelMessage, Reply, Request, WorkerModelInfo } from './protocol.js';

/** What the worker says once its backend runs and its model is loaded. */
export interface WorkerInfo {
  readonly backend: WebBackendInfo;
  readonly model: WorkerModelInfo;
}

/** Called with the slices done so far, as the worker reports them. */
type OnProgress = (progress: { readonly done: number; readonly total: number }) => void;

/** The page's side of the worker protocol ({@link createWorkerClient}). */
export interface WorkerClient {
  /** Starts the worker (again, after a stop) unless it runs; resolves once its model is loaded. */
  start(): Promise<WorkerInfo>;
  /**
   * Queues one request: `build` makes it (with the buffers to transfer) at once, so that later
   * changes by the caller cannot leak in; it is posted when the requests before it are done.
   * Aborting `signal` rejects it with the signal's reason at once and, if it was running, stops
   * the worker (a running kernel cannot be interrupted); the next request starts a fresh one.
   */
  run<T>(
    where: string,
    build: (id: number, transfer: Transferable[]) => Request,
    signal: AbortSignal | undefined,
    onProgress?: OnProgress,
  ): Promise<T>;
  /** Stops the worker and rejects every pending request with `reason`. */
  stop(reason: unknown): void;
  /** Stops the worker for good: pending and later requests reject with `INVALID_ARGUMENT`. */
  close(): void;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress: OnProgress | undefined;
}

/**
 * The RPC between the page and the corrector's Web Worker: starts the worker with `makeWorker`,
 * sends `init` (the model and the backend options), matches replies to requests by id, runs
 * requests one at a time in order, and turns the worker's errors back into `MriError`s
 * (`errorFromWire`). When the backend cannot start while wasm threads were allowed, it starts a
 * fresh worker without them and reports why threads failed in `backend.threadsFailure`.
 */
export function createWorkerClient(options: {
  readonly where: string;
  readonly makeWorker: () => Worker;
  readonly model: ModelMessage;
  readonly backend: UseWebBackendOptions;
}): WorkerClient {
  const { where: WHERE, makeWorker, model } = options;
  let worker: Worker | undefined;
  let ready: Promise<WorkerInfo> | undefined;
  let closed = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let queue: Promise<unknown> = Promise.resolve();

  const stop = (reason: unknown) => {
    worker?.terminate();
    worker = undefined;
    ready = undefined;
    for (const p of pending.values()) p.reject(reason);
    pending.clear();
  };

  // After a threaded wasm start failed, every later worker starts without threads.
  let backend = options.backend;
  let threadsFailure: string | undefined;

  const startOnce = (): Promise<WorkerInfo> =>
    new Promise((resolve, reject) => {
      let w: Worker;
      try {
        w = makeWorker();
      } catch (cause) {
        reject(new MriError('INTERNAL', `${WHERE}: the worker could not be created`, { cause }));
        return;
      }
      worker = w;
      w.addEventListener('error', (event) => {
        event.preventDefault?.();
        if (w !== worker) return; // a worker already replaced or stopped
        const error = new MriError(
          'INTERNAL',
          `${WHERE}: the worker failed: ${(event as ErrorEvent).message || 'its script did not load'}`,
        );
        reject(error);
        stop(error);
      });
      w.addEventListener('message', (event: MessageEvent) => {
        if (w !== worker) return; // a worker already replaced or stopped
        const reply = event.data as Reply;
        if (reply.type === 'ready') resolve({ backend: reply.backend, model: reply.model });
        else if (reply.type === 'error' && reply.id === 'init') {
          if (reply.threadsMayBeTheCause === true && backend.wasmThreads !== false) {
            // Start a fresh worker without wasm threads; keep the failure to report it.
            w.terminate();
            if (worker === w) worker = undefined;
            threadsFailure = reply.error.message;
            backend = { ...backend, wasmThreads: false };
            startOnce().then(resolve, reject);
            return;
          }
          const error = errorFromWire(reply.error, WHERE);
          reject(error);
          stop(error);
        } else if (reply.type === 'progress') pending.get(reply.id)?.onProgress?.(reply);
        else if (reply.type === 'result' || reply.type === 'error') {
          const p = pending.get(reply.id as number);
          if (p === undefined) return;
          pending.delete(reply.id as number);
          if (reply.type === 'result') p.resolve(reply.value);
          else p.reject(errorFromWire(reply.error, WHERE));
        }
      });
      const init: Request = { type: 'init', model, backend };
      w.postMessage(init);
    });

  const start = (): Promise<WorkerInfo> => {
    ready ??= startOnce().then((info) =>
      threadsFailure === undefined || info.backend.backend !== 'wasm'
        ? info
        : { ...info, backend: { ...info.backend, threadsFailure } },
    );
    return ready;
  };

  const run = <T>(
    where: string,
    build: (id: number, transfer: Transferable[]) => Request,
    signal: AbortSignal | undefined,
    onProgress?: OnProgress,
  ): Promise<T> => {
    if (closed)
      return Promise.reject(terminatedError(where, 'must not be terminated', 'a terminated one'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = nextId++;
    const transfer: Transferable[] = [];
    // Copy (or detach) the input now, so later changes by the caller cannot leak in.
    const request = build(id, transfer);
    const job = queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (signal?.aborted) {
            reject(signal.reason);
            return;
          }
          const onAbort = () => stop(signal?.reason);
          signal?.addEventListener('abort', onAbort, { once: true });
          const done = () => signal?.removeEventListener('abort', onAbort);
          pending.set(id, {
            resolve: (v) => {
              done();
              resolve(v as T);
            },
            reject: (e) => {
              done();
              reject(e);
            },
            onProgress,
          });
          start().then(
            () => worker?.postMessage(request, transfer),
            (error) => {
              pending.delete(id);
              done();
              reject(error);
            },
          );
        }),
    );
    queue = job.catch(() => undefined);
    return job;
  };

  return {
    start,
    run,
    stop,
    close() {
      closed = true;
      stop(terminatedError(WHERE, 'was terminated', null));
    },
  };
}

/** The `INVALID_ARGUMENT` for a call on a terminated corrector, caught to reject calls with. */
function terminatedError(where: string, rule: string, got: string | null): unknown {
  try {
    return invalidArgument(where, 'corrector', rule, undefined, { got });
  } catch (error) {
    return error;
  }
}
