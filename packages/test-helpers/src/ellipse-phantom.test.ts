import { spacing } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { ellipsePhantom } from './ellipse-phantom.js';

describe('ellipsePhantom', () => {
  it('has a bright core, a dark square and a background, 2-D for nz = 1', () => {
    const p = ellipsePhantom(20, 20);
    const at = (x: number, y: number) => p.data[x + 20 * y];
    expect(p.shape).toEqual([20, 20, 1]);
    expect(spacing(p.affine)).toEqual([1, 1, 1]);
    expect(at(9, 10)).toBe(160);
    expect(at(13, 8)).toBe(40); // u = 0.3, v = -0.2: the square's centre
    expect(at(0, 0)).toBe(0);
    expect(new Set(p.data)).toEqual(new Set([0, 100, 160, 40]));
  });

  it('takes its values, shift, z extent, texture and spacing from the options', () => {
    const base = ellipsePhantom(16, 14, 20, { zRadius: 0.6, spacing: [1, 1.5, 2] });
    expect(spacing(base.affine)).toEqual([1, 1.5, 2]);
    // The first slice (w = 0.475 nz) lies outside a 0.45 nz ellipsoid but inside a 0.6 nz one
    // (the dark square is on every slice).
    expect(ellipsePhantom(16, 14, 20).data.subarray(0, 224).includes(100)).toBe(false);
    expect(base.data.subarray(0, 224).includes(100)).toBe(true);
    const flat = ellipsePhantom(16, 14, 5, { zRadius: Number.POSITIVE_INFINITY });
    expect(flat.data.subarray(0, 224)).toEqual(flat.data.subarray(2 * 224, 3 * 224));
    const shifted = ellipsePhantom(16, 14, 2, { shift: (z) => 3 * z, zRadius: Infinity });
    for (let y = 0; y < 14; y++)
      for (let x = 3; x < 16; x++)
        expect(shifted.data[224 + x + 16 * y]).toBe(shifted.data[x - 3 + 16 * y]);
    const scaled = ellipsePhantom(16, 14, 1, { values: [1, 2, 3, 4], texture: () => 0.5 });
    expect(new Set(scaled.data)).toEqual(new Set([1.5, 2.5, 3.5, 4.5]));
  });
});
