import { createVolume, type Volume } from '@duncan-mri/volume';

/** The choices of {@link ellipsePhantom}; each test package keeps the phantom it always used. */
export interface EllipsePhantomOptions {
  /** Voxel values outside the ellipse, inside it, in its bright core and in the dark square. */
  readonly values?: readonly [outside: number, inside: number, core: number, square: number];
  /** Shift of the structures along x, in voxels, on slice `z`. Default none. */
  readonly shift?: (z: number) => number;
  /**
   * The ellipsoid's semi-axis along z as a fraction of nz (3-D only), 0.45 by default;
   * `Infinity` gives the same ellipse on every slice.
   */
  readonly zRadius?: number;
  /** Added to every voxel (a texture). Default none. */
  readonly texture?: (x: number, y: number, z: number) => number;
  /** Voxel size in mm. Default 1 mm isotropic. */
  readonly spacing?: readonly [number, number, number];
}

/**
 * A small head-like phantom: an ellipse (an ellipsoid in 3-D) with an inner bright ellipse and a
 * dark square, on a background; 2-D when `nz` = 1. Values 0 / 100 / 160 / 40 unless told.
 */
export function ellipsePhantom(
  nx: number,
  ny: number,
  nz = 1,
  options: EllipsePhantomOptions = {},
): Volume {
  const [outside, inside, core, square] = options.values ?? [0, 100, 160, 40];
  const { shift, texture } = options;
  const zRadius = options.zRadius ?? 0.45;
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++) {
    const dx = shift ? shift(z) : 0;
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const u = (x - (nx - 1) / 2 - dx) / (0.4 * nx);
        const v = (y - (ny - 1) / 2) / (0.45 * ny);
        const w = nz === 1 ? 0 : (z - (nz - 1) / 2) / (zRadius * nz);
        const r = u * u + v * v + w * w;
        let value = r < 1 ? inside : outside;
        if (r < 0.3) value = core;
        if (Math.abs(u - 0.3) < 0.15 && Math.abs(v + 0.2) < 0.15) value = square;
        data[i] = texture ? value + texture(x, y, z) : value;
      }
    }
  }
  return createVolume({ data, shape: [nx, ny, nz], spacing: options.spacing ?? [1, 1, 1] });
}
