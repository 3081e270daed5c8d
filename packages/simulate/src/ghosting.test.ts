import { describe, expect, it } from 'vitest';
import { phantom, relativeError } from '../test/helpers.js';
import { ghosting } from './ghosting.js';

describe('ghosting', () => {
  const image = phantom(32, 40);

  it('one ghost at full intensity without restore is |x - x shifted by N/2| / 2', () => {
    const out = ghosting(image, { numGhosts: 1, intensity: 1, restore: 0 });
    const [nx, ny] = image.shape;
    const expected = new Float32Array(nx * ny);
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const a = image.data[x + nx * y]!;
        const b = image.data[x + nx * ((y + ny / 2) % ny)]!;
        expected[x + nx * y] = Math.abs(a - b) / 2;
      }
    }
    expect(relativeError(expected, out.data)).toBeLessThan(1e-5);
  });

  it('ghosts appear along the chosen axis only', () => {
    // A thin horizontal band: ghosts along y replicate it at other rows; along x they do not.
    const data = new Float32Array(32 * 40);
    for (let x = 0; x < 32; x++) data[x + 32 * 5] = 100;
    const band = { ...image, data };
    const alongY = ghosting(band, { numGhosts: 1, intensity: 0.5, axis: 1, restore: 0 });
    const alongX = ghosting(band, { numGhosts: 1, intensity: 0.5, axis: 0, restore: 0 });
    expect(alongY.data[3 + 32 * 25]!).toBeGreaterThan(10);
    expect(alongX.data[3 + 32 * 25]!).toBeLessThan(1e-3);
  });

  it('stronger intensity, stronger ghosts', () => {
    const errors = [0.2, 0.5, 0.9].map((intensity) =>
      relativeError(image.data, ghosting(image, { numGhosts: 2, intensity }).data),
    );
    expect(errors[0]!).toBeLessThan(errors[1]!);
    expect(errors[1]!).toBeLessThan(errors[2]!);
  });
});
