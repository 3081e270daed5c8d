import { availableParallelism } from 'node:os';

/** The package of the `onnxruntime` backend (an optional peer dependency). */
export const ONNXRUNTIME_PACKAGE = 'onnxruntime-node';

/** Intra-op threads of an ONNX Runtime session: every core, as tfjs-node uses them. */
export function onnxThreads(): number {
  return availableParallelism();
}
