import type { CheckpointManifest, ModelConfig } from '@duncan-mri/core';

/** `workerData` of the correction worker. */
export interface WorkerInit {
  readonly backend: 'wasm' | 'cpu';
  readonly manifest: CheckpointManifest;
  readonly weights: Uint8Array;
}

/** One batch of slices to correct, normalised and clipped by the whole volume's statistics. */
export interface CorrectJob {
  readonly type: 'correct';
  readonly id: number;
  /** The first slice of the batch in the volume (for messages). */
  readonly start: number;
  /** The batch's voxels, x fastest; its buffer is transferred. */
  readonly data: Float32Array;
  readonly shape: [number, number, number];
  readonly axis: 0 | 1 | 2;
  /** The whole volume's intensity range, so that every batch is normalised alike. */
  readonly intensityRange: { readonly low: number; readonly high: number };
  /** The whole volume's minimum and maximum, the range the output is clipped to. */
  readonly clip: { readonly min: number; readonly max: number };
}

/** Main thread -> worker. */
export type ToWorker = CorrectJob | { readonly type: 'close' };

/** A serialised error (MriError fields survive structured cloning only as plain data). */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly argument?: string;
}

/** Worker -> main thread. */
export type FromWorker =
  | { readonly type: 'ready'; readonly config: ModelConfig }
  | { readonly type: 'result'; readonly id: number; readonly corrected: Float32Array }
  | { readonly type: 'error'; readonly id: number | undefined; readonly error: WorkerError };

export function serialiseError(error: unknown): WorkerError {
  if (error instanceof Error) {
    const e = error as Error & { code?: string; argument?: string };
    return {
      name: e.name,
      message: e.message,
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.argument === 'string' ? { argument: e.argument } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}
