import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  affineFromSpacing,
  applyAffine,
  identityAffine,
  invertAffine,
  orientation,
  spacing,
  validateAffine,
} from './affine.js';
import { isMriError } from './mri-error.js';

const finite = fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true });
const sizes = fc.double({ min: 0.1, max: 10, noNaN: true });

/** A random affine: rotation (from three angles) times positive zooms, plus a translation. */
const affineArb = fc
  .tuple(
    fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
    fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
    fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
    fc.tuple(sizes, sizes, sizes),
    fc.tuple(finite, finite, finite),
  )
  .map(([a, b, c, zooms, t]) => {
    const rx = [1, 0, 0, 0, Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a)];
    const ry = [Math.cos(b), 0, Math.sin(b), 0, 1, 0, -Math.sin(b), 0, Math.cos(b)];
    const rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
    const mul = (p: number[], q: number[]) =>
      [0, 1, 2].flatMap((i) =>
        [0, 1, 2].map(
          (j) => p[i * 3]! * q[j]! + p[i * 3 + 1]! * q[3 + j]! + p[i * 3 + 2]! * q[6 + j]!,
        ),
      );
    const r = mul(mul(rz, ry), rx);
    const m = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => r[i * 3 + j]! * zooms[j]!));
    return {
      zooms,
      affine: [
        m[0]!,
        m[1]!,
        m[2]!,
        t[0],
        m[3]!,
        m[4]!,
        m[5]!,
        t[1],
        m[6]!,
        m[7]!,
        m[8]!,
        t[2],
        0,
        0,
        0,
        1,
      ],
    };
  });

describe('affine helpers', () => {
  it('identity is RAS with 1 mm voxels', () => {
    expect(orientation(identityAffine()).join('')).toBe('RAS');
    expect(spacing(identityAffine())).toEqual([1, 1, 1]);
  });

  it('spacing returns the column norms (nibabel voxel_sizes)', () => {
    fc.assert(
      fc.property(affineArb, ({ affine, zooms }) => {
        const s = spacing(affine);
        for (let i = 0; i < 3; i++) expect(s[i]).toBeCloseTo(zooms[i]!, 9);
      }),
    );
  });

  it('invertAffine composes with applyAffine to the identity', () => {
    fc.assert(
      fc.property(affineArb, fc.tuple(finite, finite, finite), ({ affine }, p) => {
        const back = applyAffine(invertAffine(affine), applyAffine(affine, p));
        for (let i = 0; i < 3; i++) expect(back[i]).toBeCloseTo(p[i]!, 6);
      }),
    );
  });

  it('inverting twice gives the affine back', () => {
    fc.assert(
      fc.property(affineArb, ({ affine }) => {
        const twice = invertAffine(invertAffine(affine));
        for (let i = 0; i < 16; i++) expect(twice[i]).toBeCloseTo(affine[i]!, 6);
      }),
    );
  });

  it('orientation gives nibabel aff2axcodes codes for axis permutations and flips', () => {
    // LPS (DICOM patient axes): x runs to the left, y to the posterior, z superior.
    expect(orientation([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]).join('')).toBe('LPS');
    // KmeansTest_T1UCharRaw.nii.gz in the ITK examples is LSA (nibabel: ('L', 'S', 'A')).
    expect(orientation([-2, 0, 0, 0, 0, 0, 3, 0, 0, 2, 0, 0, 0, 0, 0, 1]).join('')).toBe('LSA');
    // 10 degrees oblique about z is still RAS.
    const c = Math.cos(Math.PI / 18);
    const s = Math.sin(Math.PI / 18);
    expect(orientation([c, -s, 0, 0, s, c, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]).join('')).toBe('RAS');
  });

  it('orientation always returns one code per world axis', () => {
    fc.assert(
      fc.property(affineArb, ({ affine }) => {
        const codes = orientation(affine);
        const axes = codes.map((code) => 'RLAPSI'.indexOf(code) >> 1).sort();
        expect(axes).toEqual([0, 1, 2]);
      }),
    );
  });

  it('affineFromSpacing is diagonal', () => {
    expect(affineFromSpacing([0.5, 2, 3])).toEqual([
      0.5, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1,
    ]);
  });

  it.each([
    ['wrong length', [1, 0, 0]],
    ['NaN', [Number.NaN, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]],
    ['bad last row', [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1]],
    ['singular', [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]],
    ['not an array', 'RAS'],
  ])('rejects an affine that is %s with INVALID_ARGUMENT', (_label, affine) => {
    let error: unknown;
    try {
      validateAffine(affine, 'test');
    } catch (e) {
      error = e;
    }
    expect(isMriError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(/^test: affine/);
  });

  it('rejects non-positive spacing', () => {
    expect(() => affineFromSpacing([1, 0, 1])).toThrow(/spacingMm\[1\] must be a positive/);
    expect(() => affineFromSpacing([1, 1, Number.NaN])).toThrow(/spacingMm\[2\]/);
  });
});
