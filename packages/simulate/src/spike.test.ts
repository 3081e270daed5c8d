import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { spike } from './spike.js';

describe('spike', () => {
  it('a spike at a quarter of k-space on a constant image adds the expected stripe', () => {
    const c = 10;
    const image = createVolume({ data: new Float32Array(16 * 8).fill(c), shape: [16, 8] });
    const a = 0.5;
    const out = spike(image, { positions: [[0.25, 0, 0]], intensity: a });
    // K(DC) = 128 c; the spike adds a * 128 c at kx = 4: image = c + a c exp(2 pi i x / 4).
    for (let x = 0; x < 16; x++) {
      const re = c + a * c * Math.cos((2 * Math.PI * x) / 4);
      const im = a * c * Math.sin((2 * Math.PI * x) / 4);
      expect(out.data[x + 16 * 3]!).toBeCloseTo(Math.hypot(re, im), 4);
    }
  });

  it('an all-zero image stays zero (the spike scales with the k-space peak)', () => {
    const zero = createVolume({ data: new Float32Array(64), shape: [8, 8] });
    expect(spike(zero, { positions: [[0.1, 0.2, 0]], intensity: 3 }).data).toEqual(zero.data);
  });
});
