import { codeOf } from '@duncan-mri/test-helpers';
import { createVolume, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { phantom, withNoise } from './internal/test-helpers.js';
import { vif } from './vif.js';

const x = phantom(64, 60, 1, 8);
const y = withNoise(x, 10, 9);

describe('vif', () => {
  it('is 1 for identical images (up to the 1e-10 floor of the authors code)', () => {
    expect(vif(x, x, { dataRange: 255 })).toBeCloseTo(1, 9);
  });

  it('is NaN when the reference carries no information (0/0)', () => {
    const flat = createVolume({ data: new Float32Array(64 * 60).fill(7), shape: [64, 60] });
    expect(vif(flat, y, { dataRange: 255 })).toBeNaN();
  });

  it('depends on the data range only through 255 / dataRange', () => {
    const k = 1 / 255;
    const xs = withData(
      x,
      x.data.map((v) => v * k),
    );
    const ys = withData(
      y,
      y.data.map((v) => v * k),
    );
    expect(vif(xs, ys, { dataRange: 1 })).toBeCloseTo(vif(x, y, { dataRange: 255 }), 5);
    // With a wrong range the noise floor is mis-scaled and the value changes.
    expect(Math.abs(vif(x, y, { dataRange: 1 }) - vif(x, y, { dataRange: 255 }))).toBeGreaterThan(
      1e-3,
    );
  });

  it('decreases with noise and is not symmetric', () => {
    const values = [2, 5, 10, 20].map((s) => vif(x, withNoise(x, s), { dataRange: 255 }));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]!);
    expect(vif(x, y, { dataRange: 255 })).not.toBeCloseTo(vif(y, x, { dataRange: 255 }), 4);
  });

  it('pools 3-D volumes as summed information, so blank slices add nothing', () => {
    const [nx, ny] = x.shape;
    const blank = new Float32Array(nx * ny);
    const stackRef = createVolume({
      data: new Float32Array([...x.data, ...blank]),
      shape: [nx, ny, 2],
    });
    const stackTest = createVolume({
      data: new Float32Array([...y.data, ...blank]),
      shape: [nx, ny, 2],
    });
    expect(vif(stackRef, stackTest, { dataRange: 255 })).toBeCloseTo(
      vif(x, y, { dataRange: 255 }),
      12,
    );
  });

  it.each([
    [
      'slices smaller than 41 pixels',
      () => vif(phantom(40, 64), phantom(40, 64), { dataRange: 255 }),
      /at least 41x41/,
    ],
    ['a non-positive sigmaNsq', () => vif(x, y, { dataRange: 255, sigmaNsq: 0 }), /sigmaNsq/],
    ['a negative dataRange', () => vif(x, y, { dataRange: -255 }), /dataRange/],
  ])('rejects %s', (_label, fn, message) => {
    expect(codeOf(fn)).toBe('INVALID_ARGUMENT');
    expect(fn).toThrow(message);
  });
});
