import {
  createRng,
  createVolume,
  estimateNoiseSigma,
  extractPlane,
  insertPlane,
  type Volume,
  withData,
} from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, phantom, TINY, useBackend } from '../test/helpers.js';
import { type CorrectorPass, correct, DEFAULT_SHRINKAGE } from './correct.js';
import { createModel } from './create-model.js';
import { splitCorrection } from './split-correction.js';

const CONFIG = {
  lowPercentile: 0.5,
  highPercentile: 99.5,
  cropSize: 32,
} as CorrectorPass['config'];

/** The identity intensity mapping and no clipping: `corrected` is the network's output itself. */
const RAW = { intensityRange: { low: 0, high: 1 }, clip: false } as const;

/** The phantom with white noise of standard deviation `sigma` (a clean, noisy acquisition). */
function noisyPhantom(nx: number, ny: number, nz: number, sigma: number, seed = 1): Volume {
  const rng = createRng(seed);
  const base = phantom(nx, ny, nz);
  return withData(
    base,
    Float32Array.from(base.data, (v) => v + 20 + rng.normal(0, sigma)),
  );
}

/** A network that works voxel by voxel: `f(v) = 0.75 v + 0.05` (mirror averaging gives it exactly). */
const pointwise: CorrectorPass = {
  config: CONFIG,
  forward: async (batch) => batch.map((v) => 0.75 * v + 0.05),
};

/** A denoiser: the 3x3 mean of each voxel's neighbourhood in the field (edges repeated). */
const boxBlur: CorrectorPass = {
  config: CONFIG,
  async forward(batch, n, height, width) {
    const out = new Float32Array(batch.length);
    const at = (k: number, r: number, c: number) =>
      batch[
        (k * height + Math.min(Math.max(r, 0), height - 1)) * width +
          Math.min(Math.max(c, 0), width - 1)
      ]!;
    for (let k = 0; k < n; k++)
      for (let r = 0; r < height; r++)
        for (let c = 0; c < width; c++) {
          let sum = 0;
          for (let dr = -1; dr <= 1; dr++)
            for (let dc = -1; dc <= 1; dc++) sum += at(k, r + dr, c + dc);
          out[(k * height + r) * width + c] = sum / 9;
        }
    return out;
  },
};

/**
 * The rule by hand: for every slice along `axis`, σ of the given slice (its non-finite voxels
 * left out), `r = input - unshrunk`, `r' = sign(r) max(|r| - kσ, 0)`, `input - r'` in float32;
 * NaN where the input is not finite.
 */
function shrunkByHand(
  volume: Volume,
  unshrunk: Float32Array,
  axis: 0 | 1 | 2,
  k: number,
): Float32Array {
  const out = new Float32Array(unshrunk.length);
  const [nx, ny, nz] = volume.shape;
  const [count, height, width] =
    axis === 2 ? [nz, ny, nx] : axis === 1 ? [ny, nz, nx] : [nx, nz, ny];
  for (let s = 0; s < count; s++) {
    const x = extractPlane(volume.data, volume.shape, axis, s);
    const y = extractPlane(unshrunk, volume.shape, axis, s);
    const t = k * estimateNoiseSigma(x, height, width);
    const z = Float32Array.from(x, (v, p) => {
      if (!Number.isFinite(v)) return Number.NaN;
      const r = v - y[p]!;
      return v - Math.sign(r) * Math.max(Math.abs(r) - t, 0);
    });
    insertPlane(out, volume.shape, axis, s, z);
  }
  return out;
}

const rms = (a: Float32Array, b: Float32Array) =>
  Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length);

