import { assertVolume, describeValue, MriError, type Volume, withData } from '@duncan-mri/volume';
import * as tf from '@tensorflow/tfjs-core';
import type { DuncanModel } from './create-model.js';
import { stateOf } from './internal/model-state.js';
import {
  validateAxis,
  validateFunction,
  validateNumber,
  validateObject,
} from './internal/validate.js';
import {
  denormalise,
  extractSlice,
  type IntensityRange,
  insertSlice,
  normalise,
  readFloat32,
  robustRange,
  sliceGeometry,
} from './internal/volume-tensor.js';
import type { ModelConfig } from './model-config.js';

/**
 * The corrector path run by something other than tfjs (ONNX Runtime, for instance) on the
 * weights of a model: {@link correct} takes it in place of a model and does everything around
 * the network itself (normalisation, padding, cropping, clipping, the artefact map), so the two
 * differ only in the arithmetic of the forward pass.
 *
 * @example
 * ```ts
 * const identity: CorrectorPass = { config: model.config, forward: async (batch) => batch };
 * const { corrected } = await correct(identity, volume, { clip: false }); // ≈ volume
 * ```
 */
export interface CorrectorPass {
  /** The model's configuration (its percentiles normalise the volume). */
  readonly config: ModelConfig;
  /**
   * `x + decoderF(contentEncoderA(x))` (without `x +` when the model is not `residual`) on `n`
   * normalised slices of `height x width` voxels (multiples of 4), row-major and contiguous, as
   * `[n, height, width]` (the bytes of NHWC, and of NCHW with one channel). Resolves to the
   * translated slices in the same layout.
   */
  forward(batch: Float32Array, n: number, height: number, width: number): Promise<Float32Array>;
}

/** The tfjs forward pass of a model's corrector path. */
function tfjsPass(where: string, model: unknown): CorrectorPass {
  const state = stateOf(where, model);
  const { nets } = state;
  return {
    config: state.config,
    async forward(batch, n, height, width) {
      const y = tf.tidy(() => {
        const x = tf.tensor4d(batch, [n, height, width, 1]);
        return nets.translateF(nets.contentEncoderA(x), x);
      });
      try {
        return await readFloat32(y);
      } finally {
        y.dispose();
      }
    },
  };
}

/** A {@link CorrectorPass} (anything with a `forward` function), as opposed to a model handle. */
function isCorrectorPass(model: unknown): model is CorrectorPass {
  return (
    typeof model === 'object' &&
    model !== null &&
    typeof (model as { forward?: unknown }).forward === 'function'
  );
}

/**
 * Reflection padding (the edge voxel not repeated, as `tf.mirrorPad(..., 'reflect')`), or with
 * `zeroFill` zeros around each image (as `tf.pad`), of `n`
 * images of `height x width` by `top`, `bottom`, `left` and `right` voxels (each less than the
 * side it reflects), into one contiguous `[n, height + top + bottom, width + left + right]` batch.
 */
function padBatch(
  images: readonly Float32Array[],
  height: number,
  width: number,
  [top, bottom, left, right]: readonly [number, number, number, number],
  zeroFill = false,
): Float32Array {
  const paddedHeight = height + top + bottom;
  const paddedWidth = width + left + right;
  const out = new Float32Array(images.length * paddedHeight * paddedWidth);
  if (zeroFill) {
    images.forEach((image, k) => {
      for (let r = 0; r < height; r++) {
        const at = (k * paddedHeight + r + top) * paddedWidth + left;
        out.set(image.subarray(r * width, (r + 1) * width), at);
      }
    });
    return out;
  }
  const reflect = (i: number) => (i < 0 ? -i : i >= height ? 2 * (height - 1) - i : i);
  images.forEach((image, k) => {
    for (let r = 0; r < paddedHeight; r++) {
      const row = reflect(r - top) * width;
      const at = (k * paddedHeight + r) * paddedWidth;
      out.set(image.subarray(row, row + width), at + left);
      for (let c = 1; c <= left; c++) out[at + left - c] = image[row + c]!;
      for (let c = 1; c <= right; c++) out[at + left + width - 1 + c] = image[row + width - 1 - c]!;
    }
  });
  return out;
}

