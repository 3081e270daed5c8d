import { createRng, createVolume, type MriErrorCode, type Volume } from '@duncan-mri/volume';
import fc from 'fast-check';

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

/**
 * The shape `[nx, ny, nz]` of a random test volume: `nx` and `ny` in `[minSide, maxSide]`, `nz`
 * in `[1, maxDepth]` (drawn in that order, as three separate integers would be).
 */
export function volumeShape(
  minSide: number,
  maxSide: number,
  maxDepth: number,
): fc.Arbitrary<[number, number, number]> {
  const side = fc.integer({ min: minSide, max: maxSide });
  return fc.tuple(side, side, fc.integer({ min: 1, max: maxDepth }));
}

/**
 * A 2-D {@link phantom} of `nx` x `ny` with a random seed, and the same with Gaussian noise of a
 * random standard deviation in `[minSigma, maxSigma]` (seeded with the phantom's seed + 1).
 */
export function noisyPhantomPair(
  nx: number,
  ny: number,
  minSigma: number,
  maxSigma: number,
): fc.Arbitrary<{ x: Volume; y: Volume }> {
  return fc
    .tuple(fc.nat(), fc.double({ min: minSigma, max: maxSigma, noNaN: true }))
    .map(([seed, sigma]) => {
      const x = phantom(nx, ny, 1, seed);
      return { x, y: withNoise(x, sigma, seed + 1) };
    });
}

/** A synthetic three-class "brain" with its truth labels, for segmentation tests. */
export interface TissuePhantom {
  /** Noisy intensities: background 0, CSF 40, grey matter 90, white matter 130, plus noise. */
  readonly volume: Volume;
  /** Truth: 0 outside the head ellipsoid, 1 CSF, 2 grey matter, 3 white matter. */
  readonly truth: Volume;
  /** The head ellipsoid (truth > 0). */
  readonly mask: Uint8Array;
}

/**
 * An ellipsoidal "brain" (an ellipse for `nz = 1`): an outer CSF rim, a grey-matter shell with a
 * wavy ("folded") inner boundary, a white-matter core and a CSF "ventricle" in the middle;
 * Gaussian noise of `sigma` everywhere in the ellipsoid (seeded), background 0.
 */
export function tissuePhantom(
  nx: number,
  ny: number,
  nz: number,
  sigma: number,
  seed = 7,
): TissuePhantom {
  const rng = createRng(seed);
  const n = nx * ny * nz;
  const data = new Float32Array(n);
  const truth = new Float32Array(n);
  const mask = new Uint8Array(n);
  const cx = (nx - 1) / 2;
  const cy = (ny - 1) / 2;
  const cz = (nz - 1) / 2;
  const rx = nx * 0.46;
  const ry = ny * 0.46;
  const rz = nz > 1 ? nz * 0.46 : 1;
  const means = [0, 40, 90, 130];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const u = (x - cx) / rx;
        const v = (y - cy) / ry;
        const w = nz > 1 ? (z - cz) / rz : 0;
        const r = Math.sqrt(u * u + v * v + w * w);
        if (r > 1) continue;
        const angle = Math.atan2(v, u);
        const folds = 0.07 * Math.sin(7 * angle) * Math.cos(5 * w * Math.PI);
        let label = 1;
        if (r < 0.62 + folds) label = 3;
        else if (r < 0.88) label = 2;
        const ventricle = Math.sqrt((u / 0.22) ** 2 + (v / 0.1) ** 2 + (w / 0.25) ** 2);
        if (ventricle < 1) label = 1;
        const i = x + nx * (y + ny * z);
        truth[i] = label;
        mask[i] = 1;
        data[i] = means[label]! + rng.normal(0, sigma);
      }
    }
  }
  return {
    volume: createVolume({ data, shape: [nx, ny, nz] }),
    truth: createVolume({ data: truth, shape: [nx, ny, nz] }),
    mask,
  };
}

/**
 * The two rows every `it.each` table of bad inputs of a masked function has: an all-zero mask of
 * `voxels` entries (`INVALID_ARGUMENT`) and a mask of `wrongLength` ones (`SHAPE_MISMATCH`).
 */
export function badMaskCases(
  withMask: (mask: Uint8Array) => unknown,
  voxels: number,
  wrongLength: number,
): [string, () => unknown, MriErrorCode][] {
  return [
    ['an empty mask', () => withMask(new Uint8Array(voxels)), 'INVALID_ARGUMENT'],
    [
      'a mask of the wrong length',
      () => withMask(new Uint8Array(wrongLength).fill(1)),
      'SHAPE_MISMATCH',
    ],
  ];
}

/** Byte-for-byte equality of two typed arrays (fast; `toEqual` walks large arrays slowly). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
