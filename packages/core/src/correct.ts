import { assertVolume, MriError, type Volume, withData } from '@duncan-mri/volume';
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
  imagesToTensor,
  insertSlice,
  normalise,
  readFloat32,
  robustRange,
  sliceGeometry,
  splitImages,
} from './internal/volume-tensor.js';
import type { ModelConfig } from './model-config.js';

/** Options of {@link correct}. */
export interface CorrectOptions {
  /** Slicing axis: 0, 1 or 2 (x, y, z). Default 2 (the volume's third axis). */
  readonly axis?: 0 | 1 | 2;
  /** Slices per forward pass. Default 8. */
  readonly batchSize?: number;
  /**
   * The intensities mapped to 0 and 1 before the network (and back after it). Default: the
   * volume's own robust percentiles (`config.lowPercentile`, `config.highPercentile`). Give the
   * whole volume's range ({@link correctionStatistics}) when correcting parts of a volume
   * separately (worker threads), so that every part is normalised as one pass over the volume
   * would.
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
 * @example
 * ```ts
 * const { corrected, artefactMap } = await correct(model, volume, { axis: 2, batchSize: 4 });
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad volume or option, or slices smaller than 8x8 voxels.
 */
export async function correct(
  model: DuncanModel,
  volume: Volume,
  options: CorrectOptions = {},
): Promise<CorrectionResult> {
  const where = 'correct';
  const state = stateOf(where, model);
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
  range ??= robustRange(volume.data, state.config.lowPercentile, state.config.highPercentile);
  const data = normalise(volume.data, range);
  const out = new Float32Array(data.length);
  const field = correctionField(height, width, state.config.cropSize);
  const { top, left } = field;
  const { nets } = state;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = Array.from(
      { length: n },
      (_, i) => extractSlice(data, volume.shape, axis, start + i).data,
    );
    const result = tf.tidy(() => {
      let x = imagesToTensor(images, height, width);
      if (field.zeroFill) {
        x = tf.pad(x, [
          [0, 0],
          [top, field.height - height - top],
          [left, field.width - width - left],
          [0, 0],
        ]);
      } else if (field.height > height || field.width > width) {
        x = tf.mirrorPad(
          x,
          [
            [0, 0],
            [top, field.height - height - top],
            [left, field.width - width - left],
            [0, 0],
          ],
          'reflect',
        );
      }
      const y = nets.translateF(nets.contentEncoderA(x), x);
      return tf.slice(y, [0, top, left, 0], [n, height, width, 1]);
    });
    const values = await readFloat32(result);
    result.dispose();
    splitImages(values, n).forEach((image, i) => {
      insertSlice(out, volume.shape, axis, start + i, image);
    });
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
