// Shared by the scripts of this folder (not part of the package).
import { createVolume } from '@duncan-mri/volume';

/** The axial slices `indices` of a volume, as a new volume (same in-plane geometry and affine). */
export function axialSlices(volume, indices) {
  const [nx, ny] = volume.shape;
  const data = new Float32Array(nx * ny * indices.length);
  indices.forEach((z, i) => {
    data.set(volume.data.subarray(nx * ny * z, nx * ny * (z + 1)), nx * ny * i);
  });
  return createVolume({ data, shape: [nx, ny, indices.length], affine: volume.affine });
}
