import { createRng, createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { argumentError, expectMriError, phantom } from '../test/helpers.js';
import { simulate } from './simulate.js';
import { simulateSlices } from './simulate-slices.js';

describe('simulateSlices', () => {
  const [nx, ny, nz] = [24, 20, 3];
  const volume = phantom(nx, ny, nz, [1, 1.5, 3]);
  const step = { artefact: 'ghosting', severity: 'severe' } as const;

  it('is simulate on each z slice in order, with one generator; the input is untouched', () => {
    const before = Float32Array.from(volume.data);
    const { volume: out, applied } = simulateSlices(volume, [step], createRng(4));
    const rng = createRng(4);
    for (let z = 0; z < nz; z++) {
      const slice = createVolume({
        data: volume.data.slice(nx * ny * z, nx * ny * (z + 1)),
        shape: [nx, ny, 1],
        affine: volume.affine,
      });
      const expected = simulate(slice, [step], rng);
      expect(out.data.subarray(nx * ny * z, nx * ny * (z + 1))).toEqual(expected.volume.data);
      expect(applied[z]).toEqual(expected.applied);
    }
    expect(out.shape).toEqual(volume.shape);
    expect(out.affine).toEqual(volume.affine);
    expect(volume.data).toEqual(before);
    expect(simulateSlices(volume, [step], createRng(4), { axis: 2 }).volume.data).toEqual(out.data);
  });

  it('along x and y: 2-D slices with the in-plane spacing, written back in place', () => {
    const motion = { artefact: 'motion', severity: 'severe' } as const;
    const alongY = simulateSlices(volume, [motion], createRng(5), { axis: 1 });
    const rng = createRng(5);
    for (let y = 0; y < ny; y++) {
      const data = new Float32Array(nx * nz);
      for (let z = 0; z < nz; z++)
        for (let x = 0; x < nx; x++) data[x + nx * z] = volume.data[x + nx * (y + ny * z)]!;
      const slice = createVolume({ data, shape: [nx, nz], spacing: [1, 3, 1.5] });
      const expected = simulate(slice, [motion], rng).volume.data;
      for (let z = 0; z < nz; z++)
        for (let x = 0; x < nx; x++)
          expect(alongY.volume.data[x + nx * (y + ny * z)]).toBe(expected[x + nx * z]);
    }
    const alongX = simulateSlices(volume, [motion], createRng(4), { axis: 0 });
    expect(alongX.volume.shape).toEqual(volume.shape);
    expect(alongX.applied).toHaveLength(nx);
    expect(alongX.volume.data).not.toEqual(volume.data);
  });

  it('a single slice is simulated as it is', () => {
    const flat = phantom(nx, ny);
    const { volume: out, applied } = simulateSlices(flat, [step], createRng(1));
    const expected = simulate(flat, [step], createRng(1));
    expect(out.data).toEqual(expected.volume.data);
    expect(applied).toEqual([expected.applied]);
  });

  it('refuses a bad axis, generator or volume', () => {
    expectMriError(
      () => simulateSlices(volume, [step], createRng(1), { axis: 3 as 2 }),
      argumentError('options.axis'),
    );
    expectMriError(() => simulateSlices(volume, [step], {} as never), argumentError('rng'));
    const bad = createVolume({ data: new Float32Array(nx * ny).fill(Number.NaN), shape: [nx, ny] });
    expectMriError(() => simulateSlices(bad, [step], createRng(1)), argumentError('volume'));
    expect(() => simulateSlices(bad, [step], createRng(1))).toThrow(/^simulateSlices: /);
  });
});
