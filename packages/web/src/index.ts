export { clearModelCache } from './clear-model-cache.js';
export {
  type CreateWorkerCorrectorOptions,
  createWorkerCorrector,
  type WorkerCorrectOptions,
  type WorkerCorrector,
} from './create-worker-corrector.js';
export {
  type FetchCheckpointOptions,
  type FetchedCheckpoint,
  fetchCheckpoint,
} from './fetch-checkpoint.js';
export type { WorkerModelInfo } from './internal/protocol.js';
export type { WasmPaths } from './internal/wasm-paths.js';
export { loadModel, type ModelSource } from './load-model.js';
export {
  type LoadedVolume,
  type LoadVolumeOptions,
  loadVolume,
  type VolumeSource,
} from './load-volume.js';
export { serveWorkerCorrector, type WorkerScopeLike } from './serve-worker-corrector.js';
export { toNiftiBlob } from './to-nifti-blob.js';
export {
  type BackendAttempt,
  type UseWebBackendOptions,
  useWebBackend,
  WEB_BACKENDS,
  type WebBackendInfo,
  type WebBackendName,
} from './use-web-backend.js';
