import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { dice } from './dice.js';
import { sliceDice } from './slice-dice.js';

describe('sliceDice', () => {
  it('is dice of each z slice on its own; an unlabelled slice has mean NaN', () => {
    const [nx, ny, nz] = [4, 3, 3];
    const a = Float32Array.from({ length: nx * ny * nz }, (_, i) => (i < 2 * nx * ny ? i % 4 : 0));
    const b = Float32Array.from(a, (v, i) => (i % 5 === 0 ? (v + 1) % 4 : v));
    b.fill(0, 2 * nx * ny);
    const reference = createVolume({ data: a, shape: [nx, ny, nz] });
    const test = createVolume({ data: b, shape: [nx, ny, nz] });
    const perSlice = sliceDice(reference, test, { classes: 3 });
    expect(perSlice).toHaveLength(nz);
    for (let z = 0; z < 2; z++) {
      const pick = (v: Float32Array) =>
        createVolume({ data: v.slice(nx * ny * z, nx * ny * (z + 1)), shape: [nx, ny] });
      expect(perSlice[z]).toEqual(dice(pick(a), pick(b), { classes: 3 }));
    }
    expect(perSlice[2]!.mean).toBeNaN();
    expect(perSlice[2]!.perClass.every(Number.isNaN)).toBe(true);
    expect(sliceDice(reference, reference, { classes: 3 }).map((d) => d.mean)).toEqual([
      1,
      1,
      Number.NaN,
    ]);
  });

  it('a mask restricts every slice; bad labels are refused under its own name', () => {
    const labels = createVolume({ data: Float32Array.from([1, 2, 1, 2]), shape: [2, 1, 2] });
    const other = createVolume({ data: Float32Array.from([1, 1, 2, 2]), shape: [2, 1, 2] });
    const mask = Uint8Array.from([1, 0, 0, 1]);
    expect(sliceDice(labels, other, { classes: 2, mask }).map((d) => d.mean)).toEqual([1, 1]);
    const bad = createVolume({ data: Float32Array.from([1, 2.5, 0, 0]), shape: [2, 1, 2] });
    expect(codeOf(() => sliceDice(labels, bad, { classes: 2 }))).toBe('INVALID_ARGUMENT');
    expect(() => sliceDice(labels, bad, { classes: 2 })).toThrow(/^sliceDice: test must hold/);
    expect(codeOf(() => sliceDice(labels, labels, { classes: 0 }))).toBe('INVALID_ARGUMENT');
  });
});
