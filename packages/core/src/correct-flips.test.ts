import { createVolume, extractPlane, type Volume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, maxAbsDiff, phantom } from '../test/helpers.js';
import { type CorrectorPass, correct } from './correct.js';
import { splitCorrection } from './split-correction.js';

const CONFIG = {
  lowPercentile: 0.5,
  highPercentile: 99.5,
  cropSize: 32,
} as CorrectorPass['config'];

/**
 * The identity intensity mapping, no clipping and no residual shrinkage: `corrected` is the
 * network's output itself.
 */
const RAW = { intensityRange: { low: 0, high: 1 }, clip: false, shrinkage: 0 } as const;

/** One image of `height` rows of `width`, row-major. */
interface Image {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
}

/** Row `r`, column `c` of `image` mirrored left-right (`x`) and/or up-down (`y`). */
function mirrored(image: Image, x: boolean, y: boolean): Image {
  const { height, width } = image;
  const data = new Float32Array(height * width);
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++)
      data[r * width + c] = image.data[(y ? height - 1 - r : r) * width + (x ? width - 1 - c : c)]!;
  return { data, height, width };
}

/**
 * A network that is not mirror-symmetric: each pixel takes its right-hand neighbour (wrapping
 * round), plus a ramp along x and a smaller one along y, so each mirror image of an input
 * gives, mirrored back, a different output.
 */
function skewed(image: Image): Image {
  const { height, width } = image;
  const data = new Float32Array(height * width);
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++)
      data[r * width + c] = image.data[r * width + ((c + 1) % width)]! + 0.01 * c + 0.003 * r;
  return { data, height, width };
}

/** The skewed network as a CorrectorPass that records every call. */
function skewedPass(): CorrectorPass & { calls: { batch: Float32Array; n: number }[] } {
  const calls: { batch: Float32Array; n: number }[] = [];
  return {
    config: CONFIG,
    calls,
    async forward(batch, n, height, width) {
      calls.push({ batch: batch.slice(), n });
      const out = new Float32Array(batch.length);
      for (let k = 0; k < n; k++) {
        const at = k * height * width;
        const data = batch.slice(at, at + height * width);
        out.set(skewed({ data, height, width }).data, at);
      }
      return out;
    },
  };
}

/**
 * The field the network sees for a slice, by hand: centred (the extra voxel, if odd, below and
 * to the right) in a zero-filled `cropSize` field when a side is smaller than `cropSize`, else
 * reflection-padded (edge voxel not repeated) to multiples of 4.
 */
function field(slice: Image, cropSize: number): Image & { top: number; left: number } {
  const up4 = (n: number) => Math.ceil(n / 4) * 4;
  const zeroFill = slice.height < cropSize || slice.width < cropSize;
  const height = zeroFill ? Math.max(cropSize, up4(slice.height)) : up4(slice.height);
  const width = zeroFill ? Math.max(cropSize, up4(slice.width)) : up4(slice.width);
  const top = Math.floor((height - slice.height) / 2);
  const left = Math.floor((width - slice.width) / 2);
  const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const data = new Float32Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const [sr, sc] = [r - top, c - left];
      const inside = sr >= 0 && sr < slice.height && sc >= 0 && sc < slice.width;
      if (zeroFill && !inside) continue;
      data[r * width + c] =
        slice.data[reflect(sr, slice.height) * slice.width + reflect(sc, slice.width)]!;
    }
  }
  return { data, height, width, top, left };
}

/**
 * What correct should give for one slice with RAW: the network on the slice's field (with
 * `flips`, the mean of the network on the field's four mirror images, each mirrored back),
 * cropped to the slice.
 */
