import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { noise } from './noise.js';

function stats(data: Float32Array) {
  let sum = 0;
  let sumSq = 0;
  for (const v of data) {
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / data.length;
  return { mean, std: Math.sqrt(sumSq / data.length - mean * mean) };
}

describe('noise', () => {
  // Half 0, half 100: data range 100.
  const data = new Float32Array(200 * 200);
  data.fill(100, 0, data.length / 2);
  const image = createVolume({ data, shape: [200, 200] });

  it('gaussian: sigma relative to the data range; clamped at 0 for magnitude images', () => {
    const out = noise(image, { sigma: 0.05, seed: 1, kind: 'gaussian' });
    const bright = stats(out.data.subarray(0, data.length / 2));
    expect(bright.mean).toBeCloseTo(100, 0);
    expect(bright.std).toBeGreaterThan(4.9);
    expect(bright.std).toBeLessThan(5.1);
    const dark = out.data.subarray(data.length / 2);
    expect(Math.min(...dark)).toBe(0);
  });

  it('rician: the background has the Rayleigh mean sigma sqrt(pi / 2)', () => {
    const out = noise(image, { sigma: 0.05, seed: 2 });
    const dark = stats(out.data.subarray(data.length / 2));
    expect(dark.mean).toBeCloseTo(5 * Math.sqrt(Math.PI / 2), 0);
    const bright = stats(out.data.subarray(0, data.length / 2));
    expect(bright.std).toBeGreaterThan(4.8);
    expect(bright.std).toBeLessThan(5.2);
  });

  it('signed images get unclamped gaussian noise', () => {
    const signed = createVolume({ data: new Float32Array(1000).fill(-1), shape: [40, 25] });
    const out = noise(signed, { sigma: 0.5, seed: 3, kind: 'gaussian' });
    expect(Math.min(...out.data)).toBeLessThan(-1.5);
    expect(Math.max(...out.data)).toBeGreaterThan(-0.5);
  });
});
