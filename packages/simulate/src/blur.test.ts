import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { blur } from './blur.js';

describe('blur', () => {
  it('an impulse becomes a normalised Gaussian whose variance is (sigmaMm / spacing)^2', () => {
    const n = 41;
    const data = new Float32Array(n * n);
    data[20 + n * 20] = 1;
    const image = createVolume({ data, shape: [n, n], spacing: [0.5, 2, 1] });
    const out = blur(image, { sigmaMm: 2 });
    let sum = 0;
    let vx = 0;
    let vy = 0;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const v = out.data[x + n * y]!;
        sum += v;
        vx += v * (x - 20) ** 2;
        vy += v * (y - 20) ** 2;
      }
    }
    expect(sum).toBeCloseTo(1, 5);
    expect(vx / sum).toBeCloseTo(16, 1); // sigma 4 voxels along x (0.5 mm)
    expect(vy / sum).toBeCloseTo(1, 1); // sigma 1 voxel along y (2 mm)
  });

  it('leaves a constant image constant (mirrored borders)', () => {
    const image = createVolume({ data: new Float32Array(10 * 9 * 8).fill(7), shape: [10, 9, 8] });
    const out = blur(image, { sigmaMm: [1, 2, 3] });
    for (const v of out.data) expect(v).toBeCloseTo(7, 5);
  });
});
