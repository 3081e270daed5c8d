// Shared by the scripts of this folder (not part of the package).
import { sliceVolume, stackSlices } from '@duncan-mri/volume';

/**
 * The axial slices `indices` (not necessarily consecutive) of a volume, as a new volume with the
 * volume's affine: a stack of chosen images rather than a slab in world space.
 */
export function axialSlices(volume, indices) {
  const slices = indices.map((z) => sliceVolume(volume, 2, z));
  return stackSlices(slices, 2, { affine: volume.affine });
}
