import { createRequire } from 'node:module';
import { describeValue, MriError } from '@duncan-mri/volume';
import { importBackend, loadTfjs, type Tf } from './internal/tfjs.js';

/** The backends {@link useNodeBackend} knows, fastest first. */
export type NodeBackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

/** Every {@link NodeBackendName}, in the order {@link useNodeBackend} tries them. */
export const NODE_BACKENDS: readonly NodeBackendName[] = Object.freeze([
  'tfjs-node-gpu',
  'tfjs-node',
  'wasm',
  'cpu',
]);

/** One backend {@link useNodeBackend} tried: whether it worked and, if not, why. */
export interface BackendAttempt {
  readonly backend: NodeBackendName;
  readonly ok: boolean;
  /** Why it did not work (absent when it did). */
  readonly reason?: string;
}

/** What {@link useNodeBackend} chose, and what it tried on the way. */
export interface NodeBackendInfo {
  /** The backend in use. */
  readonly backend: NodeBackendName;
  /** tfjs's own name of it (`tensorflow` for both tfjs-node builds). */
  readonly tfBackend: string;
  /** What set the order: the default, the `prefer` option, or the `DUNCAN_BACKEND` variable. */
  readonly source: 'default' | 'prefer' | 'DUNCAN_BACKEND';
  /** Every backend tried, in order; the last one is the one in use. */
  readonly tried: readonly BackendAttempt[];
  /** One line for people, e.g. `wasm (SIMD; tried tfjs-node-gpu: not installed, ...)`. */
  readonly description: string;
}

/** Options of {@link useNodeBackend}. */
export interface UseNodeBackendOptions {
  /**
   * A backend (or an ordered list) to try before the default order
   * `tfjs-node-gpu > tfjs-node > wasm > cpu`; the others remain as fallbacks.
   */
  readonly prefer?: NodeBackendName | readonly NodeBackendName[];
  /**
   * The environment to read `DUNCAN_BACKEND` from (default `process.env`). `DUNCAN_BACKEND`
   * (one name, or a comma-separated list) overrides everything: only those backends are tried.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const WHERE = 'useNodeBackend';

const PACKAGES: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

function parseNames(argument: string, value: unknown): NodeBackendName[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${WHERE}: ${argument} must be one of ${NODE_BACKENDS.join(', ')} (or a list of them), got ${describeValue(value)}`,
      { argument },
    );
  }
  for (const name of list) {
    if (!(NODE_BACKENDS as readonly unknown[]).includes(name)) {
      throw new MriError(
        'INVALID_ARGUMENT',
        `${WHERE}: ${argument} must name backends among ${NODE_BACKENDS.join(', ')}, got ${describeValue(name)}`,
        { argument },
      );
    }
  }
  return [...new Set(list as NodeBackendName[])];
}

/** Whether a package can be found from here (without loading it). */
function installed(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  const message = error instanceof Error ? error.message : String(error);
  return `failed to load (${message.split('\n')[0]})`;
}

async function attempt(tf: Tf, name: NodeBackendName): Promise<BackendAttempt> {
  try {
    if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
      const specifier = PACKAGES[name];
      if (!installed(specifier)) return { backend: name, ok: false, reason: 'not installed' };
      try {
        await import(specifier);
      } catch (error) {
        return { backend: name, ok: false, reason: reasonOf(error) };
      }
      if (tf.findBackendFactory('tensorflow') === null) {
        return { backend: name, ok: false, reason: 'loaded but registered no tensorflow backend' };
      }
      const ok = await tf.setBackend('tensorflow');
      return ok
        ? { backend: name, ok: true }
        : { backend: name, ok: false, reason: 'its native library did not initialise' };
    }
    if (name === 'wasm') {
      try {
        await importBackend('wasm');
      } catch (error) {
        return { backend: name, ok: false, reason: reasonOf(error) };
      }
      const ok = await tf.setBackend('wasm');
      return ok
        ? { backend: name, ok: true }
        : { backend: name, ok: false, reason: 'the WebAssembly module did not initialise' };
    }
    await importBackend('cpu');
    const ok = await tf.setBackend('cpu');
    return ok
      ? { backend: name, ok: true }
      : { backend: name, ok: false, reason: 'did not initialise' };
  } catch (error) {
    return { backend: name, ok: false, reason: reasonOf(error) };
  }
}

