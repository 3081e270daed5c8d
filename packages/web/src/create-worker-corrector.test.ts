import { codeAndArgumentOf } from '@duncan-mri/test-helpers';
import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { createWorkerCorrector } from './create-worker-corrector.js';

// Workers are tested in Chromium (test/browser.test.ts); Node checks the boundary only.
describe('createWorkerCorrector (argument checks)', () => {
  it.each([
    [42, undefined, 'INVALID_ARGUMENT model'],
    [{ manifest: {}, weights: 'x' }, undefined, 'INVALID_ARGUMENT model'],
    ['http://[bad', undefined, 'INVALID_ARGUMENT model'],
    ['http://127.0.0.1/m/', { cache: 1 }, 'INVALID_ARGUMENT options.cache'],
    ['http://127.0.0.1/m/', { version: '' }, 'INVALID_ARGUMENT options.version'],
    [
      'http://127.0.0.1/m/',
      { allowCrossOrigin: 'no' },
      'INVALID_ARGUMENT options.allowCrossOrigin',
    ],
    ['http://127.0.0.1/m/', { worker: 'worker.js' }, 'INVALID_ARGUMENT options.worker'],
    ['http://127.0.0.1/m/', { signal: {} }, 'INVALID_ARGUMENT options.signal'],
    ['http://127.0.0.1/m/', { backend: 'webgpu' }, 'INVALID_ARGUMENT options.backend'],
    [
      'http://127.0.0.1/m/',
      { backend: { wasmPaths: 3 } },
      'INVALID_ARGUMENT options.backend.wasmPaths',
    ],
  ])('refuses model %j with options %j', async (model, options, expected) => {
    expect(await codeAndArgumentOf(createWorkerCorrector(model as never, options as never))).toBe(
      expected,
    );
  });

  it('rejects with the reason of an already aborted signal, starting nothing', async () => {
    let started = 0;
    const controller = new AbortController();
    controller.abort();
    const result = createWorkerCorrector('http://127.0.0.1/m/', {
      signal: controller.signal,
      worker: () => {
        started++;
        throw new Error('unreachable');
      },
    });
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    expect(started).toBe(0);
  });

  it('reports a worker that cannot be created as INTERNAL', async () => {
    const result = createWorkerCorrector('http://127.0.0.1/m/', {
      worker: () => {
        throw new Error('no workers here');
      },
    });
    expect(await codeAndArgumentOf(result)).toBe('INTERNAL undefined');
  });
});

/**
 * A stand-in for a Worker that answers `init` as `answer` says: the real worker's protocol, no
 * backend behind it. Records the backend options of every init and whether it was terminated.
 */
class ScriptedWorker extends EventTarget {
  terminated = false;
  constructor(
    private readonly inits: unknown[],
    private readonly answer: (backend: { wasmThreads?: boolean }) => unknown,
  ) {
    super();
  }
  postMessage(message: { type: string; backend: { wasmThreads?: boolean } }): void {
    if (message.type !== 'init') return;
    this.inits.push(message.backend);
    const data = this.answer(message.backend);
    queueMicrotask(() => this.dispatchEvent(new MessageEvent('message', { data })));
  }
  terminate(): void {
    this.terminated = true;
  }
}

const MODEL_INFO = {
  config: { channels: 4, residualBlocks: 1 },
  seed: 1,
  step: 0,
  parameterCount: 10,
  fromCache: false,
  version: undefined,
};
const THREAD_FAILURE = {
  type: 'error',
  id: 'init',
  error: { message: 'an uncaught error in the worker: Uncaught ReferenceError: e is not defined' },
  threadsMayBeTheCause: true,
};
const WASM_READY = {
  type: 'ready',
  backend: { backend: 'wasm', attempts: [], simd: true, threads: false },
  model: MODEL_INFO,
};

describe('createWorkerCorrector (a threaded wasm start that fails)', () => {
  it('starts a fresh worker without threads and says why threads failed', async () => {
    const inits: unknown[] = [];
    const workers: ScriptedWorker[] = [];
    const corrector = await createWorkerCorrector('http://127.0.0.1/m/', {
      backend: { prefer: 'wasm' },
      worker: () => {
        const w = new ScriptedWorker(inits, (b) =>
          b.wasmThreads === false ? WASM_READY : THREAD_FAILURE,
        );
        workers.push(w);
        return w as unknown as Worker;
      },
    });
    expect(inits).toMatchObject([{ prefer: 'wasm' }, { prefer: 'wasm', wasmThreads: false }]);
    expect(workers.map((w) => w.terminated)).toEqual([true, false]);
    expect(corrector.backend).toMatchObject({ backend: 'wasm', threads: false });
    expect(corrector.backend.threadsFailure).toMatch(/ReferenceError: e is not defined/);
    corrector.terminate();
  });

  it('does not retry a failure that threads cannot have caused, and reports its message', async () => {
    const inits: unknown[] = [];
    const result = createWorkerCorrector('http://127.0.0.1/m/', {
      worker: () =>
        new ScriptedWorker(inits, () => ({
          ...THREAD_FAILURE,
          error: { message: 'fetchCheckpoint: HTTP 404 for manifest.json' },
          threadsMayBeTheCause: false,
        })) as unknown as Worker,
    });
    await expect(result).rejects.toThrow(/HTTP 404 for manifest\.json/);
    expect(inits).toHaveLength(1);
  });

  it('retries once only: a failure without threads is reported', async () => {
    const inits: unknown[] = [];
    const result = createWorkerCorrector('http://127.0.0.1/m/', {
      worker: () => new ScriptedWorker(inits, () => THREAD_FAILURE) as unknown as Worker,
    });
    await expect(result).rejects.toThrow(/ReferenceError: e is not defined/);
    expect(inits).toHaveLength(2);
  });
});

