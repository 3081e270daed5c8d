import {
  describeValue,
  invalidArgument,
  MriError,
  validateBoolean,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';
import type { CheckpointManifest, WeightSpec } from '../checkpoint.js';
import { type ModelConfig, resolveModelConfig } from '../model-config.js';
import { decodeFloat16 } from './float16.js';
import { isCorrectorVariable } from './model-state.js';
import { variableSpecs } from './networks.js';

const FORMAT = 'duncan-mri-checkpoint';

/** `CORRUPT_FILE` for a checkpoint that does not hold what its manifest says. */
export function corruptCheckpoint(
  where: string,
  message: string,
  argument: string,
  cause?: unknown,
): MriError {
  return new MriError('CORRUPT_FILE', `${where}: ${message}`, {
    argument,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A checkpoint whose manifest has been checked against its configuration and its blob. */
export interface CheckpointLayout {
  /** The resolved configuration (`outputNorm` true for checkpoints written before it existed). */
  readonly config: ModelConfig;
  readonly seed: number;
  readonly generatorStep: number;
  readonly discriminatorStep: number;
  /** Only the corrector path's variables are stored. */
  readonly inference: boolean;
  /**
   * The stored arrays, in the blob's order, as float32: float16 arrays (inference checkpoints)
   * are widened, so `buffer` holds float32 values only.
   */
  readonly specs: readonly WeightSpec[];
  /** Name -> shape of every stored array. */
  readonly stored: ReadonlyMap<string, readonly number[]>;
  /** The blob (the stored one, whose `byteLength` matches the manifest, widened to float32). */
  readonly buffer: ArrayBuffer;
}

/**
 * Checks a checkpoint without tfjs: format and architecture, the configuration, that the stored
 * variables are exactly the ones the configuration's architecture has (name and shape), and
 * that the blob has the manifest's size (4 bytes a float32 value, 2 a float16 one; float16 only
 * in inference checkpoints). Shared by `loadCheckpoint` and `correctorWeights`.
 */
export function readCheckpointLayout(
  where: string,
  checkpoint: {
    readonly manifest: CheckpointManifest;
    readonly weights: Uint8Array | ArrayBuffer;
  },
): CheckpointLayout {
  const c = validateObject(where, 'checkpoint', checkpoint);
  const m = validateObject(where, 'checkpoint.manifest', c.manifest);
  if (m.format !== FORMAT || m.formatVersion !== 1) {
    throw new MriError(
      'UNSUPPORTED_FORMAT',
      `${where}: manifest.format must be '${FORMAT}' version 1, got ${describeValue(m.format)} version ${describeValue(m.formatVersion)}`,
      { argument: 'manifest.format' },
    );
  }
  if (m.architecture !== 'duncan-2d') {
    throw new MriError(
      'UNSUPPORTED_FORMAT',
      `${where}: manifest.architecture must be 'duncan-2d', got ${describeValue(m.architecture)}`,
      { argument: 'manifest.architecture' },
    );
  }
  // Checkpoints written before `outputNorm` existed normalised decoder F's last block.
  const rawConfig = validateObject(where, 'manifest.config', m.config);
  const config = resolveModelConfig(where, {
    ...rawConfig,
    outputNorm: rawConfig.outputNorm ?? true,
  });
  const seed = validateNumber(where, 'manifest.seed', m.seed, { min: 0, integer: true });
  const opt = validateObject(where, 'manifest.optimiser', m.optimiser);
  const gStep = validateNumber(where, 'manifest.optimiser.generatorStep', opt.generatorStep, {
    min: 0,
    integer: true,
  });
  const dStep = validateNumber(
    where,
    'manifest.optimiser.discriminatorStep',
    opt.discriminatorStep,
    {
      min: 0,
      integer: true,
    },
  );
  const specs = m.weightSpecs;
  if (!Array.isArray(specs))
    throw corruptCheckpoint(
      where,
      `manifest.weightSpecs must be an array, got ${describeValue(specs)}`,
      'manifest',
    );
  const inference = validateBoolean(where, 'manifest.inference', m.inference, false);
  const stored = new Map<string, readonly number[]>();
  let expectedBytes = 0;
  let float16 = false;
  for (const s of specs as unknown[]) {
    const spec = s as Partial<WeightSpec>;
    if (
      typeof spec?.name !== 'string' ||
      (spec.dtype !== 'float32' && spec.dtype !== 'float16') ||
      !Array.isArray(spec.shape) ||
      !spec.shape.every((d) => Number.isInteger(d) && d >= 0)
    ) {
      throw corruptCheckpoint(
        where,
        `manifest.weightSpecs entries must be {name, shape, dtype: 'float32' or 'float16'}, got ${describeValue(s)}`,
        'manifest',
      );
    }
    if (spec.dtype === 'float16' && !inference) {
      throw corruptCheckpoint(
        where,
        `manifest.weightSpecs may hold float16 arrays in an inference checkpoint only, got ${spec.name} in a complete one`,
        'manifest',
      );
    }
    float16 ||= spec.dtype === 'float16';
    stored.set(spec.name, spec.shape);
    expectedBytes += (spec.dtype === 'float16' ? 2 : 4) * spec.shape.reduce((a, b) => a * b, 1);
  }
  // The architecture the config describes must match the stored arrays, name for name.
  const wanted = variableSpecs(config).filter((v) => !inference || isCorrectorVariable(v.name));
  for (const v of wanted) {
    for (const name of [`variable/${v.name}`]) {
      const shape = stored.get(name);
      if (
        shape === undefined ||
        shape.length !== v.shape.length ||
        shape.some((d, i) => d !== v.shape[i])
      ) {
        throw new MriError(
          'SHAPE_MISMATCH',
          `${where}: manifest.weightSpecs must hold ${name} of shape [${v.shape.join(', ')}] for this config, got ${shape === undefined ? 'none' : `[${shape.join(', ')}]`}`,
          { argument: 'manifest' },
        );
      }
    }
  }
  if (inference && [...stored.keys()].some((k) => !k.startsWith('variable/'))) {
    throw corruptCheckpoint(
      where,
      'manifest.weightSpecs of an inference checkpoint must hold variables only',
      'manifest',
    );
  }
  const variableCount = [...stored.keys()].filter((k) => k.startsWith('variable/')).length;
  if (variableCount !== wanted.length) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${where}: manifest.weightSpecs must hold ${wanted.length} variables for this config, got ${variableCount}`,
      { argument: 'manifest' },
    );
  }
  const raw = c.weights;
  let buffer: ArrayBuffer;
  if (raw instanceof ArrayBuffer) buffer = raw;
  else if (raw instanceof Uint8Array) buffer = raw.slice().buffer as ArrayBuffer;
  else invalidArgument(where, 'weights', 'must be a Uint8Array or ArrayBuffer', raw);
  if (buffer.byteLength !== expectedBytes || m.byteLength !== expectedBytes) {
    throw corruptCheckpoint(
      where,
      `weights must have ${expectedBytes} bytes for its manifest, got ${buffer.byteLength}`,
      'weights',
    );
  }
  const checked = specs as WeightSpec[];
  return {
    config,
    seed,
    generatorStep: gStep,
    discriminatorStep: dStep,
    inference,
    specs: float16 ? checked.map((s) => ({ ...s, dtype: 'float32' as const })) : checked,
    stored,
    buffer: float16 ? widenToFloat32(checked, buffer) : buffer,
  };
}

/** A blob of float32 and float16 arrays as one of float32 arrays, in the same order. */
function widenToFloat32(specs: readonly WeightSpec[], buffer: ArrayBuffer): ArrayBuffer {
  const count = (s: WeightSpec) => s.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(specs.reduce((n, s) => n + count(s), 0));
  let from = 0;
  let to = 0;
  for (const s of specs) {
    const n = count(s);
    if (s.dtype === 'float16') {
      out.set(decodeFloat16(buffer, from, n), to);
      from += 2 * n;
    } else {
      out.set(new Float32Array(buffer.slice(from, from + 4 * n)), to);
      from += 4 * n;
    }
    to += n;
  }
  return out.buffer;
}
