import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectMriError } from '../test/helpers.js';
import { installedNodeBackends, NODE_BACKENDS, useNodeBackend } from './use-node-backend.js';

describe('useNodeBackend', () => {
  it('falls back to wasm where tfjs-node is not installed, and names what it tried', async () => {
    const info = await useNodeBackend({ env: {} });
    expect(info.backend).toBe('wasm');
    expect(info.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.source).toBe('default');
    expect(info.tried.map((t) => t.backend)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'wasm']);
    expect(info.tried.slice(0, 2).every((t) => !t.ok && t.reason === 'not installed')).toBe(true);
    expect(info.description).toMatch(
      /^wasm \(.*tried tfjs-node-gpu: not installed, tfjs-node: not installed/,
    );
    // The same options give the same (cached) answer.
    expect(await useNodeBackend({ env: {} })).toBe(info);
  });

  it('prefers what it is asked to, keeping the others as fallbacks', async () => {
    const info = await useNodeBackend({ prefer: 'cpu', env: {} });
    expect(info.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.source).toBe('prefer');
    const fallback = await useNodeBackend({ prefer: ['tfjs-node', 'wasm'], env: {} });
    expect(fallback.backend).toBe('wasm');
    expect(fallback.tried.map((t) => t.backend)).toEqual(['tfjs-node', 'wasm']);
  });

  it('lets DUNCAN_BACKEND override, strictly', async () => {
    const cpu = await useNodeBackend({ prefer: 'wasm', env: { DUNCAN_BACKEND: 'cpu' } });
    expect(cpu.backend).toBe('cpu');
    expect(cpu.source).toBe('DUNCAN_BACKEND');
    const e = await expectMriError(
      () => useNodeBackend({ env: { DUNCAN_BACKEND: 'tfjs-node' } }),
      {},
    );
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.message).toMatch(/tried tfjs-node \(not installed\)/);
    const both = await expectMriError(
      () => useNodeBackend({ env: { DUNCAN_BACKEND: 'tfjs-node-gpu,tfjs-node' } }),
      {},
    );
    expect(both.message).toMatch(/tfjs-node-gpu \(not installed\), tfjs-node \(not installed\)/);
    await useNodeBackend({ env: {} }); // back to wasm for the other tests
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects unknown names with INVALID_ARGUMENT', async () => {
    for (const env of [{ DUNCAN_BACKEND: 'webgl' }, { DUNCAN_BACKEND: 'wasm,gpu' }]) {
      expect((await expectMriError(() => useNodeBackend({ env }), {})).code).toBe(
        'INVALID_ARGUMENT',
      );
    }
    expect(
      (await expectMriError(() => useNodeBackend({ prefer: 'tensorflow' as never, env: {} }), {}))
        .code,
    ).toBe('INVALID_ARGUMENT');
    expect((await expectMriError(() => useNodeBackend({ prefer: [], env: {} }), {})).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await expectMriError(() => useNodeBackend(null as never), {})).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(NODE_BACKENDS).toEqual(['onnxruntime', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
  });

  it('lists the installed backends in the order correction tries them, loading none', async () => {
    const list = installedNodeBackends();
    expect(list.map((b) => b.backend)).toEqual([...NODE_BACKENDS]);
    const require = createRequire(import.meta.url);
    const wasm = require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string };
    expect(list.find((b) => b.backend === 'wasm')).toEqual({
      backend: 'wasm',
      installed: true,
      version: wasm.version,
    });
    expect(list.find((b) => b.backend === 'cpu')).toEqual({ backend: 'cpu', installed: true });
    // tfjs-node is not installed here (see the first test).
    expect(list.find((b) => b.backend === 'tfjs-node')).toEqual({
      backend: 'tfjs-node',
      installed: false,
    });
    expect(
      (await expectMriError(() => useNodeBackend({ correctionOnly: 'yes' as never, env: {} }), {}))
        .code,
    ).toBe('INVALID_ARGUMENT');
  });
});
