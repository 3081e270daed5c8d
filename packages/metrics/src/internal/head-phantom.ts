import { createRng, createVolume, type Volume } from '@duncan-mri/volume';

/** A synthetic head for the tests of `headMask` and `evaluateCorrection`. */
export interface HeadPhantom {
  /** Scalp 80, dark skull 6, brain 100 with a ventricle of 30, air 0; Rician-like noise. */
  readonly volume: Volume;
  /** Truth: 1 inside the skin (the outer ellipse), 0 in the air. */
  readonly head: Uint8Array;
}

/**
 * An elliptical head on every z slice (its radii shrink towards the first and last slice):
 * scalp (80), a dark skull (6: below a 10 % threshold, so only hole filling brings it in),
 * brain (100, with a dark ventricle of 30), air 0. Noise: `|N(0, sigma)|` in the air and
 * `N(0, sigma)` in the head (seeded). `scale` shrinks the head in the field. Test-only.
 */
export function headPhantom(
  nx: number,
  ny: number,
  nz: number,
  sigma = 2,
  seed = 11,
  scale = 1,
): HeadPhantom {
  const rng = createRng(seed);
  const data = new Float32Array(nx * ny * nz);
  const head = new Uint8Array(nx * ny * nz);
  const cx = (nx - 1) / 2;
  const cy = (ny - 1) / 2;
  for (let z = 0; z < nz; z++) {
    const shrink = scale * (nz > 1 ? 1 - 0.25 * Math.abs((2 * z) / (nz - 1) - 1) : 1);
    const rx = nx * 0.42 * shrink;
    const ry = ny * 0.45 * shrink;
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        const u = (x - cx) / rx;
        const v = (y - cy) / ry;
        const r = Math.sqrt(u * u + v * v);
        if (r >= 1) {
          data[i] = Math.abs(rng.normal(0, sigma));
          continue;
        }
        head[i] = 1;
        let value = 100;
        if (r >= 0.8) value = 80;
        else if (r >= 0.62) value = 6;
        else if (Math.hypot(u / 0.25, v / 0.12) < 1) value = 30;
        data[i] = value + rng.normal(0, sigma);
      }
    }
  }
  return { volume: createVolume({ data, shape: [nx, ny, nz], spacing: [2, 2, 4] }), head };
}
