import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Axis, extractPlane, extractSlab, insertPlane, insertSlab } from './slabs.js';

/** `f` throws an MriError of `code`. */
function expectCode(f: () => unknown, code: string): void {
  expect(f).toThrow(expect.objectContaining({ name: 'MriError', code }));
}

const shape = [3, 4, 5] as const;
/** Voxel (x, y, z) of the x-fastest test volume holds its own linear index. */
const data = Float32Array.from({ length: 60 }, (_, i) => i);
const at = (x: number, y: number, z: number) => x + 3 * (y + 4 * z);

const shapes = fc.tuple(
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 1, max: 6 }),
);
const axes = fc.constantFrom<Axis>(0, 1, 2);
const ramp = (s: readonly [number, number, number]) =>
  Float32Array.from({ length: s[0] * s[1] * s[2] }, (_, i) => i);

describe('extractPlane', () => {
  it('lays a slice out as the remaining axes, the faster first: rows and columns as documented', () => {
    const z = extractPlane(data, shape, 2, 2);
    expect(z).toHaveLength(12);
    expect(z[1 * 3 + 2]).toBe(at(2, 1, 2)); // row y = 1, column x = 2
    const y = extractPlane(data, shape, 1, 3);
    expect(y).toHaveLength(15);
    expect(y[4 * 3 + 1]).toBe(at(1, 3, 4)); // row z = 4, column x = 1
    const x = extractPlane(data, shape, 0, 2);
    expect(x).toHaveLength(20);
    expect(x[3 * 4 + 1]).toBe(at(2, 1, 3)); // row z = 3, column y = 1
    // Every voxel, against the definition.
    for (let k = 0; k < 5; k++)
      expect([...extractPlane(data, shape, 2, k)]).toEqual(
        Array.from({ length: 12 }, (_, i) => at(i % 3, Math.floor(i / 3), k)),
      );
    for (let k = 0; k < 4; k++)
      expect([...extractPlane(data, shape, 1, k)]).toEqual(
        Array.from({ length: 15 }, (_, i) => at(i % 3, k, Math.floor(i / 3))),
      );
    for (let k = 0; k < 3; k++)
      expect([...extractPlane(data, shape, 0, k)]).toEqual(
        Array.from({ length: 20 }, (_, i) => at(k, i % 4, Math.floor(i / 4))),
      );
  });

  it('writes into out when given, and returns it', () => {
    const out = new Float32Array(15).fill(-1);
    expect(extractPlane(data, shape, 1, 2, out)).toBe(out);
    expect(out).toEqual(extractPlane(data, shape, 1, 2));
    const z = new Float32Array(12);
    expect(extractPlane(data, shape, 2, 4, z)).toBe(z);
    expect(z).toEqual(data.subarray(48, 60));
  });

  it('copies: the plane does not share the volume’s buffer, the volume is not modified', () => {
    const volume = Float32Array.from(data);
    for (const axis of [0, 1, 2] as const) {
      const plane = extractPlane(volume, shape, axis, 0);
      plane.fill(-7);
    }
    expect(volume).toEqual(data);
  });

  it('insertPlane inverts it on every axis', () => {
    fc.assert(
      fc.property(shapes, axes, (s, axis) => {
        const source = ramp(s);
        const out = new Float32Array(source.length);
        for (let k = 0; k < s[axis]; k++)
          insertPlane(out, s, axis, k, extractPlane(source, s, axis, k));
        expect(out).toEqual(source);
      }),
    );
  });
});