/** A worker that loads at once and answers every correct request with its own volume. */
class EchoWorker extends EventTarget {
  readonly requests: { type: string; options?: unknown }[] = [];
  terminated = false;
  postMessage(message: { type: string; id: number; volume: unknown; options?: unknown }): void {
    this.requests.push(message);
    const data =
      message.type === 'init'
        ? WASM_READY
        : {
            type: 'result',
            id: message.id,
            value: { corrected: message.volume, artefactMap: message.volume },
          };
    queueMicrotask(() => this.dispatchEvent(new MessageEvent('message', { data })));
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('WorkerCorrector (the Corrector of @duncan-mri/core)', () => {
  const volume = createVolume({ data: new Float32Array(64), shape: [8, 8, 1] });

  it("has the model's config, sends nonFinite to the worker, and refuses another policy", async () => {
    const worker = new EchoWorker();
    const corrector = await createWorkerCorrector('http://127.0.0.1/m/', {
      worker: () => worker as unknown as Worker,
    });
    expect(corrector.config).toEqual(MODEL_INFO.config);
    const { corrected } = await corrector.correct(volume, { nonFinite: 'zero-and-restore' });
    expect(corrected.shape).toEqual([8, 8, 1]);
    expect(worker.requests.at(-1)).toMatchObject({
      type: 'correct',
      options: { axis: 2, batchSize: 1, nonFinite: 'zero-and-restore' },
    });
    expect(await codeAndArgumentOf(corrector.correct(volume, { nonFinite: 'zero' as never }))).toBe(
      'INVALID_ARGUMENT options.nonFinite',
    );
    await corrector.close();
  });

  it('sends flips (mirror averaging, on by default) to the worker, and refuses a non-boolean', async () => {
    const worker = new EchoWorker();
    const corrector = await createWorkerCorrector('http://127.0.0.1/m/', {
      worker: () => worker as unknown as Worker,
    });
    await corrector.correct(volume);
    expect(worker.requests.at(-1)).toMatchObject({ type: 'correct', options: { flips: true } });
    await corrector.correct(volume, { flips: false });
    expect(worker.requests.at(-1)).toMatchObject({ type: 'correct', options: { flips: false } });
    const sent = worker.requests.length;
    expect(await codeAndArgumentOf(corrector.correct(volume, { flips: 'no' as never }))).toBe(
      'INVALID_ARGUMENT options.flips',
    );
    expect(worker.requests.length).toBe(sent); // refused before anything was sent
    await corrector.close();
  });

  it('sends shrinkage (residual shrinkage) to the worker when given, and refuses a bad one', async () => {
    const worker = new EchoWorker();
    const corrector = await createWorkerCorrector('http://127.0.0.1/m/', {
      worker: () => worker as unknown as Worker,
    });
    // Not given: the worker's core correct applies its own default (DEFAULT_SHRINKAGE).
    await corrector.correct(volume);
    expect(worker.requests.at(-1)).toMatchObject({ type: 'correct' });
    expect(worker.requests.at(-1)!.options).not.toHaveProperty('shrinkage');
    for (const shrinkage of [0, 2.5]) {
      await corrector.correct(volume, { shrinkage });
      expect(worker.requests.at(-1)).toMatchObject({ type: 'correct', options: { shrinkage } });
    }
    const sent = worker.requests.length;
    for (const shrinkage of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      expect(await codeAndArgumentOf(corrector.correct(volume, { shrinkage } as never))).toBe(
        'INVALID_ARGUMENT options.shrinkage',
      );
    }
    expect(worker.requests.length).toBe(sent); // refused before anything was sent
    await corrector.close();
  });

  it('close() stops the worker; terminate() is its deprecated alias', async () => {
    for (const stop of ['close', 'terminate'] as const) {
      const worker = new EchoWorker();
      const corrector = await createWorkerCorrector('http://127.0.0.1/m/', {
        worker: () => worker as unknown as Worker,
      });
      await corrector.correct(volume);
      await corrector[stop]();
      expect([stop, worker.terminated]).toEqual([stop, true]);
      expect(await codeAndArgumentOf(corrector.correct(volume))).toBe('INVALID_ARGUMENT corrector');
      await corrector.close(); // a second close does nothing
    }
  });
});
