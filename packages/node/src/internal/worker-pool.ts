import { Worker } from 'node:worker_threads';
import type { ModelConfig } from '@duncan-mri/core';
import { errorFromWire, invalidArgument, MriError } from '@duncan-mri/volume';
import type { CorrectJob, FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';
import { correctWorkerUrl } from './worker-url.js';

interface Slot {
  readonly worker: Worker;
  /** Set once the worker has exited: its slot starts a new worker before the next job. */
  dead: boolean;
  /** Fails the job in flight (a crash or exit while it runs). */
  fail: ((error: Error) => void) | undefined;
}

/**
 * Correction workers, one per slot, each with its own backend and copy of the model. A worker
 * that dies (exits, throws outside a job, or fails inside the wasm module, which leaves the
 * module unusable) is dropped: the job it ran rejects with an MriError and the slot starts a new
 * worker for the next job, so one failure never poisons the pool.
 */
export class WorkerPool {
  private readonly slots: (Promise<Slot> | undefined)[];
  private closed = false;

  private constructor(
    private readonly where: string,
    private readonly init: WorkerInit,
    size: number,
  ) {
    this.slots = new Array(size).fill(undefined);
  }

  /**
   * Starts `size` workers and waits until each has loaded the model; resolves to the pool and the
   * model configuration the workers resolved. A worker that fails to start (a bad checkpoint)
   * stops the others and rejects with its error.
   */
  static async start(
    where: string,
    init: WorkerInit,
    size: number,
  ): Promise<{ pool: WorkerPool; config: ModelConfig | undefined }> {
    const pool = new WorkerPool(where, init, size);
    let config: ModelConfig | undefined;
    const started = await Promise.allSettled(
      pool.slots.map((_, i) => {
        const slot = pool.startSlot((c) => {
          config ??= c;
        });
        pool.slots[i] = slot;
        return slot;
      }),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      await pool.close();
      throw failed.reason;
    }
    return { pool, config };
  }

  /** Workers in the pool. */
  get size(): number {
    return this.slots.length;
  }

  /** The live worker threads (for tests). */
  async threads(): Promise<Worker[]> {
    const slots = await Promise.allSettled(this.slots.filter((s) => s !== undefined));
    return slots.flatMap((s) =>
      s.status === 'fulfilled' && !s.value.dead ? [s.value.worker] : [],
    );
  }

  /** Runs one job on the worker of slot `index`, starting a new worker first if the last died. */
  async run(index: number, job: CorrectJob): Promise<Float32Array> {
    if (this.closed)
      invalidArgument(this.where, 'the corrector', 'is closed', undefined, {
        got: null,
        argument: 'corrector',
      });
    let pending = this.slots[index];
    if (pending === undefined) {
      pending = this.startSlot();
      this.slots[index] = pending;
    }
    let slot: Slot;
    try {
      slot = await pending;
    } catch (error) {
      if (this.slots[index] === pending) this.slots[index] = undefined;
      throw error;
    }
    if (slot.dead) {
      // It died between jobs: start its successor now.
      pending = this.startSlot();
      this.slots[index] = pending;
      slot = await pending;
    }
    try {
      return await this.send(slot, job);
    } catch (error) {
      if (slot.dead && this.slots[index] === pending) this.slots[index] = undefined;
      throw error;
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = await Promise.allSettled(this.slots.filter((s) => s !== undefined));
    await Promise.all(
      slots.map(async (s) => {
        if (s.status !== 'fulfilled' || s.value.dead) return;
        s.value.worker.postMessage({ type: 'close' } satisfies ToWorker);
        await s.value.worker.terminate();
      }),
    );
  }

  private async startSlot(onConfig?: (config: ModelConfig) => void): Promise<Slot> {
    const worker = new Worker(correctWorkerUrl(), { workerData: this.init });
    const slot: Slot = { worker, dead: false, fail: undefined };
    const where = this.where;
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') {
          onConfig?.(m.config);
          cleanup();
          resolve();
        } else if (m.type === 'error') {
          cleanup();
          void worker.terminate();
          reject(errorFromWire(m.error, where, 'a correction worker'));
        }
      };
      const onError = (error: Error) => {
        cleanup();
        reject(
          new MriError(
            'INTERNAL',
            `${where}: a correction worker did not start: ${error.message}`,
            {
              cause: error,
            },
          ),
        );
      };
      const onExit = (code: number) => {
        cleanup();
        reject(
          new MriError(
            'INTERNAL',
            `${where}: a correction worker exited with code ${code} while starting`,
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
    worker.on('error', (error) => {
      slot.dead = true;
      slot.fail?.(error);
      void worker.terminate();
    });
    worker.on('exit', (code) => {
      slot.dead = true;
      slot.fail?.(new Error(`it exited with code ${code}`));
    });
    worker.unref();
    return slot;
  }

  private send(slot: Slot, job: CorrectJob): Promise<Float32Array> {
    const { worker } = slot;
    const where = this.where;
    const count = job.shape[job.options.axis];
    const slices = `slices ${job.start}-${job.start + count - 1}`;
    worker.ref();
    return new Promise<Float32Array>((resolve, reject) => {
      const finish = () => {
        worker.off('message', onMessage);
        slot.fail = undefined;
        worker.unref();
      };
      const onMessage = (m: FromWorker) => {
        if (m.type === 'result' && m.id === job.id) {
          finish();
          resolve(m.corrected);
        } else if (m.type === 'error' && (m.id === job.id || m.id === undefined)) {
          finish();
          if (m.error.code !== undefined) {
            reject(errorFromWire(m.error, where, 'a correction worker'));
            return;
          }
          // Anything else (wasm's `Aborted()` when its heap cannot grow) leaves the worker's
          // module unusable: drop the worker, so that the next job gets a new one.
          slot.dead = true;
          void worker.terminate();
          const memory = /abort|memory|allocat/i.test(m.error.message);
          reject(
            new MriError(
              memory ? 'LIMIT_EXCEEDED' : 'INTERNAL',
              `${where}: a correction worker failed on ${slices} (${count} slices of ${describeSlice(job)} in one batch)${memory ? ', out of memory; a smaller batchSize needs less' : ''}: ${m.error.message}. The worker was replaced`,
            ),
          );
        }
      };
      slot.fail = (error: Error) => {
        finish();
        reject(
          new MriError(
            'INTERNAL',
            `${where}: a correction worker stopped on ${slices} (${error.message}); it was replaced`,
            { cause: error },
          ),
        );
      };
      worker.on('message', onMessage);
      worker.postMessage(job, [job.data.buffer as ArrayBuffer]);
    });
  }
}

function describeSlice(job: CorrectJob): string {
  return job.shape.filter((_, i) => i !== job.options.axis).join('x');
}
