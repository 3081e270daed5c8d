import { isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { createWorkerCorrector } from './create-worker-corrector.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (e) {
    return isMriError(e) ? `${e.code} ${e.argument}` : String(e);
  }
  return undefined;
}

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
    expect(await codeOf(createWorkerCorrector(model as never, options as never))).toBe(expected);
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
    expect(await codeOf(result)).toBe('INTERNAL undefined');
  });
});
