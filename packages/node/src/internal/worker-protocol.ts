import type { CheckpointManifest, ModelConfig, RunCorrectOptions } from '@duncan-mri/core';
import type { WireError } from '@duncan-mri/volume';

/** `workerData` of the correction worker. */
export interface WorkerInit {
  readonly backend: 'wasm' | 'cpu';
  readonly manifest: CheckpointManifest;
  readonly weights: Uint8Array;
}

/**
 * One run of slices to correct (`SplitCorrection.extract` of `@duncan-mri/core`), with the
 * options of every run of its volume (the whole volume's statistics among them).
 */
export interface CorrectJob {
  readonly type: 'correct';
  readonly id: number;
  /** The first slice of the run in the volume (for messages). */
  readonly start: number;
  /** The run's voxels, x fastest; its buffer is transferred. */
  readonly data: Float32Array;
  readonly shape: [number, number, number];
  readonly options: RunCorrectOptions;
}

/** Main thread -> worker. */
export type ToWorker = CorrectJob | { readonly type: 'close' };

/** Worker -> main thread. */
export type FromWorker =
  | { readonly type: 'ready'; readonly config: ModelConfig }
  | { readonly type: 'result'; readonly id: number; readonly corrected: Float32Array }
  | { readonly type: 'error'; readonly id: number | undefined; readonly error: WireError };
