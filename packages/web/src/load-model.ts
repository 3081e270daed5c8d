import { type Checkpoint, type DuncanModel, loadCheckpoint } from '@duncan-mri/core';
import { type FetchCheckpointOptions, fetchCheckpoint } from './fetch-checkpoint.js';

/** A model source: a same-origin URL (model directory or `manifest.json`) or a checkpoint. */
export type ModelSource = string | URL | Checkpoint;

/**
 * Loads a DUNCAN model in the browser: a checkpoint object as it is, or a URL through
 * {@link fetchCheckpoint} (same origin, cached in IndexedDB with a version check). Call
 * {@link useWebBackend} first; the model lives on the backend chosen then.
 *
 * @example
 * ```ts
 * await useWebBackend();
 * const model = await loadModel('/models/duncan/');
 * const { corrected } = await correct(model, volume);   // from @duncan-mri/core
 * ```
 * @throws MriError as {@link fetchCheckpoint} and `loadCheckpoint` of `@duncan-mri/core` do.
 */
export async function loadModel(
  source: ModelSource,
  options: FetchCheckpointOptions = {},
): Promise<DuncanModel> {
  if (typeof source === 'string' || source instanceof URL) {
    const { checkpoint } = await fetchCheckpoint(source, options);
    return loadCheckpoint(checkpoint);
  }
  return loadCheckpoint(source);
}
