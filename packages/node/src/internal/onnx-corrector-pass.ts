// The corrector network on ONNX Runtime (the optional peer dependency onnxruntime-node): the
// checkpoint's corrector path exported to ONNX in memory, one inference session on every core,
// and core's `correct` around it (a CorrectorPass), so only the forward pass differs from tfjs.
import { type Checkpoint, type CorrectorPass, correctorWeights } from '@duncan-mri/core';
import { MriError } from '@duncan-mri/volume';
import type * as Ort from 'onnxruntime-node';
import { CORRECTOR_ONNX_INPUT, CORRECTOR_ONNX_OUTPUT, correctorOnnx } from './corrector-onnx.js';
import { ONNXRUNTIME_PACKAGE, onnxThreads } from './onnxruntime-package.js';

/** A {@link CorrectorPass} on an ONNX Runtime session, to release when done. */
export interface OnnxCorrectorPass extends CorrectorPass {
  /** Releases the session. */
  dispose(): Promise<void>;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/**
 * Exports the checkpoint's corrector path to ONNX and opens an ONNX Runtime CPU session on it.
 *
 * @throws MriError from `correctorWeights` for a bad checkpoint; `BACKEND_UNAVAILABLE` when
 * onnxruntime-node cannot be loaded or refuses the model.
 */
export async function createOnnxCorrectorPass(
  checkpoint: Checkpoint,
  where: string,
): Promise<OnnxCorrectorPass> {
  const { config, weights } = correctorWeights(checkpoint);
  const model = correctorOnnx(config, weights, where);
  let ort: typeof Ort;
  let session: Ort.InferenceSession;
  try {
    ort = await import(ONNXRUNTIME_PACKAGE);
    session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: onnxThreads(),
      interOpNumThreads: 1,
      // Idle threads sleep instead of spinning: with another process on the cores (a training
      // job, say) spinning costs CPU and time (16 slices of 256x256 on 2 busy cores: 1.75 s of
      // CPU and 4.0 s wall spinning, 1.5 s and 3.6 s not; medians of 4).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw new MriError(
      'BACKEND_UNAVAILABLE',
      `${where}: onnxruntime-node could not open the corrector network: ${messageOf(error)}`,
      { argument: 'backend', cause: error },
    );
  }
  let released = false;
  return {
    config,
    async forward(batch, n, height, width) {
      let outputs: Ort.InferenceSession.ReturnType;
      try {
        const x = new ort.Tensor('float32', batch, [n, 1, height, width]);
        outputs = await session.run({ [CORRECTOR_ONNX_INPUT]: x });
      } catch (error) {
        throw new MriError(
          'INTERNAL',
          `${where}: onnxruntime-node failed on a batch of ${n} slices of ${height}x${width}: ${messageOf(error)}`,
          { argument: 'volume', cause: error },
        );
      }
      return outputs[CORRECTOR_ONNX_OUTPUT]!.data as Float32Array;
    },
    async dispose() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}
