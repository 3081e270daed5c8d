import { codeOf } from '@duncan-mri/test-helpers';
import { createRng, createVolume, type Volume } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brainMask } from './brain-mask.js';
import { dice } from './dice.js';
import { phantom, sameBytes, volumeShape } from './internal/test-helpers.js';

/**
 * A synthetic T1 "head" on a 2 mm grid: brain (100, with a dark ventricle), a CSF gap (20),
 * skull (5), scalp (90) and a thin bright "optic nerve" joining brain and scalp; noise sigma 4.
 */
function head(nx: number, ny: number, nz: number, stripped = false) {
  const rng = createRng(3);
  const data = new Float32Array(nx * ny * nz);
  const truth = new Float32Array(nx * ny * nz);
  const scalp = new Uint8Array(nx * ny * nz);
  const c = [(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2];
  const r = [nx * 0.33, ny * 0.33, nz > 1 ? nz * 0.33 : 1];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const u = (x - c[0]!) / r[0]!;
        const v = (y - c[1]!) / r[1]!;
        const w = nz > 1 ? (z - c[2]!) / r[2]! : 0;
        const d = Math.sqrt(u * u + v * v + w * w);
        const i = x + nx * (y + ny * z);
        let value = 0;
        if (d < 1) {
          value = Math.hypot(u / 0.3, v / 0.12, w / 0.3) < 1 ? 20 : 100;
          truth[i] = 1;
        } else if (d < 1.12) value = 20;
        else if (d < 1.22) value = 5;
        else if (d < 1.35) {
          value = 90;
          scalp[i] = 1;
        }
        // The "optic nerve": a bright rod along +y from the brain through the scalp.
        if (d >= 1 && d < 1.35 && v > 0 && Math.abs(x - c[0]!) <= 1 && Math.abs(z - c[2]!) <= 1) {
          value = 95;
        }
        if (stripped && truth[i] === 0) value = 0;
        else if (value > 0) value += rng.normal(0, 4);
        data[i] = value;
      }
    }
  }
  const spacing = [2, 2, 2] as const;
  return {
    volume: createVolume({ data, shape: [nx, ny, nz], spacing }),
    truth: createVolume({ data: truth, shape: [nx, ny, nz], spacing }),
    scalp,
  };
}

function maskDice(truth: Volume, mask: Uint8Array): number {
  return dice(truth, createVolume({ data: mask, shape: truth.shape }), { classes: 1 }).perClass[0]!;
}

describe('brainMask', () => {
  it('finds the brain of a 3-D head, fills the ventricle and leaves out skull and scalp', () => {
    const { volume, truth, scalp } = head(72, 80, 64);
    const before = Float32Array.from(volume.data);
    const mask = brainMask(volume);
    expect(maskDice(truth, mask)).toBeGreaterThanOrEqual(0.97);
    let inScalp = 0;
    let scalpVoxels = 0;
    for (let i = 0; i < mask.length; i++) {
      scalpVoxels += scalp[i]!;
      if (scalp[i] && mask[i]) inScalp++;
    }
    expect(inScalp / scalpVoxels).toBeLessThan(0.01);
    const centre = 36 + 72 * (40 + 80 * 32);
    expect(mask[centre]).toBe(1); // the ventricle
    expect(sameBytes(volume.data, before)).toBe(true);
    expect(sameBytes(brainMask(volume), mask)).toBe(true);
  });

  it('works in 2-D and on a skull-stripped brain', () => {
    const slice = head(120, 140, 1);
    expect(maskDice(slice.truth, brainMask(slice.volume))).toBeGreaterThanOrEqual(0.97);
    const stripped = head(72, 80, 64, true);
    expect(maskDice(stripped.truth, brainMask(stripped.volume))).toBeGreaterThanOrEqual(0.98);
  });

  it('falls back to the largest thresholded piece when the erosion leaves nothing', () => {
    const data = new Float32Array(64);
    for (const i of [18, 19, 20, 26, 27, 28, 34, 35, 36]) data[i] = 50;
    data[63] = 50; // a smaller piece
    const mask = brainMask(createVolume({ data, shape: [8, 8] }));
    expect(Array.from(mask).flatMap((m, i) => (m ? [i] : []))).toEqual([
      18, 19, 20, 26, 27, 28, 34, 35, 36,
    ]);
  });

  it('is binary, deterministic and leaves its input alone on any non-constant image (property)', () => {
    fc.assert(
      fc.property(
        volumeShape(2, 24, 6),
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        ([nx, ny, nz], seed, sp) => {
          const blobs = phantom(nx, ny, nz, seed);
          const volume = createVolume({
            data: blobs.data,
            shape: blobs.shape,
            spacing: [sp, sp, 2 * sp],
          });
          const before = Float32Array.from(volume.data);
          if (volume.data.every((x) => x === volume.data[0])) {
            expect(codeOf(() => brainMask(volume))).toBe('INVALID_ARGUMENT');
            return;
          }
          const mask = brainMask(volume);
          expect(mask.length).toBe(volume.data.length);
          expect(mask.every((m) => m === 0 || m === 1)).toBe(true);
          expect(mask.some((m) => m === 1)).toBe(true);
          expect(sameBytes(brainMask(volume), mask)).toBe(true);
          expect(sameBytes(volume.data, before)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('uses a given threshold', () => {
    const data = Float32Array.from({ length: 100 }, (_, i) => (i % 10 < 5 ? 10 : 60));
    const volume = createVolume({ data, shape: [10, 10] });
    const all = brainMask(volume, { threshold: 5, erosionMm: 0, closingMm: 0 });
    expect(all.every((m) => m === 1)).toBe(true);
    const right = brainMask(volume, { threshold: 30, erosionMm: 0, closingMm: 0 });
    expect(Array.from(right)).toEqual(Array.from(data, (v) => (v > 30 ? 1 : 0)));
  });

  const v = head(24, 24, 1).volume;
  it.each([
    [
      'a constant volume',
      () => brainMask(createVolume({ data: new Float32Array(16).fill(7), shape: [4, 4] })),
      'INVALID_ARGUMENT',
    ],
    ['a threshold above every voxel', () => brainMask(v, { threshold: 1e6 }), 'INVALID_ARGUMENT'],
    ['a NaN threshold', () => brainMask(v, { threshold: Number.NaN }), 'INVALID_ARGUMENT'],
    ['a negative erosionMm', () => brainMask(v, { erosionMm: -1 }), 'INVALID_ARGUMENT'],
    [
      'a non-numeric closingMm',
      () => brainMask(v, { closingMm: '5' as never }),
      'INVALID_ARGUMENT',
    ],
    ['options that are not an object', () => brainMask(v, 3 as never), 'INVALID_ARGUMENT'],
    [
      'a NaN voxel',
      () => brainMask(createVolume({ data: [0, 1, Number.NaN, 3], shape: [2, 2] })),
      'INVALID_ARGUMENT',
    ],
    ['not a volume', () => brainMask(null as never), 'INVALID_ARGUMENT'],
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
