import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume, type Volume } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headMask } from './head-mask.js';
import { headPhantom } from './internal/head-phantom.js';
import { fillHoles, largestComponent } from './internal/morphology.js';
import { phantom, sameBytes, volumeShape } from './internal/test-helpers.js';

/** Per z slice: the mask is one 4-connected piece without holes (or empty). */
function oneSolidPiecePerSlice(mask: Uint8Array, shape: Volume['shape']): boolean {
  const [nx, ny, nz] = shape;
  const grid = [nx, ny, 1] as const;
  for (let z = 0; z < nz; z++) {
    const slice = mask.slice(z * nx * ny, (z + 1) * nx * ny);
    if (slice.every((m) => m === 0)) continue;
    if (!sameBytes(largestComponent(slice, grid), slice)) return false;
    if (!sameBytes(fillHoles(slice, grid), slice)) return false;
  }
  return true;
}

describe('headMask', () => {
  it('finds the head of a phantom: the dark skull and ventricle filled, the noisy air left out', () => {
    const { volume, head } = headPhantom(48, 40, 6);
    const before = Float32Array.from(volume.data);
    const mask = headMask(volume);
    let disagree = 0;
    let skull = 0;
    let skullIn = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] !== head[i]) disagree++;
      if (head[i] && volume.data[i]! < 20) {
        skull++;
        skullIn += mask[i]!;
      }
    }
    // the dark skull separates scalp ring and brain: only hole filling joins them into one piece;
    // only voxels on the ellipse's rim may differ
    expect(disagree / head.reduce((a, b) => a + b, 0)).toBeLessThan(0.03);
    expect(skull).toBeGreaterThan(100);
    expect(skullIn).toBe(skull);
    expect(oneSolidPiecePerSlice(mask, volume.shape)).toBe(true);
    expect(sameBytes(volume.data, before)).toBe(true);
  });

  it('keeps only the largest piece per slice and leaves slices without anatomy empty', () => {
    const [nx, ny] = [16, 12];
    const data = new Float32Array(nx * ny * 3);
    // slice 0: a 4x4 block and a 2x2 speck; slice 1: nothing; slice 2: a ring with a hole
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) data[x + nx * y] = 100;
    for (let y = 8; y < 10; y++) for (let x = 12; x < 14; x++) data[x + nx * y] = 100;
    for (let y = 3; y < 9; y++)
      for (let x = 5; x < 11; x++)
        if (y === 3 || y === 8 || x === 5 || x === 10) data[x + nx * (y + ny * 2)] = 100;
    const mask = headMask(createVolume({ data, shape: [nx, ny, 3] }));
    const at = (x: number, y: number, z: number) => mask[x + nx * (y + ny * z)];
    expect(at(3, 3, 0)).toBe(1);
    expect(at(12, 8, 0)).toBe(0);
    expect(mask.subarray(nx * ny, 2 * nx * ny).every((m) => m === 0)).toBe(true);
    expect(at(7, 5, 2)).toBe(1); // the hole
    expect(mask.subarray(2 * nx * ny).reduce((a, b) => a + b, 0)).toBe(36);
  });

  it('is binary, one solid piece per slice, deterministic and scale-free (property)', () => {
    fc.assert(
      fc.property(
        volumeShape(2, 20, 4),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: -6, max: 6 }),
        ([nx, ny, nz], seed, power) => {
          const volume = phantom(nx, ny, nz, seed);
          const before = Float32Array.from(volume.data);
          const mask = headMask(volume);
          expect(mask.length).toBe(volume.data.length);
          expect(mask.every((m) => m === 0 || m === 1)).toBe(true);
          expect(mask.some((m) => m === 1)).toBe(true);
          expect(oneSolidPiecePerSlice(mask, volume.shape)).toBe(true);
          expect(sameBytes(headMask(volume), mask)).toBe(true);
          expect(sameBytes(volume.data, before)).toBe(true);
          // a fraction of the robust maximum: multiplying by 2^k changes nothing
          const scaled = createVolume({
            data: volume.data.map((v) => v * 2 ** power),
            shape: volume.shape,
          });
          expect(sameBytes(headMask(scaled), mask)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes a fraction, a percentile, an explicit threshold or Otsu', () => {
    const data = Float32Array.from({ length: 144 }, (_, i) => (i % 12 < 6 ? 10 : 60));
    const volume = createVolume({ data, shape: [12, 12] });
    const right = Array.from(data, (v) => (v > 30 ? 1 : 0));
    expect(headMask(volume).every((m) => m === 1)).toBe(true); // 10 % of 60 = 6: all
    expect(Array.from(headMask(volume, { fraction: 0.5 }))).toEqual(right);
    const lowPercentile = headMask(volume, { fraction: 0.5, robustMaxPercentile: 0 });
    expect(lowPercentile.every((m) => m === 1)).toBe(true); // 50 % of 10
    expect(Array.from(headMask(volume, { threshold: 30 }))).toEqual(right);
    expect(Array.from(headMask(volume, { threshold: 'otsu' }))).toEqual(right);
    expect(headMask(volume, { threshold: 5 }).every((m) => m === 1)).toBe(true);
  });

  const v = headPhantom(16, 16, 1).volume;
  it.each([
    [
      'an all-zero image',
      () => headMask(createVolume({ data: new Float32Array(16), shape: [4, 4] })),
    ],
    ['a threshold above every voxel', () => headMask(v, { threshold: 1e6 })],
    ['a fraction above 1', () => headMask(v, { fraction: 1.5 })],
    ['a NaN fraction', () => headMask(v, { fraction: Number.NaN })],
    ['a percentile above 100', () => headMask(v, { robustMaxPercentile: 101 })],
    ['a string threshold', () => headMask(v, { threshold: 'mean' as never })],
    [
      'Otsu on a constant image',
      () =>
        headMask(createVolume({ data: new Float32Array(16).fill(3), shape: [4, 4] }), {
          threshold: 'otsu',
        }),
    ],
    ['options that are not an object', () => headMask(v, 3 as never)],
    ['a NaN voxel', () => headMask(createVolume({ data: [0, 1, Number.NaN, 3], shape: [2, 2] }))],
    ['not a volume', () => headMask(null as never)],
  ] as const)('rejects %s with INVALID_ARGUMENT', (_label, fn) => {
    expect(codeOf(fn)).toBe('INVALID_ARGUMENT');
  });
});