describe('extractSlab', () => {
  it('holds slices start .. start + count - 1 in order; inserting every slab rebuilds the volume', () => {
    fc.assert(
      fc.property(shapes, axes, fc.integer({ min: 1, max: 4 }), (s, axis, runLength) => {
        const source = ramp(s);
        const rebuilt = new Float32Array(source.length);
        for (let start = 0; start < s[axis]; start += runLength) {
          const count = Math.min(runLength, s[axis] - start);
          const slab = extractSlab(source, s, axis, start, count);
          const own: [number, number, number] = [...s];
          own[axis] = count;
          expect(slab).toHaveLength((source.length / s[axis]) * count);
          for (let k = 0; k < count; k++)
            expect(extractPlane(slab, own, axis, k)).toEqual(
              extractPlane(source, s, axis, start + k),
            );
          insertSlab(rebuilt, s, axis, start, slab);
        }
        expect(rebuilt).toEqual(source);
      }),
    );
  });

  it('writes into out when given; a one-slice slab is the plane', () => {
    const out = new Float32Array(2 * 20);
    expect(extractSlab(data, shape, 0, 1, 2, out)).toBe(out);
    expect(out).toEqual(extractSlab(data, shape, 0, 1, 2));
    for (const axis of [0, 1, 2] as const)
      expect(extractSlab(data, shape, axis, 1, 1)).toEqual(extractPlane(data, shape, axis, 1));
  });

  it('insertSlab writes only its slices', () => {
    const target = new Float32Array(60).fill(-1);
    insertSlab(target, shape, 1, 1, extractSlab(data, shape, 1, 1, 2));
    for (let z = 0; z < 5; z++)
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 3; x++)
          expect(target[at(x, y, z)]).toBe(y === 1 || y === 2 ? at(x, y, z) : -1);
  });
});

describe('slab arguments', () => {
  it('refuses a bad buffer, shape, axis, range or out: INVALID_ARGUMENT or SHAPE_MISMATCH', () => {
    expectCode(
      () => extractPlane([0] as unknown as Float32Array, [1, 1, 1], 2, 0),
      'INVALID_ARGUMENT',
    );
    expectCode(() => extractPlane(data, [3, 4, 4], 2, 0), 'SHAPE_MISMATCH');
    expectCode(() => extractPlane(data, [3, 4, 0] as never, 2, 0), 'INVALID_ARGUMENT');
    expectCode(() => extractPlane(data, shape, 3 as Axis, 0), 'INVALID_ARGUMENT');
    expectCode(() => extractPlane(data, shape, 2, 5), 'INVALID_ARGUMENT');
    expectCode(() => extractPlane(data, shape, 2, -1), 'INVALID_ARGUMENT');
    expectCode(() => extractPlane(data, shape, 2, 0.5), 'INVALID_ARGUMENT');
    expectCode(() => extractPlane(data, shape, 2, 0, new Float32Array(11)), 'INVALID_ARGUMENT');
    expectCode(() => extractSlab(data, shape, 2, 3, 3), 'INVALID_ARGUMENT');
    expectCode(() => extractSlab(data, shape, 2, 0, 0), 'INVALID_ARGUMENT');
    const target = new Float32Array(60);
    expectCode(() => insertPlane(target, shape, 2, 0, new Float32Array(24)), 'SHAPE_MISMATCH');
    expectCode(
      () => insertPlane(target, shape, 2, 0, [1] as unknown as Float32Array),
      'INVALID_ARGUMENT',
    );
    expectCode(() => insertSlab(target, shape, 2, 0, new Float32Array(13)), 'SHAPE_MISMATCH');
    expectCode(() => insertSlab(target, shape, 2, 4, new Float32Array(24)), 'INVALID_ARGUMENT');
    expectCode(() => insertSlab(target, shape, 2, 5, new Float32Array(12)), 'INVALID_ARGUMENT');
    expect(target).toEqual(new Float32Array(60));
  });

  it('names the function and the argument', () => {
    expect(() => extractSlab(data, shape, 1, 2, 3)).toThrow(
      /^extractSlab: count must be an integer from 1 to 2 \(slices from 2 on\), got 3$/,
    );
    expect(() => insertSlab(new Float32Array(60), shape, 2, 4, new Float32Array(24))).toThrow(
      /^insertSlab: slab must fit from slice 4 along axis 2, where 1 slice remains, got 2 slices$/,
    );
  });
});