let current: Promise<NodeBackendInfo> | undefined;
let currentKey: string | undefined;

/**
 * Picks the fastest TensorFlow.js backend that works in this Node process, makes it the active
 * one, and reports what it chose and what it tried. Order: `tfjs-node-gpu` (libtensorflow with
 * CUDA 11.2 + cuDNN 8.1) > `tfjs-node` (libtensorflow on the CPU, all cores) >
 * `wasm` (`@tensorflow/tfjs-backend-wasm`, a dependency: SIMD, one thread per worker) > `cpu`
 * (plain JavaScript). The two tfjs-node builds are optional peer dependencies, tried only when
 * installed. Call it, and await it, before any tensor is made; later calls with the same
 * options return the same answer.
 *
 * @example
 * ```ts
 * const { backend, description } = await useNodeBackend();
 * console.error(`backend: ${description}`); // wasm (tried tfjs-node-gpu: not installed, ...)
 * await useNodeBackend({ prefer: 'cpu' });  // cpu first, then the usual order
 * // DUNCAN_BACKEND=wasm node app.js           -> only wasm is tried
 * ```
 * @throws MriError `INVALID_ARGUMENT` for an unknown backend name, `BACKEND_UNAVAILABLE`
 * (naming every backend tried and why it failed) when none works.
 */
export function useNodeBackend(options: UseNodeBackendOptions = {}): Promise<NodeBackendInfo> {
  try {
    return start(options);
  } catch (error) {
    return Promise.reject(error);
  }
}

function start(options: UseNodeBackendOptions): Promise<NodeBackendInfo> {
  if (typeof options !== 'object' || options === null) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${WHERE}: options must be an object, got ${describeValue(options)}`,
      {
        argument: 'options',
      },
    );
  }
  const env = options.env ?? process.env;
  const fromEnv = env.DUNCAN_BACKEND?.trim();
  let order: NodeBackendName[];
  let source: NodeBackendInfo['source'];
  if (fromEnv) {
    order = parseNames('DUNCAN_BACKEND', fromEnv);
    source = 'DUNCAN_BACKEND';
  } else if (options.prefer !== undefined) {
    const first = parseNames('options.prefer', options.prefer);
    order = [...first, ...NODE_BACKENDS.filter((b) => !first.includes(b))];
    source = 'prefer';
  } else {
    order = [...NODE_BACKENDS];
    source = 'default';
  }
  const key = `${source}:${order.join(',')}`;
  if (current !== undefined && currentKey === key) return current;
  currentKey = key;
  current = choose(order, source);
  current.catch(() => {
    currentKey = undefined;
  });
  return current;
}

async function choose(
  order: NodeBackendName[],
  source: NodeBackendInfo['source'],
): Promise<NodeBackendInfo> {
  const tf = await loadTfjs();
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const result = await attempt(tf, name);
    tried.push(result);
    if (!result.ok) continue;
    await tf.ready();
    const failed = tried.filter((t) => !t.ok).map((t) => `${t.backend}: ${t.reason}`);
    let detail = '';
    if (name === 'wasm') {
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      detail = simd ? 'SIMD, 1 thread' : 'no SIMD, 1 thread';
    }
    const parts = [detail, failed.length > 0 ? `tried ${failed.join(', ')}` : ''].filter(Boolean);
    return Object.freeze({
      backend: name,
      tfBackend: tf.getBackend(),
      source,
      tried: Object.freeze(tried),
      description: parts.length > 0 ? `${name} (${parts.join('; ')})` : name,
    });
  }
  throw new MriError(
    'BACKEND_UNAVAILABLE',
    `${WHERE}: no TensorFlow.js backend works here; tried ${tried.map((t) => `${t.backend} (${t.reason})`).join(', ')}${source === 'DUNCAN_BACKEND' ? ' as DUNCAN_BACKEND asked' : ''}`,
    { argument: source === 'DUNCAN_BACKEND' ? 'DUNCAN_BACKEND' : 'backend' },
  );
}