function expectedSlice(slice: Image, flips: boolean): Float32Array {
  const f = field(slice, CONFIG.cropSize);
  const views = flips
    ? ([
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const)
    : ([[false, false]] as const);
  const sum = new Float64Array(f.height * f.width);
  for (const [x, y] of views) {
    const back = mirrored(skewed(mirrored(f, x, y)), x, y);
    back.data.forEach((v, i) => {
      sum[i]! += v;
    });
  }
  const out = new Float32Array(slice.height * slice.width);
  for (let r = 0; r < slice.height; r++)
    for (let c = 0; c < slice.width; c++)
      out[r * slice.width + c] = sum[(r + f.top) * f.width + c + f.left]! / views.length;
  return out;
}

/** The expected corrected voxels of a volume along axis 2, slice by slice. */
function expectedVolume(volume: Volume, flips: boolean): Float32Array {
  const [nx, ny, nz] = volume.shape;
  const out = new Float32Array(volume.data.length);
  for (let z = 0; z < nz; z++) {
    const slice = { data: extractPlane(volume.data, volume.shape, 2, z), height: ny, width: nx };
    out.set(expectedSlice(slice, flips), z * nx * ny);
  }
  return out;
}

describe('correct: mirror averaging (options.flips)', () => {
  // 13x19: smaller than cropSize (32), zero-filled with odd padding on both sides (9 + 10
  // columns, 6 + 7 rows). 37x34: non-square, larger than the field, reflection-padded to 40x36
  // (1 + 2 columns, 1 + 1 rows).
  for (const [nx, ny] of [
    [13, 19],
    [37, 34],
  ] as const) {
    it(`averages the four mirrored passes of the whole field (${nx}x${ny} slices), or runs one`, async () => {
      const volume = createVolume({
        data: Float32Array.from(phantom(nx, ny, 3).data, (v, i) => v / 100 + (i % 7) * 0.01),
        shape: [nx, ny, 3],
      });
      const flipped = skewedPass();
      const a = (await correct(flipped, volume, { ...RAW, batchSize: 2, flips: true })).corrected;
      expect(a.data).toEqual(expectedVolume(volume, true));
      // The default is on.
      const b = (await correct(skewedPass(), volume, { ...RAW, batchSize: 2 })).corrected;
      expect(b.data).toEqual(a.data);
      // Four forward passes per batch (batches of 2 and 1 slices), each on a mirror image of the
      // whole field of the first: the zero fill and the reflection are mirrored with the slice.
      expect(flipped.calls.map((c) => c.n)).toEqual([2, 2, 2, 2, 1, 1, 1, 1]);
      const single = skewedPass();
      const c = (await correct(single, volume, { ...RAW, batchSize: 2, flips: false })).corrected;
      expect(c.data).toEqual(expectedVolume(volume, false));
      expect(single.calls.map((call) => call.n)).toEqual([2, 1]);
      const f = field(
        { data: extractPlane(volume.data, volume.shape, 2, 2), height: ny, width: nx },
        32,
      );
      expect(single.calls[1]!.batch).toEqual(f.data);
      flipped.calls.slice(4).forEach((call, i) => {
        expect(call.batch).toEqual(mirrored(f, i % 2 === 1, i >= 2).data);
      });
      // The averaging changes the output: the network is not mirror-symmetric.
      expect(maxAbsDiff(a.data, c.data)).toBeGreaterThan(1e-3);
    });
  }

  it('gives a mirror-symmetric network its single-pass output', async () => {
    // The identity commutes with mirroring: the mean of four equal outputs is that output.
    const identity: CorrectorPass = { config: CONFIG, forward: async (batch) => batch };
    const volume = phantom(21, 15, 2);
    const { corrected } = await correct(identity, volume, RAW);
    expect(corrected.data).toEqual(volume.data);
  });

  it('is carried by splitCorrection to every run: the runs put together equal one pass', async () => {
    const volume = createVolume({
      data: Float32Array.from(phantom(13, 19, 5).data, (v, i) => v + (i % 5)),
      shape: [13, 19, 5],
    });
    for (const flips of [true, false, undefined]) {
      const given = flips === undefined ? {} : { flips };
      const reference = await correct(skewedPass(), volume, { batchSize: 2, ...given });
      const split = splitCorrection(volume, CONFIG, given);
      expect(split.options.flips).toBe(flips ?? true);
      for (const run of split.runs(2)) {
        const { corrected } = await correct(skewedPass(), createVolume(split.extract(run)), {
          ...split.options,
          batchSize: run.count,
        });
        split.insert(run, corrected.data);
      }
      expect(split.finish().corrected.data).toEqual(reference.corrected.data);
    }
    const on = await correct(skewedPass(), volume, { batchSize: 2 });
    const off = await correct(skewedPass(), volume, { batchSize: 2, flips: false });
    expect(maxAbsDiff(on.corrected.data, off.corrected.data)).toBeGreaterThan(1e-3);
  });

  it('refuses a flips that is not a boolean with INVALID_ARGUMENT', async () => {
    const volume = phantom(8, 8, 1);
    for (const flips of ['yes', 1, null]) {
      await expectMriError(() => correct(skewedPass(), volume, { flips } as never), {
        argument: 'options.flips',
        message: /^correct: options.flips must be a boolean, got /,
      });
      await expectMriError(() => splitCorrection(volume, CONFIG, { flips } as never), {
        argument: 'options.flips',
        message: /^splitCorrection: options.flips must be a boolean, got /,
      });
    }
  });
});
