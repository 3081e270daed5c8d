// The page the browser tests drive (bundled by esbuild, see ../helpers/bundle.ts). It exposes
// `window.harness`; every function takes and returns plain JSON so playwright can pass it.

import { createVolume, isMriError } from '@duncan-mri/volume';
import {
  createWorkerCorrector,
  fetchCheckpoint,
  loadVolume,
  toNiftiBlob,
  useWebBackend,
  type WebBackendName,
  type WorkerCorrector,
} from '@duncan-mri/web';

export interface PlainVolume {
  readonly data: number[];
  readonly shape: [number, number, number];
}

function toVolume(v: PlainVolume) {
  return createVolume({ data: Float32Array.from(v.data), shape: v.shape });
}

function describeError(error: unknown): { code: string; message: string; name: string } {
  if (isMriError(error)) return { code: error.code, message: error.message, name: error.name };
  if (error instanceof Error) return { code: '', message: error.message, name: error.name };
  return { code: '', message: String(error), name: '' };
}

/** Runs `use` on a worker corrector of `modelUrl` on the backend `prefer`, then terminates it. */
async function withWorkerCorrector<T>(
  modelUrl: string,
  prefer: WebBackendName,
  use: (corrector: WorkerCorrector) => Promise<T>,
): Promise<T> {
  const corrector = await createWorkerCorrector(modelUrl, { backend: { prefer: [prefer] } });
  try {
    return await use(corrector);
  } finally {
    corrector.terminate();
  }
}

/** Removes WebGPU adapters and/or WebGL contexts from this page, as on a machine without them. */
function disable(what: { readonly gpu?: boolean; readonly webgl?: boolean }): void {
  if (what.gpu) {
    Object.defineProperty(navigator, 'gpu', {
      configurable: true,
      value: { requestAdapter: async () => null },
    });
  }
  if (what.webgl) {
    for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype]) {
      const original = proto.getContext as (this: unknown, ...args: unknown[]) => unknown;
      Object.defineProperty(proto, 'getContext', {
        configurable: true,
        value(this: unknown, type: string, ...rest: unknown[]) {
          return type.includes('webgl') ? null : original.call(this, type, ...rest);
        },
      });
    }
  }
}

