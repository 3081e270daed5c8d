import { errorMessage, invalidArgument, MriError, validateObject } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';
import { defaultWasmPaths, type WasmPaths } from './internal/wasm-paths.js';

/** The tfjs backends the browser binding can choose, fastest first. */
export type WebBackendName = 'webgpu' | 'webgl' | 'wasm';

/** The default order of {@link useWebBackend}. */
export const WEB_BACKENDS: readonly WebBackendName[] = Object.freeze(['webgpu', 'webgl', 'wasm']);

/** Options of {@link useWebBackend}. */
export interface UseWebBackendOptions {
  /**
   * Which backends to try. A name is tried first, then the rest in the default order
   * (`webgpu`, `webgl`, `wasm`); an array is the exact list, in order (`['wasm']`: wasm or
   * nothing). Default: the default order.
   */
  readonly prefer?: WebBackendName | readonly WebBackendName[];
  /**
   * Where the wasm backend finds its three binaries: a URL prefix ending in `/`, or a map from
   * file name (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`,
   * `tfjs-backend-wasm-threaded-simd.wasm`) to URL. Default: the copies shipped in this
   * package's `dist/wasm/`, which bundlers such as Vite emit as assets.
   */
  readonly wasmPaths?: WasmPaths;
  /**
   * Let the wasm backend use threads when the page is cross-origin isolated
   * (`Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`).
   * Default true.
   */
  readonly wasmThreads?: boolean;
}

/** One backend that was tried and refused, and why. */
export interface BackendAttempt {
  readonly backend: WebBackendName;
  readonly reason: string;
}

/** What {@link useWebBackend} chose. */
export interface WebBackendInfo {
  /** The backend in use (`tf.getBackend()`). */
  readonly backend: WebBackendName;
  /** The backends tried before it, and why each was refused. */
  readonly attempts: readonly BackendAttempt[];
  /** webgpu only: the adapter's vendor and architecture or description, when the browser says. */
  readonly adapter?: string;
  /** wasm only: whether the SIMD binary is used. */
  readonly simd?: boolean;
  /** wasm only: whether the threaded binary is used (needs cross-origin isolation). */
  readonly threads?: boolean;
  /**
   * wasm in `createWorkerCorrector` only: why the threaded wasm backend failed to start,
   * when it did and the worker was restarted without threads (`threads` is then false).
   */
  readonly threadsFailure?: string;
}

const WHERE = 'useWebBackend';

interface GpuLike {
  requestAdapter(): Promise<{ readonly info?: Record<string, unknown> } | null>;
}

function validatePrefer(value: unknown): readonly WebBackendName[] {
  if (value === undefined) return WEB_BACKENDS;
  const isName = (v: unknown): v is WebBackendName =>
    typeof v === 'string' && (WEB_BACKENDS as readonly string[]).includes(v);
  if (isName(value)) return [value, ...WEB_BACKENDS.filter((b) => b !== value)];
  if (!Array.isArray(value) || value.length === 0) {
    invalidArgument(
      WHERE,
      'options.prefer',
      `must be one of ${WEB_BACKENDS.join(', ')} or a non-empty array of them`,
      value,
    );
  }
  const list = value as unknown[];
  list.forEach((v, i) => {
    if (!isName(v))
      invalidArgument(
        WHERE,
        `options.prefer[${i}]`,
        `must be one of ${WEB_BACKENDS.join(', ')}`,
        v,
      );
    if (list.indexOf(v) !== i)
      invalidArgument(WHERE, `options.prefer[${i}]`, 'must not repeat a backend', v);
  });
  return list as WebBackendName[];
}

function validateWasmPaths(value: unknown): WasmPaths | undefined {
  if (value === undefined || typeof value === 'string') return value;
  const map = validateObject(WHERE, 'options.wasmPaths', value);
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string') invalidArgument(WHERE, `options.wasmPaths.${k}`, 'must be a URL', v);
  }
  return map as WasmPaths;
}

function describeAdapter(info: Record<string, unknown> | undefined): string | undefined {
  if (info === undefined) return undefined;
  const parts = ['vendor', 'architecture', 'description']
    .map((k) => info[k])
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

let gradients: Promise<unknown> | undefined;

async function activate(
  name: WebBackendName,
  wasmPaths: WasmPaths | undefined,
  wasmThreads: boolean,
): Promise<Omit<WebBackendInfo, 'attempts'>> {
  if (name === 'webgpu') {
    // A null adapter crashes the webgpu backend's initialisation: probe first.
    const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
    if (gpu === undefined) throw new Error('navigator.gpu is absent (no WebGPU in this browser)');
    const adapter = await gpu.requestAdapter();
    if (adapter === null) throw new Error('navigator.gpu.requestAdapter() returned null');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not initialise webgpu');
    const description = describeAdapter(adapter.info);
    return description === undefined ? { backend: name } : { backend: name, adapter: description };
  }
  if (name === 'webgl') {
    await import('@tensorflow/tfjs-backend-webgl');
    if (!(await tf.setBackend('webgl'))) throw new Error('tfjs could not create a WebGL context');
    return { backend: name };
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmPaths ?? defaultWasmPaths());
  if (!wasmThreads || globalThis.crossOriginIsolated !== true) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not load the wasm binary');
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return { backend: name, simd, threads };
}

/**
 * Chooses and initialises the fastest tfjs backend the browser offers: `webgpu` (after probing
 * `navigator.gpu.requestAdapter()`, since a null adapter crashes tfjs's initialisation), then
 * `webgl`, then `wasm` (SIMD when the browser has it; threads when the page is cross-origin
 * isolated). It also registers tfjs's gradients, which `@duncan-mri/core` needs to build a
 * model. Call it once, before any tensor is made, in the page or in a worker; backends load on
 * demand (dynamic imports), nothing is set up on import.
 *
 * @example
 * ```ts
 * const { backend, attempts } = await useWebBackend();            // 'webgpu' on a GPU
 * await useWebBackend({ prefer: 'wasm' });                        // wasm first, then webgpu, webgl
 * await useWebBackend({ prefer: ['webgl', 'wasm'], wasmPaths: '/static/tfjs/' });
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad option, `BACKEND_UNAVAILABLE` when no listed
 * backend works (the message names each one and why).
 */
export async function useWebBackend(options: UseWebBackendOptions = {}): Promise<WebBackendInfo> {
  const o = validateObject(WHERE, 'options', options, true);
  const order = validatePrefer(o.prefer);
  const wasmPaths = validateWasmPaths(o.wasmPaths);
  const wasmThreads = o.wasmThreads ?? true;
  if (typeof wasmThreads !== 'boolean')
    invalidArgument(WHERE, 'options.wasmThreads', 'must be a boolean', wasmThreads);
  gradients ??= import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  await gradients;
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const info = await activate(name, wasmPaths, wasmThreads);
      await tf.ready();
      if (tf.getBackend() !== name) throw new Error(`tfjs runs ${tf.getBackend()} instead`);
      return { ...info, attempts };
    } catch (error) {
      attempts.push({ backend: name, reason: errorMessage(error) });
    }
  }
  throw new MriError(
    'BACKEND_UNAVAILABLE',
    `${WHERE}: no tfjs backend works here, tried ${attempts.map((a) => `${a.backend} (${a.reason})`).join(', ')}`,
  );
}
