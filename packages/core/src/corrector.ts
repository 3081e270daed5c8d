import type { Volume } from '@duncan-mri/volume';
import type { CorrectionResult, CorrectOptions } from './correct.js';
import type { ModelConfig } from './model-config.js';

/** Options of {@link Corrector.correct}: those of `correct` that a binding passes through. */
export interface CorrectorCorrectOptions
  extends Pick<CorrectOptions, 'axis' | 'nonFinite' | 'flips' | 'shrinkage' | 'onProgress'> {
  /**
   * The most slices per forward pass. The default is the binding's, and they differ on purpose:
   * the Node binding's (`createCorrector` of `@duncan-mri/node`) is sized from the slice and the
   * memory available (about 64 MiB of the network's working memory: one 256x256 slice, 16 of
   * 64x64), because on wasm and the CPU the speed per slice hardly depends on the batch while a
   * batch that does not fit kills a worker; the browser's (`createWorkerCorrector` of
   * `@duncan-mri/web`) is 1, so that a page gets a progress event for every slice and a GPU
   * whose memory the page cannot query is never asked for more than one slice at a time.
   * `correct` itself batches 8. The batch changes the result only by float rounding.
   */
  readonly batchSize?: number;
}

/**
 * A loaded model that corrects volumes, as both bindings give it: `createCorrector` of
 * `@duncan-mri/node` (worker threads, ONNX Runtime) and `createWorkerCorrector` of
 * `@duncan-mri/web` (a Web Worker). Each runs `correct` of this package, so a volume is
 * corrected alike (the same normalisation, clipping, non-finite policy, mirror averaging, residual
 * shrinkage and artefact map) whichever binding runs it; a binding only schedules the work and moves the
 * buffers.
 *
 * @example
 * ```ts
 * async function correctAll(corrector: Corrector, volumes: Volume[]) {
 *   try {
 *     return await Promise.all(volumes.map((v) => corrector.correct(v, { nonFinite: 'zero-and-restore' })));
 *   } finally {
 *     await corrector.close();
 *   }
 * }
 * ```
 */
export interface Corrector {
  /** The model's configuration. */
  readonly config: ModelConfig;
  /**
   * Corrects a volume slice by slice: `{ corrected, artefactMap }` with the input's shape,
   * affine and intensity scale, as `correct` gives them.
   */
  correct(volume: Volume, options?: CorrectorCorrectOptions): Promise<CorrectionResult>;
  /**
   * Stops the corrector's workers and frees the model; later calls of `correct` reject with
   * `INVALID_ARGUMENT`. Closing twice does nothing.
   */
  close(): Promise<void>;
}
