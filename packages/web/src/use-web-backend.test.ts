import { codeAndArgumentOf } from '@duncan-mri/test-helpers';
import { isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { useWebBackend, WEB_BACKENDS } from './use-web-backend.js';

// The real choice is tested in Chromium (test/browser.test.ts); Node checks the boundary only.
describe('useWebBackend (argument checks)', () => {
  it('lists webgpu, webgl, wasm in order', () => {
    expect(WEB_BACKENDS).toEqual(['webgpu', 'webgl', 'wasm']);
  });

  it.each([
    [{ prefer: 'cuda' }, 'INVALID_ARGUMENT options.prefer'],
    [{ prefer: [] }, 'INVALID_ARGUMENT options.prefer'],
    [{ prefer: ['wasm', 'tpu'] }, 'INVALID_ARGUMENT options.prefer[1]'],
    [{ prefer: ['wasm', 'wasm'] }, 'INVALID_ARGUMENT options.prefer[1]'],
    [{ wasmPaths: 3 }, 'INVALID_ARGUMENT options.wasmPaths'],
    [
      { wasmPaths: { 'tfjs-backend-wasm.wasm': 1 } },
      'INVALID_ARGUMENT options.wasmPaths.tfjs-backend-wasm.wasm',
    ],
    [{ wasmThreads: 'yes' }, 'INVALID_ARGUMENT options.wasmThreads'],
    [null, 'INVALID_ARGUMENT options'],
  ])('refuses %j', async (options, expected) => {
    expect(await codeAndArgumentOf(useWebBackend(options as never))).toBe(expected);
  });

  it('says BACKEND_UNAVAILABLE, naming why, where no listed backend works (webgpu in Node)', async () => {
    try {
      await useWebBackend({ prefer: ['webgpu'] });
      expect.unreachable();
    } catch (e) {
      expect(isMriError(e) && e.code).toBe('BACKEND_UNAVAILABLE');
      expect((e as Error).message).toMatch(
        /^useWebBackend: no tfjs backend works here, tried webgpu \(navigator\.gpu is absent/,
      );
    }
  });
});