describe('correct: residual shrinkage (options.shrinkage)', () => {
  it('soft-thresholds each slice correction at k times its noise level, bit for bit', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 11 });
    const volume = noisyPhantom(20, 18, 9, 6);
    for (const axis of [0, 1, 2] as const) {
      // One forward pass per slice keeps the test quick; shrinkage comes after the passes.
      const unshrunk = await correct(model, volume, { axis, flips: false, shrinkage: 0 });
      for (const k of [0.5, 1, 3]) {
        const shrunk = await correct(model, volume, { axis, flips: false, shrinkage: k });
        const expected = shrunkByHand(volume, unshrunk.corrected.data, axis, k);
        expect([axis, k, shrunk.corrected.data]).toEqual([axis, k, expected]);
        // The artefact map is what is left of the correction: input - corrected.
        expect(shrunk.artefactMap.data).toEqual(
          Float32Array.from(volume.data, (v, i) => v - expected[i]!),
        );
        expect(shrunk.corrected.affine).toEqual(volume.affine);
      }
      // The default is 1.
      expect(DEFAULT_SHRINKAGE).toBe(1);
      const byDefault = await correct(model, volume, { axis, flips: false });
      expect(byDefault.corrected.data).toEqual(
        shrunkByHand(volume, unshrunk.corrected.data, axis, 1),
      );
    }
    model.dispose();
  });

  it('is off at 0: the output bit for bit as the network gave it', async () => {
    // One voxel of 3e9 beside ones near 1: r = x - y is rounded in float64 there, so x - r
    // would not give y back; off means not computed at all.
    const volume = noisyPhantom(16, 12, 2, 4);
    const data = volume.data.slice();
    data[5] = 3e9;
    const odd = withData(volume, data);
    const { corrected } = await correct(pointwise, odd, { ...RAW, shrinkage: 0 });
    expect(corrected.data).toEqual(Float32Array.from(odd.data, (v) => 0.75 * v + 0.05));
    // With shrinkage the same voxel is shrunk, by hand.
    const shrunk = await correct(pointwise, odd, { ...RAW, shrinkage: 2 });
    expect(shrunk.corrected.data).toEqual(shrunkByHand(odd, corrected.data, 2, 2));
    expect(shrunk.corrected.data).not.toEqual(corrected.data);
  });

  it('leaves a slice whose noise level is 0 as the network gave it', async () => {
    // The phantom without noise is piecewise constant: nearly every 2x2 block is flat, σ = 0.
    const volume = phantom(16, 12, 2);
    expect(estimateNoiseSigma(extractPlane(volume.data, volume.shape, 2, 0), 12, 16)).toBe(0);
    const off = await correct(boxBlur, volume, { shrinkage: 0 });
    const on = await correct(boxBlur, volume, { shrinkage: 5 });
    expect(on.corrected.data).toEqual(off.corrected.data);
  });

  it('leaves a clean pure-noise slice closer to the input than the network does', async () => {
    const rng = createRng(4);
    const noise = createVolume({
      data: Float32Array.from({ length: 48 * 40 * 2 }, () => 500 + rng.normal(0, 10)),
      shape: [48, 40, 2],
    });
    const off = (await correct(boxBlur, noise, { shrinkage: 0 })).corrected.data;
    const on = (await correct(boxBlur, noise, { shrinkage: 1 })).corrected.data;
    const strong = (await correct(boxBlur, noise, { shrinkage: 3 })).corrected.data;
    // The blur removes about 0.94 σ of noise (RMS); at k = 1 most of that change is dropped,
    // at k = 3 nearly all of it.
    const removed = rms(off, noise.data);
    expect(removed).toBeGreaterThan(8);
    expect(rms(on, noise.data)).toBeLessThan(0.5 * removed);
    expect(rms(strong, noise.data)).toBeLessThan(0.05 * removed);
    const unchanged = on.filter((v, i) => v === noise.data[i]).length / on.length;
    expect(unchanged).toBeGreaterThan(0.6);
  });

  it('measures σ without the non-finite voxels and gives them NaN, as one pass and as split runs', async () => {
    await useBackend('cpu');
    const model = createModel(TINY, { seed: 12 });
    const base = noisyPhantom(18, 16, 9, 8, 3);
    // A NaN region (the outside of a processed image) over a third of every axial slice, and an
    // infinity: σ of the zeroed slice, with its flat zero blocks, would be far lower.
    const data = Float32Array.from(base.data, (v, i) =>
      i % 18 < 6 ? Number.NaN : i === 400 ? Number.POSITIVE_INFINITY : v,
    );
    const volume = withData(base, data);
    const zeroed = Float32Array.from(data, (v) => (Number.isFinite(v) ? v : 0));
    const plane = (d: Float32Array) => extractPlane(d, volume.shape, 2, 1);
    expect(estimateNoiseSigma(plane(zeroed), 16, 18)).toBeLessThan(
      0.9 * estimateNoiseSigma(plane(data), 16, 18),
    );
    for (const axis of [0, 1, 2] as const) {
      const options = { axis, nonFinite: 'zero-and-restore', batchSize: 2, flips: false } as const;
      const unshrunk = await correct(model, volume, { ...options, shrinkage: 0 });
      const shrunk = await correct(model, volume, { ...options, shrinkage: 1.5 });
      expect([axis, shrunk.corrected.data]).toEqual([
        axis,
        shrunkByHand(volume, unshrunk.corrected.data, axis, 1.5),
      ]);
      expect(
        data.every((v, i) => Number.isFinite(v) || Number.isNaN(shrunk.artefactMap.data[i]!)),
      ).toBe(true);
      // The runs of splitCorrection, each corrected with its options, put together: the same.
      const split = splitCorrection(volume, model.config, {
        axis,
        nonFinite: 'zero-and-restore',
        flips: false,
        shrinkage: 1.5,
      });
      expect(split.options.shrinkage).toBe(1.5);
      for (const run of split.runs(2).reverse()) {
        const { corrected } = await correct(model, createVolume(split.extract(run)), {
          ...split.options,
          batchSize: run.count,
        });
        split.insert(run, corrected.data);
      }
      const joined = split.finish();
      expect(joined.corrected.data).toEqual(shrunk.corrected.data);
      expect(joined.artefactMap.data).toEqual(shrunk.artefactMap.data);
    }
    expect(
      splitCorrection(volume, model.config, { nonFinite: 'zero-and-restore' }).options.shrinkage,
    ).toBe(1);
    model.dispose();
  });

  it('refuses a shrinkage that is not a finite number >= 0 with INVALID_ARGUMENT', async () => {
    const volume = phantom(8, 8, 1);
    for (const shrinkage of [-0.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, true]) {
      await expectMriError(() => correct(pointwise, volume, { shrinkage } as never), {
        argument: 'options.shrinkage',
        message: /^correct: options.shrinkage must be a finite number >= 0, got /,
      });
      await expectMriError(() => splitCorrection(volume, CONFIG, { shrinkage } as never), {
        argument: 'options.shrinkage',
        message: /^splitCorrection: options.shrinkage must be a finite number >= 0, got /,
      });
    }
  });
});
