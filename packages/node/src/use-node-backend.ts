import { createRequire } from 'node:module';
import { invalidArgument, MriError, validateBoolean } from '@duncan-mri/volume';
import { ONNXRUNTIME_PACKAGE, onnxThreads } from './internal/onnxruntime-package.js';
import { importBackend, loadTfjs, type Tf } from './internal/tfjs.js';

/** The backends {@link useNodeBackend} knows, fastest first. */
export type NodeBackendName = 'onnxruntime' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

/**
 * Every {@link NodeBackendName}, in the order {@link useNodeBackend} tries them. `onnxruntime`
 * runs the corrector network only, so it is tried only for correction (`correctionOnly`).
 */
export const NODE_BACKENDS: readonly NodeBackendName[] = Object.freeze([
  'onnxruntime',
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
  /**
   * tfjs's own name of it (`tensorflow` for both tfjs-node builds); `none` for `onnxruntime`,
   * which runs without tfjs.
   */
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
   * `onnxruntime > tfjs-node-gpu > tfjs-node > wasm > cpu`; the others remain as fallbacks.
   */
  readonly prefer?: NodeBackendName | readonly NodeBackendName[];
  /**
   * The caller only corrects volumes (`createCorrector` says so), so `onnxruntime`, which runs
   * the corrector network and nothing else, may be chosen. Default false: only tfjs backends are
   * tried (what training and any other tensor code need), and `onnxruntime` is passed over.
   */
  readonly correctionOnly?: boolean;
  /**
   * The environment to read `DUNCAN_BACKEND` from (default `process.env`). `DUNCAN_BACKEND`
   * (one name, or a comma-separated list) overrides everything: only those backends are tried.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const WHERE = 'useNodeBackend';

const PACKAGES: Record<'onnxruntime' | 'tfjs-node-gpu' | 'tfjs-node', string> = {
  onnxruntime: ONNXRUNTIME_PACKAGE,
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

function parseNames(argument: string, value: unknown): NodeBackendName[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) {
    invalidArgument(
      WHERE,
      argument,
      `must be one of ${NODE_BACKENDS.join(', ')} (or a list of them)`,
      value,
    );
  }
  for (const name of list) {
    if (!(NODE_BACKENDS as readonly unknown[]).includes(name)) {
      invalidArgument(
        WHERE,
        argument,
        `must name backends among ${NODE_BACKENDS.join(', ')}`,
        name,
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

/**
 * Loads onnxruntime-node (its native library loads with it); `version` is its own. Nothing is
 * set up: createCorrector opens the session on the model.
 */
async function attemptOnnx(
  correctionOnly: boolean,
): Promise<BackendAttempt & { readonly version?: string }> {
  const backend = 'onnxruntime';
  if (!correctionOnly)
    return { backend, ok: false, reason: 'runs the corrector only, not training or tensor code' };
  if (!installed(PACKAGES.onnxruntime)) return { backend, ok: false, reason: 'not installed' };
  try {
    const ort = await import(PACKAGES.onnxruntime);
    if (typeof ort.InferenceSession?.create !== 'function')
      return { backend, ok: false, reason: 'loaded but has no InferenceSession' };
    const version = ort.env?.versions?.node;
    return { backend, ok: true, ...(typeof version === 'string' ? { version } : {}) };
  } catch (error) {
    return { backend, ok: false, reason: reasonOf(error) };
  }
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

/** Whether a backend is installed here, and its package's version (see {@link installedNodeBackends}). */
export interface InstalledNodeBackend {
  readonly backend: NodeBackendName;
  readonly installed: boolean;
  /** The version of the package that provides it (absent for `cpu`, or when not installed). */
  readonly version?: string;
}

/**
 * Which backends are installed, in the order correction tries them, without loading any (what
 * `duncan info` reports). `wasm` and `cpu` come with the package; the others are optional peer
 * dependencies.
 *
 * @example
 * ```ts
 * installedNodeBackends().filter((b) => b.installed).map((b) => b.backend); // ['wasm', 'cpu']
 * ```
 */
export function installedNodeBackends(): readonly InstalledNodeBackend[] {
  const require = createRequire(import.meta.url);
  const versionOf = (specifier: string): string | undefined => {
    try {
      const manifest = require(`${specifier}/package.json`) as { version?: unknown };
      return typeof manifest.version === 'string' ? manifest.version : undefined;
    } catch {
      return undefined;
    }
  };
  return Object.freeze(
    NODE_BACKENDS.map((backend): InstalledNodeBackend => {
      if (backend === 'cpu') return Object.freeze({ backend, installed: true });
      const specifier = backend === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : PACKAGES[backend];
      const version = installed(specifier) ? (versionOf(specifier) ?? '') : undefined;
      return Object.freeze({
        backend,
        installed: version !== undefined,
        ...(version ? { version } : {}),
      });
    }),
  );
}

let current: Promise<NodeBackendInfo> | undefined;
let currentKey: string | undefined;

/**
 * Picks the fastest backend that works in this Node process, makes it the active one, and
 * reports what it chose and what it tried. Order: `onnxruntime` (ONNX Runtime's CPU kernels on
 * all cores; for correction only, see `correctionOnly`) > `tfjs-node-gpu` (libtensorflow with
 * CUDA 11.2 + cuDNN 8.1) > `tfjs-node` (libtensorflow on the CPU, all cores) >
 * `wasm` (`@tensorflow/tfjs-backend-wasm`, a dependency: SIMD, one thread per worker) > `cpu`
 * (plain JavaScript). onnxruntime-node and the two tfjs-node builds are optional peer
 * dependencies, tried only when installed. `onnxruntime` sets no tfjs backend: `createCorrector`
 * runs the corrector network on it. Call it, and await it, before any tensor is made; later
 * calls with the same options return the same answer.
 *
 * @example
 * ```ts
 * const { backend, description } = await useNodeBackend();
 * console.error(`backend: ${description}`); // wasm (tried tfjs-node-gpu: not installed, ...)
 * await useNodeBackend({ prefer: 'cpu' });  // cpu first, then the usual order
 * // DUNCAN_BACKEND=wasm node app.js           -> only wasm is tried
 * await useNodeBackend({ correctionOnly: true }); // onnxruntime first, when installed
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
    invalidArgument(WHERE, 'options', 'must be an object', options);
  }
  const correctionOnly = validateBoolean(
    WHERE,
    'options.correctionOnly',
    options.correctionOnly,
    false,
  );
  const env = options.env ?? process.env;
  const fromEnv = env.DUNCAN_BACKEND?.trim();
  // onnxruntime runs the corrector only: in the default order for correction alone.
  const defaults = NODE_BACKENDS.filter((b) => correctionOnly || b !== 'onnxruntime');
  let order: NodeBackendName[];
  let source: NodeBackendInfo['source'];
  if (fromEnv) {
    order = parseNames('DUNCAN_BACKEND', fromEnv);
    source = 'DUNCAN_BACKEND';
  } else if (options.prefer !== undefined) {
    const first = parseNames('options.prefer', options.prefer);
    order = [...first, ...defaults.filter((b) => !first.includes(b))];
    source = 'prefer';
  } else {
    order = defaults;
    source = 'default';
  }
  const key = `${source}:${order.join(',')}:${correctionOnly}`;
  if (current !== undefined && currentKey === key) return current;
  currentKey = key;
  current = choose(order, source, correctionOnly);
  current.catch(() => {
    currentKey = undefined;
  });
  return current;
}

async function choose(
  order: NodeBackendName[],
  source: NodeBackendInfo['source'],
  correctionOnly: boolean,
): Promise<NodeBackendInfo> {
  // tfjs is loaded only if a tfjs backend is tried (onnxruntime runs without it).
  let tf: Tf | undefined;
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    let detail = '';
    if (name === 'onnxruntime') {
      const { version, ...result } = await attemptOnnx(correctionOnly);
      tried.push(result);
      if (!result.ok) continue;
      detail = `${version ?? 'unknown version'}, CPU, ${onnxThreads()} threads`;
    } else {
      tf ??= await loadTfjs();
      const result = await attempt(tf, name);
      tried.push(result);
      if (!result.ok) continue;
      await tf.ready();
      if (name === 'wasm') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        detail = simd ? 'SIMD, 1 thread' : 'no SIMD, 1 thread';
      }
    }
    const failed = tried.filter((t) => !t.ok).map((t) => `${t.backend}: ${t.reason}`);
    const parts = [detail, failed.length > 0 ? `tried ${failed.join(', ')}` : ''].filter(Boolean);
    return Object.freeze({
      backend: name,
      tfBackend: name === 'onnxruntime' ? 'none' : tf!.getBackend(),
      source,
      tried: Object.freeze(tried),
      description: parts.length > 0 ? `${name} (${parts.join('; ')})` : name,
    });
  }
  throw new MriError(
    'BACKEND_UNAVAILABLE',
    `${WHERE}: no backend works here; tried ${tried.map((t) => `${t.backend} (${t.reason})`).join(', ')}${source === 'DUNCAN_BACKEND' ? ' as DUNCAN_BACKEND asked' : ''}`,
    { argument: source === 'DUNCAN_BACKEND' ? 'DUNCAN_BACKEND' : 'backend' },
  );
}