const harness = {
  /** useWebBackend on the page's main thread, after disabling what the test asks. */
  async chooseBackend(
    prefer: WebBackendName | WebBackendName[] | undefined,
    disabled: { gpu?: boolean; webgl?: boolean },
  ) {
    disable(disabled);
    try {
      const info = await useWebBackend(prefer === undefined ? {} : { prefer });
      return { ok: true as const, info };
    } catch (error) {
      return { ok: false as const, error: describeError(error) };
    }
  },

  /**
   * A worker corrector on `prefer` only; corrects `volume` one slice at a time (with mirror
   * averaging unless `flips` is false, and residual shrinkage 1 unless `shrinkage` says).
   */
  async correctInWorker(
    modelUrl: string,
    prefer: WebBackendName,
    volume: PlainVolume,
    options: { flips?: boolean; shrinkage?: number } = {},
  ) {
    return withWorkerCorrector(modelUrl, prefer, async (corrector) => {
      const progress: { done: number; total: number }[] = [];
      let mainThreadTicks = 0;
      const ticker = setInterval(() => mainThreadTicks++, 5);
      const input = toVolume(volume);
      const before = Array.from(input.data);
      const { corrected, artefactMap } = await corrector.correct(input, {
        onProgress: (p) => progress.push({ done: p.done, total: p.total }),
        ...options,
      });
      clearInterval(ticker);
      return {
        backend: corrector.backend,
        model: corrector.model,
        corrected: Array.from(corrected.data),
        artefactMap: Array.from(artefactMap.data),
        shape: corrected.shape,
        progress,
        inputUnchanged: before.every((x, i) => x === input.data[i]),
        mainThreadTicks,
      };
    });
  },

  /** Aborts a correction after its first progress event, then corrects again. */
  async cancelThenCorrect(modelUrl: string, volume: PlainVolume) {
    return withWorkerCorrector(modelUrl, 'wasm', async (corrector) => {
      const controller = new AbortController();
      const events: number[] = [];
      let rejection: { name: string; message: string; code: string } | undefined;
      const started = performance.now();
      try {
        await corrector.correct(toVolume(volume), {
          signal: controller.signal,
          onProgress: ({ done }) => {
            events.push(done);
            controller.abort();
          },
        });
      } catch (error) {
        rejection = describeError(error);
      }
      const abortedAfterMs = performance.now() - started;
      const again = await corrector.correct(toVolume(volume));
      return { events, rejection, abortedAfterMs, againLength: again.corrected.data.length };
    });
  },

  /** Transfers the input buffer to the worker when asked; the results come back transferred. */
  async transferInput(modelUrl: string, volume: PlainVolume) {
    return withWorkerCorrector(modelUrl, 'wasm', async (corrector) => {
      const input = toVolume(volume);
      const result = await corrector.correct(input, { transfer: true, batchSize: 4 });
      return { detached: input.data.length === 0, length: result.corrected.data.length };
    });
  },

  /** Simulation and metrics in the worker. */
  async simulateAndScore(modelUrl: string, volume: PlainVolume) {
    return withWorkerCorrector(modelUrl, 'wasm', async (corrector) => {
      const clean = toVolume(volume);
      const { volume: corrupted, applied } = await corrector.simulate(
        clean,
        [{ artefact: 'noise', severity: 'moderate' }],
        { seed: 3 },
      );
      const same = await corrector.compareImages(clean, clean, { dataRange: 1, slicewise: true });
      const noisy = await corrector.compareImages(clean, corrupted, {
        dataRange: 1,
        slicewise: true,
      });
      return { applied: applied.map((a) => a.artefact), same, noisy };
    });
  },

  /** fetchCheckpoint twice (IndexedDB), optionally with a known version. */
  async fetchTwice(modelUrl: string, version?: string) {
    const options = version === undefined ? {} : { version };
    const a = await fetchCheckpoint(modelUrl, options);
    const b = await fetchCheckpoint(modelUrl, options);
    return {
      first: { fromCache: a.fromCache, version: a.version, bytes: a.checkpoint.weights.length },
      second: { fromCache: b.fromCache, version: b.version, bytes: b.checkpoint.weights.length },
      sameBytes: a.checkpoint.weights.every((x, i) => x === b.checkpoint.weights[i]),
      seed: b.checkpoint.manifest.seed,
    };
  },

  async fetchError(modelUrl: string) {
    try {
      await fetchCheckpoint(modelUrl);
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  },

  /** Errors raised in the worker arrive as MriErrors with their codes. */
  async workerErrors(modelUrl: string) {
    let start: ReturnType<typeof describeError> | undefined;
    try {
      await createWorkerCorrector('/no-such-model/', { backend: { prefer: ['wasm'] } });
    } catch (error) {
      start = describeError(error);
    }
    const corrector = await createWorkerCorrector(modelUrl, { backend: { prefer: ['wasm'] } });
    let tiny: ReturnType<typeof describeError> | undefined;
    try {
      await corrector.correct(createVolume({ data: new Float32Array(4), shape: [2, 2] }));
    } catch (error) {
      tiny = describeError(error);
    }
    corrector.terminate();
    let after: ReturnType<typeof describeError> | undefined;
    try {
      await corrector.correct(createVolume({ data: new Float32Array(16), shape: [4, 4] }));
    } catch (error) {
      after = describeError(error);
    }
    return { start, tiny, after };
  },

  /** loadVolume from a URL, from a Blob, and from several DICOM Blobs; toNiftiBlob round trip. */
  async loadVolumes(niftiUrl: string, gzUrl: string, dicomUrls: string[]) {
    const fromUrl = await loadVolume(niftiUrl);
    const gz = await loadVolume(gzUrl);
    const blob = await (await fetch(niftiUrl)).blob();
    const fromBlob = await loadVolume(new File([blob], 'scan.nii'));
    const dicomBlobs = await Promise.all(
      dicomUrls.map(async (u, i) => new File([await (await fetch(u)).blob()], `IM${i}.dcm`)),
    );
    const junk = new File(['not an image'], '.DS_Store');
    const dicom = await loadVolume([...dicomBlobs, junk]);
    const again = await loadVolume(toNiftiBlob(fromUrl.volume, { gzip: true }));
    const summary = (r: Awaited<ReturnType<typeof loadVolume>>) => ({
      format: r.format,
      shape: r.volume.shape,
      data: Array.from(r.volume.data),
      name: r.name,
    });
    return {
      fromUrl: summary(fromUrl),
      gz: summary(gz),
      fromBlob: summary(fromBlob),
      dicom: { ...summary(dicom), seriesCount: dicom.format === 'dicom' ? dicom.seriesCount : 0 },
      again: summary(again),
    };
  },
};

(globalThis as unknown as { harness: typeof harness }).harness = harness;
export type Harness = typeof harness;
