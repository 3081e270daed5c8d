import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dice } from './dice.js';
import { badMaskCases } from './internal/test-helpers.js';

const labelVolumes = fc
  .record({
    nx: fc.integer({ min: 1, max: 8 }),
    ny: fc.integer({ min: 1, max: 8 }),
    nz: fc.integer({ min: 1, max: 3 }),
    classes: fc.integer({ min: 1, max: 5 }),
  })
  .chain(({ nx, ny, nz, classes }) =>
    fc.record({
      shape: fc.constant([nx, ny, nz] as const),
      classes: fc.constant(classes),
      a: fc.array(fc.integer({ min: 0, max: classes }), {
        minLength: nx * ny * nz,
        maxLength: nx * ny * nz,
      }),
      b: fc.array(fc.integer({ min: 0, max: classes }), {
        minLength: nx * ny * nz,
        maxLength: nx * ny * nz,
      }),
    }),
  );

describe('dice', () => {
  it('is 1 for identical labels (every class present), NaN for absent classes', () => {
    fc.assert(
      fc.property(labelVolumes, ({ shape, classes, a }) => {
        const v = createVolume({ data: a, shape });
        const { perClass, mean } = dice(v, v, { classes });
        perClass.forEach((d, k) => {
          if (a.includes(k + 1)) expect(d).toBe(1);
          else expect(d).toBeNaN();
        });
        if (a.some((l) => l > 0)) expect(mean).toBe(1);
        else expect(mean).toBeNaN();
      }),
    );
  });

  it('is symmetric and within [0, 1]', () => {
    fc.assert(
      fc.property(labelVolumes, ({ shape, classes, a, b }) => {
        const va = createVolume({ data: a, shape });
        const vb = createVolume({ data: b, shape });
        const ab = dice(va, vb, { classes });
        const ba = dice(vb, va, { classes });
        expect(ab).toEqual(ba);
        for (const d of ab.perClass) if (!Number.isNaN(d)) expect(d >= 0 && d <= 1).toBe(true);
      }),
    );
  });

  it('equals 2|A∩B| / (|A| + |B|) on a worked example, and a mask restricts it', () => {
    const a = createVolume({ data: [1, 1, 1, 2, 2, 0], shape: [6, 1] });
    const b = createVolume({ data: [1, 1, 2, 2, 0, 0], shape: [6, 1] });
    const { perClass, mean } = dice(a, b, { classes: 3 });
    expect(perClass[0]).toBeCloseTo((2 * 2) / (3 + 2), 15);
    expect(perClass[1]).toBeCloseTo((2 * 1) / (2 + 2), 15);
    expect(perClass[2]).toBeNaN();
    expect(mean).toBeCloseTo((0.8 + 0.5) / 2, 15);
    const masked = dice(a, b, { classes: 2, mask: Uint8Array.from([1, 1, 0, 1, 0, 0]) });
    expect(masked.perClass).toEqual([1, 1]);
  });

  it('gives 0 for disjoint classes', () => {
    const a = createVolume({ data: [1, 1, 0, 0], shape: [2, 2] });
    const b = createVolume({ data: [0, 0, 1, 1], shape: [2, 2] });
    expect(dice(a, b, { classes: 1 }).perClass).toEqual([0]);
  });

  const v = createVolume({ data: [0, 1, 2, 1], shape: [2, 2] });
  it.each([
    ['classes missing', () => dice(v, v, {} as never), 'INVALID_ARGUMENT'],
    ['options missing', () => dice(v, v, undefined as never), 'INVALID_ARGUMENT'],
    ['classes 0', () => dice(v, v, { classes: 0 }), 'INVALID_ARGUMENT'],
    ['a label above classes', () => dice(v, v, { classes: 1 }), 'INVALID_ARGUMENT'],
    [
      'a fractional label',
      () => dice(createVolume({ data: [0, 1.5, 1, 1], shape: [2, 2] }), v, { classes: 2 }),
      'INVALID_ARGUMENT',
    ],
    [
      'a negative label',
      () => dice(v, createVolume({ data: [-1, 1, 1, 1], shape: [2, 2] }), { classes: 2 }),
      'INVALID_ARGUMENT',
    ],
    [
      'a shape mismatch',
      () => dice(v, createVolume({ data: [0, 1, 2, 1], shape: [4, 1] }), { classes: 2 }),
      'SHAPE_MISMATCH',
    ],
    ...badMaskCases((mask) => dice(v, v, { classes: 2, mask }), 4, 3),
  ] as const)('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
