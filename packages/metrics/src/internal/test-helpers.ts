import {
  createRng,
  createVolume,
  isMriError,
  type MriErrorCode,
  type Volume,
} from '@duncan-mri/volume';

/** The `MriError` code a call throws, `'none'` when it returns, `'not an MriError'` otherwise. */
export function codeOf(fn: () => unknown): MriErrorCode | 'none' | 'not an MriError' {
  try {
    fn();
    return 'none';
  } catch (error) {
    return isMriError(error) ? error.code : 'not an MriError';
  }
}

/**
 * A smooth synthetic "phantom" (blobs on a gradient, values in [0, 255]) for property tests:
 * structured enough that SSIM, VIF and UQI are far from their degenerate cases.
 */
export function phantom(nx: number, ny: number, nz = 1, seed = 1): Volume {
  const rng = createRng(seed);
  const blobs = Array.from({ length: 6 }, () => ({
    cx: rng.float() * nx,
    cy: rng.float() * ny,
    cz: rng.float() * nz,
    r: 3 + rng.float() * Math.min(nx, ny) * 0.3,
    a: 40 + rng.float() * 120,
  }));
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        let v = 20 + (60 * (x + y)) / (nx + ny);
        for (const b of blobs) {
          const d2 = ((x - b.cx) ** 2 + (y - b.cy) ** 2 + (z - b.cz) ** 2) / (b.r * b.r);
          v += b.a * Math.exp(-d2);
        }
        data[x + nx * (y + ny * z)] = Math.min(255, v);
      }
    }
  }
  return createVolume({ data, shape: [nx, ny, nz] });
}

/** `volume` plus Gaussian noise of standard deviation `sigma` (seeded). */
export function withNoise(volume: Volume, sigma: number, seed = 2): Volume {
  const rng = createRng(seed);
  return createVolume({
    data: volume.data.map((v) => v + rng.normal(0, sigma)),
    shape: volume.shape,
    affine: volume.affine,
  });
}
