import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { phantom } from '../test/helpers.js';
import { biasField } from './bias-field.js';

describe('biasField', () => {
  it('multiplies by a field within [exp(-c), exp(c)] that reaches a bound, 2-D and 3-D', () => {
    for (const image of [
      createVolume({ data: new Float32Array(40 * 30).fill(100), shape: [40, 30] }),
      createVolume({ data: new Float32Array(12 * 10 * 8).fill(100), shape: [12, 10, 8] }),
    ]) {
      const c = 0.4;
      const out = biasField(image, { coefficient: c, seed: 3, octaves: 2 });
      let lo = Number.POSITIVE_INFINITY;
      let hi = 0;
      for (const v of out.data) {
        lo = Math.min(lo, v / 100);
        hi = Math.max(hi, v / 100);
      }
      expect(lo).toBeGreaterThanOrEqual(Math.exp(-c) * (1 - 1e-6));
      expect(hi).toBeLessThanOrEqual(Math.exp(c) * (1 + 1e-6));
      const reached = Math.max(Math.abs(Math.log(lo)), Math.abs(Math.log(hi)));
      expect(reached).toBeCloseTo(c, 5);
    }
  });

  it('is smooth: neighbouring voxels differ by little', () => {
    const image = createVolume({ data: new Float32Array(64 * 64).fill(100), shape: [64, 64] });
    const out = biasField(image, { coefficient: 0.5, seed: 1 });
    let maxStep = 0;
    for (let i = 1; i < out.data.length; i++) {
      if (i % 64 !== 0) maxStep = Math.max(maxStep, Math.abs(out.data[i]! - out.data[i - 1]!));
    }
    expect(maxStep).toBeLessThan(5); // values span about 60..165
  });

  it('uses physical spacing: the same field of view gives the same field at any resolution', () => {
    const coarse = biasField(phantom(20, 20, 1, [2, 2, 1]), { coefficient: 0.5, seed: 2 });
    const fine = biasField(phantom(40, 40, 1, [1, 1, 1]), { coefficient: 0.5, seed: 2 });
    const ratio = (v: Float32Array, i: number, ref: Float32Array) => v[i]! / ref[i]!;
    const coarseRef = phantom(20, 20, 1, [2, 2, 1]).data;
    const fineRef = phantom(40, 40, 1).data;
    // Centre voxels (inside the phantom): coarse (10, 10) at 20 mm, fine (20, 20) at 20 mm.
    expect(ratio(coarse.data, 10 + 20 * 10, coarseRef)).toBeCloseTo(
      ratio(fine.data, 20 + 40 * 20, fineRef),
      1,
    );
  });
});
