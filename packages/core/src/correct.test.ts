import { createVolume, extractPlane, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, maxAbsDiff, phantom, TINY, tf, useBackend } from '../test/helpers.js';
import { type CorrectorPass, correct } from './correct.js';
import { correctionStatistics } from './correction-statistics.js';
import { createModel } from './create-model.js';
import { stateOf } from './internal/model-state.js';
import { sliceGeometry } from './internal/volume-tensor.js';

describe('correct', () => {
  it('preserves the shape and affine of a 3-D volume, for every axis, and leaks no tensor', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 1 });
    const volume = phantom(30, 26, 9);
    await correct(model, volume, { batchSize: 3 });
    const n = tf.memory().numTensors;
    for (const axis of [0, 1, 2] as const) {
      const progress: number[] = [];
      const { corrected, artefactMap } = await correct(model, volume, {
        axis,
        batchSize: 4,
        onProgress: ({ done, total }) => progress.push(done / total),
      });
      expect(corrected.shape).toEqual(volume.shape);
      expect(corrected.affine).toEqual(volume.affine);
      expect(artefactMap.shape).toEqual(volume.shape);
      expect(artefactMap.affine).toEqual(volume.affine);
      expect(progress.at(-1)).toBe(1);
      for (let i = 0; i < volume.data.length; i++) {
        expect(artefactMap.data[i]).toBeCloseTo(volume.data[i]! - corrected.data[i]!, 3);
      }
    }
    expect(tf.memory().numTensors).toBe(n);
    model.dispose();
  });

  it('maps intensities back to the input scale: correct(a * x + b) = a * correct(x) + b', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 1 });
    const volume = phantom(32, 28, 3);
    const scaled = withData(
      volume,
      volume.data.map((v) => 1000 * v - 5000),
    );
    const a = (await correct(model, volume)).corrected;
    const b = (await correct(model, scaled)).corrected;
    const expected = a.data.map((v) => 1000 * v - 5000);
    expect(maxAbsDiff(b.data, expected) / 160_000).toBeLessThan(1e-5);
    // The output lies on the input's scale: its mean is near the input's robust range.
    const mean = b.data.reduce((s, v) => s + v, 0) / b.data.length;
    expect(mean).toBeGreaterThan(-5000 - 160_000);
    expect(mean).toBeLessThan(-5000 + 2 * 160_000);
    model.dispose();
  });

  it('does not depend on the batch size, and never writes into its input', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 4 });
    const volume = phantom(20, 24, 5);
    const copy = volume.data.slice();
    const one = await correct(model, volume, { batchSize: 1 });
    const all = await correct(model, volume, { batchSize: 5 });
    expect(maxAbsDiff(one.corrected.data, all.corrected.data)).toBeLessThan(1e-3);
    expect(volume.data).toEqual(copy);
    model.dispose();
  });

  it('normalises parts of a volume by a given intensity range as one pass would', async () => {
    await useBackend('wasm');
    const model = createModel({ ...TINY, residual: false }, { seed: 2 });
    const volume = phantom(24, 20, 6);
    const whole = (await correct(model, volume)).corrected;
    // The robust range of the whole volume: what `correct` uses when none is given.
    const sorted = Float32Array.from(volume.data).sort();
    const at = (p: number) => {
      const pos = (p / 100) * (sorted.length - 1);
      const i = Math.floor(pos);
      return sorted[i]! + (sorted[Math.min(i + 1, sorted.length - 1)]! - sorted[i]!) * (pos - i);
    };
    const intensityRange = { low: at(0.5), high: at(99.5) };
    const clip = { min: sorted[0]!, max: sorted.at(-1)! };
    const size = 24 * 20;
    for (const [start, count] of [
      [0, 2],
      [2, 4],
    ] as const) {
      const part = createVolume({
        data: volume.data.slice(start * size, (start + count) * size),
        shape: [24, 20, count],
      });
      const { corrected } = await correct(model, part, { intensityRange, clip });
      const expected = whole.data.slice(start * size, (start + count) * size);
      expect(maxAbsDiff(corrected.data, expected) / 160).toBeLessThan(1e-5);
    }
    // correctionStatistics gives exactly these, and parts that are the batches of one pass are
    // corrected bit for bit as that pass corrects them.
    expect(correctionStatistics(volume, model.config)).toEqual({ intensityRange, clip });
    const byTwo = (await correct(model, volume, { batchSize: 2 })).corrected;
    for (const start of [0, 2, 4]) {
      const part = createVolume({
        data: volume.data.slice(start * size, (start + 2) * size),
        shape: [24, 20, 2],
      });
      const { corrected } = await correct(model, part, { intensityRange, clip });
      expect(corrected.data).toEqual(byTwo.data.slice(start * size, (start + 2) * size));
    }
    await expectMriError(() => correct(model, volume, { intensityRange: { low: 1, high: 1 } }));
    await expectMriError(() => correct(model, volume, { intensityRange: { low: 0 } as never }));
    const nan = withData(
      volume,
      Float32Array.from(volume.data, (v, i) => (i === 7 ? NaN : v)),
    );
    expect(() => correctionStatistics(nan, model.config)).toThrow(
      /volume.data must be finite, got NaN at index 7/,
    );
    await expectMriError(() =>
      correctionStatistics(volume, { lowPercentile: 50, highPercentile: 10 }),
    );
    model.dispose();
  });

  it("clips to the input's range unless told otherwise", async () => {
    await useBackend('wasm');
    const model = createModel({ ...TINY, residual: false }, { seed: 6 });
    const volume = phantom(16, 16, 2);
    const free = (await correct(model, volume, { clip: false })).corrected.data;
    // An untrained whole-image decoder leaves the input's range [0, 160].
    expect(free.some((v) => v < 0 || v > 160)).toBe(true);
    const clipped = (await correct(model, volume)).corrected.data;
    expect(clipped.every((v) => v >= 0 && v <= 160)).toBe(true);
    clipped.forEach((v, i) => {
      expect(v).toBe(Math.min(160, Math.max(0, free[i]!)));
    });
    const narrow = (await correct(model, volume, { clip: { min: 10, max: 20 } })).corrected.data;
    expect(narrow.every((v) => v >= 10 && v <= 20)).toBe(true);
    await expectMriError(() => correct(model, volume, { clip: { min: 2, max: 1 } }));
    model.dispose();
  });

  it('corrects a slice smaller than the training field inside a zero-filled field of cropSize', async () => {
    // TINY.cropSize is 32: a 14x18 slice is corrected as if it sat, centred, in a 32x32 field of
    // background (0 after normalisation), and cropped back.
    await useBackend('wasm');
    const model = createModel({ ...TINY, residual: false }, { seed: 7 });
    const small = phantom(14, 18, 1);
    const range = { low: 0, high: Math.max(...small.data) };
    const fieldData = new Float32Array(32 * 32);
    const [left, top] = [(32 - 14) >> 1, (32 - 18) >> 1];
    for (let y = 0; y < 18; y++) {
      for (let x = 0; x < 14; x++) fieldData[(y + top) * 32 + x + left] = small.data[y * 14 + x]!;
    }
    const field = createVolume({ data: fieldData, shape: [32, 32, 1] });
    const options = { intensityRange: range, clip: false } as const;
    const a = (await correct(model, small, options)).corrected.data;
    const b = (await correct(model, field, options)).corrected.data;
    const inField = new Float32Array(14 * 18);
    for (let y = 0; y < 18; y++) {
      for (let x = 0; x < 14; x++) inField[y * 14 + x] = b[(y + top) * 32 + x + left]!;
    }
    expect(maxAbsDiff(a, inField)).toBeLessThan(1e-5 * range.high);
    model.dispose();
  });

  it('corrects 8x8 slices and refuses smaller ones', async () => {
    await useBackend('wasm');
    const model = createModel(TINY, { seed: 3 });
    const { corrected } = await correct(model, phantom(8, 8, 2));
    expect(corrected.shape).toEqual([8, 8, 2]);
    await expectMriError(() => correct(model, phantom(7, 8)));
    await expectMriError(() => correct(model, phantom(8, 4)));
    model.dispose();
  });

  it('rejects bad inputs with MriError', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 1 });
    const thin = createVolume({ data: new Float32Array(3 * 8 * 2), shape: [3, 8, 2] });
    const nan = createVolume({ data: new Float32Array(64).fill(Number.NaN), shape: [8, 8] });
    await expectMriError(() => correct(model, thin));
    await expectMriError(() => correct(model, nan));
    await expectMriError(() => correct(model, phantom(8, 8), { axis: 3 as never }));
    await expectMriError(() => correct(model, phantom(8, 8), { batchSize: 0 }));
    await expectMriError(() => correct(model, {} as never));
    model.dispose();
    await expectMriError(() => correct(model, phantom(8, 8)));
  });

  it('holds a few feature maps of a slice at once, not every intermediate of the forward pass', async () => {
    // The network's working memory is what limits the batch on wasm32 (4 GiB): each block frees
    // its padding, convolution and normalisation temporaries as soon as its output exists.
    await useBackend('wasm');
    for (const extra of [{}, { contentSkips: true }, { outputNorm: true }]) {
      const model = createModel({ ...TINY, channels: 8, ...extra }, { seed: 1 });
      const volume = phantom(64, 64, 1);
      const weights = tf.memory().numBytes;
      const { peakBytes } = await tf.profile(async () => {
        await correct(model, volume);
        return [];
      });
      model.dispose();
      // One full-resolution feature map of the network: 64 x 64 pixels, C = 8 channels, float32.
      const featureMap = 64 * 64 * 8 * 4;
      expect((peakBytes - weights) / featureMap, JSON.stringify(extra)).toBeLessThan(16);
    }
  });

  it("runs a CorrectorPass in place of the model on tf.mirrorPad's padding of the slices", async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 2 });
    // Sides of at least TINY.cropSize (32), so only reflection pads: sides of 33, 35 and 37 pad
    // 3 (1 + 2) or 1 (0 + 1) voxels; sides of 34, 38 and 42 pad 2 (1 + 1).
    for (const volume of [phantom(33, 35, 37), phantom(34, 38, 42)]) {
      for (const axis of [0, 1, 2] as const) {
        const { count, height, width } = sliceGeometry(volume.shape, axis);
        const batches: Float32Array[] = [];
        const identity: CorrectorPass = {
          config: model.config,
          async forward(batch, n, h, w) {
            expect([h % 4, w % 4, n * h * w]).toEqual([0, 0, batch.length]);
            batches.push(batch.slice());
            return batch;
          },
        };
        // The identity mapping of intensities and no clipping: the pass's output itself. One
        // forward pass per batch (flips: false), so that `batches` holds the padded slices only;
        // the mirrored views are checked in correct-flips.test.ts.
        const { corrected } = await correct(identity, volume, {
          axis,
          batchSize: 2,
          intensityRange: { low: 0, high: 1 },
          clip: false,
          flips: false,
        });
        // Padding then cropping an identity is the identity: the crop undoes the padding.
        expect(maxAbsDiff(corrected.data, volume.data)).toBe(0);
        const ph = (4 - (height % 4)) % 4;
        const pw = (4 - (width % 4)) % 4;
        const slices = Array.from({ length: count }, (_, i) =>
          extractPlane(volume.data, volume.shape, axis, i),
        );
        const expected = tf.tidy(() =>
          tf.mirrorPad(
            tf.tensor4d(Float32Array.from(slices.flatMap((s) => [...s])), [
              count,
              height,
              width,
              1,
            ]),
            [
              [0, 0],
              [Math.floor(ph / 2), ph - Math.floor(ph / 2)],
              [Math.floor(pw / 2), pw - Math.floor(pw / 2)],
              [0, 0],
            ],
            'reflect',
          ),
        );
        const joined = Float32Array.from(batches.flatMap((b) => [...b]));
        expect(maxAbsDiff(joined, expected.dataSync())).toBe(0);
        expected.dispose();
      }
    }
    model.dispose();
  });

  it('gives the same result through a CorrectorPass as through the model, clipping included', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 5 });
    const volume = phantom(22, 18, 3);
    // A pass that runs the model's own network: correct must treat both alike.
    const { nets } = stateOf('test', model);
    const pass: CorrectorPass = {
      config: model.config,
      async forward(batch, n, h, w) {
        const y = tf.tidy(() => {
          const x = tf.tensor4d(batch, [n, h, w, 1]);
          return nets.translateF(nets.contentEncoderA(x), x);
        });
        const values = Float32Array.from(await y.data());
        y.dispose();
        return values;
      },
    };
    const a = await correct(model, volume, { batchSize: 2 });
    const b = await correct(pass, volume, { batchSize: 2 });
    expect(maxAbsDiff(a.corrected.data, b.corrected.data)).toBe(0);
    expect(maxAbsDiff(a.artefactMap.data, b.artefactMap.data)).toBe(0);
    model.dispose();
  });

  it('rejects a CorrectorPass with a bad config or a wrong-sized output with MriError', async () => {
    const volume = phantom(8, 8, 2);
    const config = {
      lowPercentile: 0.5,
      highPercentile: 99.5,
      cropSize: 32,
    } as CorrectorPass['config'];
    const short: CorrectorPass = { config, forward: async (b) => b.subarray(1) };
    const numbers: CorrectorPass = {
      config,
      forward: async (b) => Array.from(b) as unknown as Float32Array,
    };
    await expectMriError(() => correct(short, volume), 'INTERNAL');
    await expectMriError(() => correct(numbers, volume), 'INTERNAL');
    const noConfig = { forward: async (b: Float32Array) => b } as unknown as CorrectorPass;
    await expectMriError(() => correct(noConfig, volume));
    const inverted = { config: { lowPercentile: 60, highPercentile: 40 }, forward: short.forward };
    await expectMriError(() => correct(inverted as unknown as CorrectorPass, volume));
  });
});
