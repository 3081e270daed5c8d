import { describe, expect, it } from 'vitest';
import { estimateNoiseSigma } from './noise-sigma.js';
import { createRng } from './rng.js';

/** `height x width` voxels of white noise of standard deviation `sigma` around `mean`. */
function noise(height: number, width: number, sigma: number, seed = 1, mean = 0): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: height * width }, () => rng.normal(mean, sigma));
}

describe('estimateNoiseSigma', () => {
  it('estimates the standard deviation of white noise', () => {
    for (const sigma of [0.5, 7, 300]) {
      const estimate = estimateNoiseSigma(noise(256, 192, sigma, 3, 1000), 256, 192);
      expect(Math.abs(estimate / sigma - 1)).toBeLessThan(0.03);
    }
  });

  it('is blind to a plane and to a few strong edges, and scales with the intensities', () => {
    const [height, width] = [64, 48];
    const base = Float32Array.from(noise(height, width, 4, 5), (v) => Math.round(v * 8) / 8);
    const sigma = estimateNoiseSigma(base, height, width);
    // A plane a + b x + c y (exact in float32 here): every diagonal detail is unchanged.
    const tilted = base.map((v, i) => v + 100 + 2 * (i % width) - 3 * Math.floor(i / width));
    expect(estimateNoiseSigma(tilted, height, width)).toBe(sigma);
    // Scaled by 4 and negated: 4 times the estimate.
    expect(
      estimateNoiseSigma(
        base.map((v) => -4 * v),
        height,
        width,
      ),
    ).toBe(4 * sigma);
    // A bright disc: only the blocks on its rim change, and the median hardly moves.
    const disc = base.map((v, i) => {
      const [x, y] = [(i % width) - 24, Math.floor(i / width) - 32];
      return x * x + y * y < 15 * 15 ? v + 500 : v;
    });
    expect(Math.abs(estimateNoiseSigma(disc, height, width) / sigma - 1)).toBeLessThan(0.1);
  });

  it('reads blocks from row 0 and column 0 and leaves an odd last row and column out', () => {
    // One block [[1, 4], [9, 3.5]]: |1 - 4 - 9 + 3.5| / 2 = 4.25; the extra row and column of
    // the 3x3 image are not read.
    expect(estimateNoiseSigma(Float32Array.of(1, 4, 9, 3.5), 2, 2)).toBe(4.25 / 0.6745);
    const padded = Float32Array.of(1, 4, 1e6, 9, 3.5, -1e6, 7e5, Number.NaN, 3);
    expect(estimateNoiseSigma(padded, 3, 3)).toBe(4.25 / 0.6745);
    // The transposed image has the same blocks.
    const image = noise(10, 6, 2, 9);
    const transposed = Float32Array.from(
      { length: 60 },
      (_, i) => image[(i % 10) * 6 + Math.floor(i / 10)]!,
    );
    expect(estimateNoiseSigma(transposed, 6, 10)).toBe(estimateNoiseSigma(image, 10, 6));
  });

  it('takes the mean of the middle two of an even count, leaves non-finite blocks out, and gives 0 without a block', () => {
    // Blocks 0, 1, 2, 3 (details 0, 1, 2, 3): median 1.5.
    const image = Float32Array.of(0, 0, 2, 0, 0, 0, 0, 0, 0, 4, 6, 0, 0, 0, 0, 0);
    expect(estimateNoiseSigma(image, 4, 4)).toBe(1.5 / 0.6745);
    // A NaN in the block whose detail is 3: the median of 0, 1, 2.
    const nan = image.slice();
    nan[15] = Number.NaN;
    expect(estimateNoiseSigma(nan, 4, 4)).toBe(1 / 0.6745);
    const inf = image.slice();
    inf[15] = Number.POSITIVE_INFINITY;
    expect(estimateNoiseSigma(inf, 4, 4)).toBe(1 / 0.6745);
    expect(estimateNoiseSigma(Float32Array.of(1, 2, 3, 4, 5), 1, 5)).toBe(0);
    expect(estimateNoiseSigma(Float32Array.of(1, 2, 3, 4, 5), 5, 1)).toBe(0);
    expect(estimateNoiseSigma(Float32Array.of(Number.NaN, 1, 2, 3), 2, 2)).toBe(0);
    expect(estimateNoiseSigma(new Float32Array(64).fill(7), 8, 8)).toBe(0);
  });

  it('refuses a bad image or size with an MriError naming the argument', () => {
    const cases: [() => unknown, string, string][] = [
      [() => estimateNoiseSigma([1, 2, 3, 4] as never, 2, 2), 'INVALID_ARGUMENT', 'image'],
      [() => estimateNoiseSigma(new Float32Array(4), 0, 4), 'INVALID_ARGUMENT', 'height'],
      [() => estimateNoiseSigma(new Float32Array(4), 2, 1.5), 'INVALID_ARGUMENT', 'width'],
      [() => estimateNoiseSigma(new Float32Array(5), 2, 2), 'SHAPE_MISMATCH', 'image'],
    ];
    for (const [f, code, argument] of cases) {
      expect(f).toThrow(expect.objectContaining({ name: 'MriError', code, argument }));
    }
    expect(() => estimateNoiseSigma(new Float32Array(5), 2, 2)).toThrow(
      'estimateNoiseSigma: image must hold height*width = 4 voxels, got a Float32Array of length 5',
    );
  });
});