/** Options of {@link correct}. */
export interface CorrectOptions {
  /** Slicing axis: 0, 1 or 2 (x, y, z). Default 2 (the volume's third axis). */
  readonly axis?: 0 | 1 | 2;
  /** Slices per forward pass. Default 8. */
  readonly batchSize?: number;
  /**
   * The intensities mapped to 0 and 1 before the network (and back after it). Default: the
   * volume's own robust percentiles (`config.lowPercentile`, `config.highPercentile`). Give the
   * whole volume's range when correcting parts of a volume separately (worker threads), so that
   * every part is normalised as one pass over the volume would.
   */
  readonly intensityRange?: { readonly low: number; readonly high: number };
  /**
   * Clips the corrected intensities to the input's range (`true`, the default: the volume's own
   * minimum and maximum), to a given range, or not at all (`false`). A magnitude image has no
   * values below its background, and removing an artefact never needs values outside the
   * input's range; unclipped, a model's small negative outputs in the background lower SSIM.
   */
  readonly clip?: boolean | { readonly min: number; readonly max: number };
  /** Called after every batch with the slices done so far. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
}

/** What {@link correct} resolves to. */
export interface CorrectionResult {
  /** The corrected volume: same shape and affine, the input's intensity scale. */
  readonly corrected: Volume;
  /** `input - corrected`: what the model removed, on the input's scale. */
  readonly artefactMap: Volume;
}

/**
 * Removes artefacts from a volume with a trained model, slice by slice:
 * `decoderF(contentEncoderA(slice))` (Liu et al., "Learning MRI artefact removal with unpaired
 * data", Nature Machine Intelligence 2021). The volume is normalised by its robust percentiles
 * (as in training), each slice is placed in the field the network was trained on (a slice smaller
 * than `config.cropSize` on either side is centred in a zero-filled `cropSize`² field, the air of
 * the training images; a larger one is reflection-padded to a multiple of 4) and cropped back,
 * and the output is mapped back to the input's intensity scale. Shape and affine are unchanged.
 *
 * `model` is a model from `createModel` or `loadCheckpoint` (the forward pass runs on the active
 * tfjs backend), or a {@link CorrectorPass}: the same network run elsewhere (the Node binding's
 * ONNX Runtime backend), with everything else done here.
 *
 * @example
 * ```ts
 * const { corrected, artefactMap } = await correct(model, volume, { axis: 2, batchSize: 4 });
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad volume or option, or slices smaller than 8x8
 * voxels; `INTERNAL` when a {@link CorrectorPass} resolves to other than one value per voxel.
 */
export async function correct(
  model: DuncanModel | CorrectorPass,
  volume: Volume,
  options: CorrectOptions = {},
): Promise<CorrectionResult> {
  const where = 'correct';
  const pass = isCorrectorPass(model) ? model : tfjsPass(where, model);
  const config = validateObject(where, 'model.config', pass.config);
  const lowPercentile = validateNumber(where, 'model.config.lowPercentile', config.lowPercentile, {
    min: 0,
    max: 100,
  });
  const highPercentile = validateNumber(
    where,
    'model.config.highPercentile',
    config.highPercentile,
    { min: lowPercentile, max: 100, minExclusive: true },
  );
  assertVolume(volume, where, 'volume');
  const o = validateObject(where, 'options', options, true);
  const axis = validateAxis(where, o.axis, 2);
  const batchSize = validateNumber(
    where,
    'options.batchSize',
    o.batchSize,
    { min: 1, integer: true },
    8,
  );
  const onProgress = validateFunction<NonNullable<CorrectOptions['onProgress']>>(
    where,
    'options.onProgress',
    o.onProgress,
  );
  // One pass: every voxel finite, and the range the output is clipped to by default.
  const { min, max } = finiteRange(where, volume.data);
  let range: { low: number; high: number } | undefined;
  if (o.intensityRange !== undefined) {
    const r = validateObject(where, 'options.intensityRange', o.intensityRange);
    const low = validateNumber(where, 'options.intensityRange.low', r.low, {});
    const high = validateNumber(where, 'options.intensityRange.high', r.high, {
      min: low,
      minExclusive: true,
    });
    range = { low, high };
  }
  let clip: { min: number; max: number } | undefined;
  if (o.clip === undefined || o.clip === true) {
    clip = { min, max };
  } else if (o.clip !== false) {
    const c = validateObject(where, 'options.clip', o.clip);
    const min = validateNumber(where, 'options.clip.min', c.min, {});
    clip = { min, max: validateNumber(where, 'options.clip.max', c.max, { min }) };
  }
  const { count, height, width } = sliceGeometry(volume.shape, axis);
  // Two stride-2 convolutions and a 3x3 reflection pad at 1/4 scale need 8x8 slices.
  if (height < 8 || width < 8) {
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: volume slices along axis ${axis} must be at least 8x8 voxels, got ${height}x${width}`,
      { argument: 'volume' },
    );
  }
  range ??= robustRange(volume.data, lowPercentile, highPercentile);
  const data = normalise(volume.data, range);
  const out = new Float32Array(data.length);
  const cropSize = validateNumber(where, 'model.config.cropSize', config.cropSize, {
    min: 1,
    integer: true,
  });
  const field = correctionField(height, width, cropSize);
  const { top, left } = field;
  const pads = [top, field.height - height - top, left, field.width - width - left] as const;
  const paddedHeight = field.height;
  const paddedWidth = field.width;
  const size = paddedHeight * paddedWidth;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = Array.from(
      { length: n },
      (_, i) => extractSlice(data, volume.shape, axis, start + i).data,
    );
    const y = await pass.forward(
      padBatch(images, height, width, pads, field.zeroFill),
      n,
      paddedHeight,
      paddedWidth,
    );
    if (!(y instanceof Float32Array) || y.length !== n * size) {
      throw new MriError(
        'INTERNAL',
        `${where}: model.forward must resolve to a Float32Array of ${n * size} values, got ${describeValue(y)}`,
        { argument: 'model' },
      );
    }
    for (let i = 0; i < n; i++) {
      const image = new Float32Array(height * width);
      for (let r = 0; r < height; r++) {
        const from = i * size + (r + top) * paddedWidth + left;
        image.set(y.subarray(from, from + width), r * width);
      }
      insertSlice(out, volume.shape, axis, start + i, image);
    }
    onProgress?.({ done: start + n, total: count });
  }
  const corrected = denormalise(out, range);
  if (clip !== undefined) {
    for (let i = 0; i < corrected.length; i++) {
      const v = corrected[i]!;
      corrected[i] = Math.min(Math.max(v, clip.min), clip.max);
    }
  }
  const artefact = new Float32Array(corrected.length);
  for (let i = 0; i < artefact.length; i++) artefact[i] = volume.data[i]! - corrected[i]!;
  return { corrected: withData(volume, corrected), artefactMap: withData(volume, artefact) };
}

/**
 * @internal
 * Where a `height` x `width` slice sits in the image the network sees. The network was trained
 * on `cropSize`² fields with air around the head; a smaller or tightly cropped slice (a 2.75 mm
 * acquisition is about 60 voxels across) is placed, centred, in a `cropSize`² field (at least)
 * filled with zeros, the normalised background, so that it is corrected as in training. A slice
 * at least `cropSize` on both sides is only reflection-padded to a multiple of 4, as the two
 * stride-2 convolutions need.
 */
export function correctionField(
  height: number,
  width: number,
  cropSize: number,
): { height: number; width: number; top: number; left: number; zeroFill: boolean } {
  const up4 = (n: number): number => n + ((4 - (n % 4)) % 4);
  const zeroFill = height < cropSize || width < cropSize;
  const h = zeroFill ? Math.max(cropSize, up4(height)) : up4(height);
  const w = zeroFill ? Math.max(cropSize, up4(width)) : up4(width);
  return {
    height: h,
    width: w,
    top: Math.floor((h - height) / 2),
    left: Math.floor((w - width) / 2),
    zeroFill,
  };
}

/** The whole-volume statistics a correction normalises and clips by ({@link correctionStatistics}). */
export interface CorrectionStatistics {
  /** The robust percentiles mapped to 0 and 1 (`config.lowPercentile`, `config.highPercentile`). */
  readonly intensityRange: IntensityRange;
  /** The volume's minimum and maximum: the range the corrected intensities are clipped to. */
  readonly clip: { readonly min: number; readonly max: number };
}

/**
 * The statistics {@link correct} takes from the whole volume: the robust intensity range it
 * normalises by and the range it clips to. Give them to `correct` as `intensityRange` and `clip`
 * when correcting parts of one volume separately (batches of slices on worker threads), so that
 * every part is corrected exactly as one pass over the whole volume would correct it.
 *
 * @example
 * ```ts
 * const { intensityRange, clip } = correctionStatistics(volume, model.config);
 * const part = await correct(model, slab, { intensityRange, clip });
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad volume or a voxel that is not finite.
 */
export function correctionStatistics(
  volume: Volume,
  config: Pick<ModelConfig, 'lowPercentile' | 'highPercentile'>,
): CorrectionStatistics {
  const where = 'correctionStatistics';
  assertVolume(volume, where, 'volume');
  const c = validateObject(where, 'config', config);
  const lowPercentile = validateNumber(where, 'config.lowPercentile', c.lowPercentile, {
    min: 0,
    max: 100,
  });
  const highPercentile = validateNumber(where, 'config.highPercentile', c.highPercentile, {
    min: lowPercentile,
    max: 100,
  });
  const clip = finiteRange(where, volume.data);
  return { intensityRange: robustRange(volume.data, lowPercentile, highPercentile), clip };
}

/** One pass: every voxel finite, and the minimum and maximum. */
function finiteRange(where: string, data: Float32Array): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) {
      throw new MriError(
        'INVALID_ARGUMENT',
        `${where}: volume.data must be finite, got ${x} at index ${i}`,
        { argument: 'volume' },
      );
    }
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { min, max };
}
