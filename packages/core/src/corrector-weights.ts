import type { CheckpointManifest } from './checkpoint.js';
import { corruptCheckpoint, readCheckpointLayout } from './internal/checkpoint-layout.js';
import { isCorrectorVariable } from './internal/model-state.js';
import { variableSpecs } from './internal/networks.js';
import type { ModelConfig } from './model-config.js';

/** One weight array of the corrector path. */
export interface CorrectorWeight {
  /** Convolution kernels are `[k, k, inChannels, outChannels]` (HWIO); biases `[channels]`. */
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** What {@link correctorWeights} returns. */
export interface CorrectorWeights {
  /** The model's configuration (resolved as `loadCheckpoint` resolves it). */
  readonly config: ModelConfig;
  /**
   * The weights of content encoder A and decoder F by variable name (`<network>/<layer>/<w|b>`,
   * e.g. `contentEncoderA/stem/w`), in the model's variable order.
   */
  readonly weights: ReadonlyMap<string, CorrectorWeight>;
}

/**
 * The corrector path of a checkpoint (content encoder A and decoder F, what `correct` runs) as
 * plain arrays, read without tfjs: for running the same network elsewhere (the Node binding
 * exports it to ONNX) and passing it to `correct` as a `CorrectorPass`. The checkpoint is
 * checked as `loadCheckpoint` checks it; a complete (training) checkpoint gives the same
 * weights as its inference checkpoint.
 *
 * @example
 * ```ts
 * const { config, weights } = correctorWeights({ manifest, weights: bytes });
 * weights.get('contentEncoderA/stem/w'); // { shape: [7, 7, 1, C], values: Float32Array }
 * ```
 * @throws MriError `UNSUPPORTED_FORMAT`, `SHAPE_MISMATCH` or `CORRUPT_FILE` as `loadCheckpoint`
 * does (a non-finite corrector weight is `CORRUPT_FILE`).
 */
export function correctorWeights(checkpoint: {
  readonly manifest: CheckpointManifest;
  readonly weights: Uint8Array | ArrayBuffer;
}): CorrectorWeights {
  const where = 'correctorWeights';
  const { config, specs, buffer } = readCheckpointLayout(where, checkpoint);
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const spec of specs) {
    offsets.set(spec.name, offset);
    offset += 4 * spec.shape.reduce((a, b) => a * b, 1);
  }
  const weights = new Map<string, CorrectorWeight>();
  for (const v of variableSpecs(config)) {
    if (!isCorrectorVariable(v.name)) continue;
    // readCheckpointLayout has checked that every variable is stored with this shape.
    const at = offsets.get(`variable/${v.name}`)!;
    const size = v.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(buffer.slice(at, at + 4 * size));
    for (const x of values) {
      if (!Number.isFinite(x))
        throw corruptCheckpoint(
          where,
          `weights variable/${v.name} must be finite, got ${x}`,
          'weights',
        );
    }
    weights.set(v.name, Object.freeze({ shape: Object.freeze([...v.shape]), values }));
  }
  return Object.freeze({ config, weights });
}
