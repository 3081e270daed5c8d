import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMriError, type MriErrorCode } from './mri-error.js';
import { assertVolume, createVolume, withData } from './volume.js';

function codeOf(fn: () => unknown): MriErrorCode | 'none' | 'not an MriError' {
  try {
    fn();
    return 'none';
  } catch (error) {
    return isMriError(error) ? error.code : 'not an MriError';
  }
}

const shapeArb = fc.tuple(
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 1, max: 6 }),
);

describe('createVolume', () => {
  it('keeps data, shape and a default identity affine; freezes the result', () => {
    fc.assert(
      fc.property(shapeArb, (shape) => {
        const data = new Float32Array(shape[0] * shape[1] * shape[2]).map((_, i) => i);
        const volume = createVolume({ data, shape });
        expect(volume.data).toBe(data);
        expect(volume.shape).toEqual(shape);
        expect(volume.affine).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        expect(Object.isFrozen(volume)).toBe(true);
        expect(Object.isFrozen(volume.shape)).toBe(true);
      }),
    );
  });

  it('accepts a 2-D shape as nz = 1 and copies plain arrays into float32', () => {
    const volume = createVolume({ data: [1, 2, 3, 4, 5, 6], shape: [3, 2] });
    expect(volume.shape).toEqual([3, 2, 1]);
    expect(volume.data).toBeInstanceOf(Float32Array);
    expect(Array.from(volume.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('builds a diagonal affine from spacing', () => {
    const volume = createVolume({
      data: new Float32Array(8),
      shape: [2, 2, 2],
      spacing: [0.5, 1, 3],
    });
    expect(volume.affine).toEqual([0.5, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1]);
  });

  it.each<[string, () => unknown, MriErrorCode]>([
    [
      'data of the wrong length',
      () => createVolume({ data: new Float32Array(5), shape: [2, 3, 1] }),
      'SHAPE_MISMATCH',
    ],
    [
      'a zero dimension',
      () => createVolume({ data: new Float32Array(0), shape: [0, 3, 1] }),
      'INVALID_ARGUMENT',
    ],
    [
      'a fractional dimension',
      () => createVolume({ data: new Float32Array(3), shape: [1.5, 2, 1] }),
      'INVALID_ARGUMENT',
    ],
    [
      'a 4-D shape',
      () => createVolume({ data: new Float32Array(16), shape: [2, 2, 2, 2] as never }),
      'INVALID_ARGUMENT',
    ],
    [
      'too many voxels',
      () => createVolume({ data: new Float32Array(1), shape: [65536, 65536, 1] }),
      'LIMIT_EXCEEDED',
    ],
    [
      'both affine and spacing',
      () =>
        createVolume({
          data: new Float32Array(1),
          shape: [1, 1, 1],
          spacing: [1, 1, 1],
          affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
        }),
      'INVALID_ARGUMENT',
    ],
    [
      'a string as data',
      () => createVolume({ data: 'abc' as never, shape: [3, 1, 1] }),
      'INVALID_ARGUMENT',
    ],
    ['no options', () => createVolume(undefined as never), 'INVALID_ARGUMENT'],
  ])('rejects %s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('names the argument and the value in the message', () => {
    expect(() => createVolume({ data: new Float32Array(5), shape: [2, 3, 1] })).toThrow(
      'createVolume: data must have nx*ny*nz = 6 elements for shape [2, 3, 1], got 5',
    );
  });
});

describe('withData', () => {
  it('returns a new volume with the same geometry and leaves the input untouched', () => {
    fc.assert(
      fc.property(shapeArb, fc.double({ noNaN: true, min: -1e3, max: 1e3 }), (shape, k) => {
        const n = shape[0] * shape[1] * shape[2];
        const original = new Float32Array(n).map((_, i) => i);
        const volume = createVolume({ data: original.slice(), shape, spacing: [1, 2, 3] });
        const next = withData(
          volume,
          volume.data.map((v) => v * k),
        );
        expect(next).not.toBe(volume);
        expect(next.shape).toBe(volume.shape);
        expect(next.affine).toBe(volume.affine);
        expect(volume.data).toEqual(original);
      }),
    );
  });

  it('rejects data of another length', () => {
    const volume = createVolume({ data: new Float32Array(4), shape: [2, 2] });
    expect(codeOf(() => withData(volume, new Float32Array(3)))).toBe('SHAPE_MISMATCH');
  });
});

describe('assertVolume', () => {
  it('rejects things that are not volumes', () => {
    expect(codeOf(() => assertVolume(null, 'f', 'reference'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertVolume({ data: [1], shape: [1, 1, 1] }, 'f', 'reference'))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      codeOf(() => assertVolume({ data: new Float32Array(2), shape: [1, 1, 1] }, 'f', 'reference')),
    ).toBe('SHAPE_MISMATCH');
  });
});
