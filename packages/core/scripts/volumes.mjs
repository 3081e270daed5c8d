// Volumes for the scripts of this folder (not part of the package): NIfTI files read with
// Node's zlib, DICOM folders, and chosen axial slices.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readDicom, readDicomSeries, readNifti } from '@duncan-mri/io';
import { sliceVolume, stackSlices } from '@duncan-mri/volume';

const inflate = (bytes, max) => new Uint8Array(gunzipSync(bytes, { maxOutputLength: max }));

/** The volume of a NIfTI file (.nii or .nii.gz). */
export const readNii = (path) => readNifti(new Uint8Array(readFileSync(path)), { inflate }).volume;

/** The volume of one DICOM file (single-frame, multi-frame or mosaic). */
export async function readDicomFile(path) {
  return (await readDicom(new Uint8Array(readFileSync(path)))).volume;
}

/** The first series of the .dcm files of a folder (in name order). */
export async function readDicomFolder(dir) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .sort();
  const series = await readDicomSeries(
    files.map((f) => new Uint8Array(readFileSync(join(dir, f)))),
  );
  return series[0].volume;
}

/**
 * The axial slices `indices` (not necessarily consecutive) of a volume, as a new volume with the
 * volume's affine: a stack of chosen images rather than a slab in world space.
 */
export function axialSlices(volume, indices) {
  const slices = indices.map((z) => sliceVolume(volume, 2, z));
  return stackSlices(slices, 2, { affine: volume.affine });
}

/** The `count` central axial slices of a volume (all of them when it has fewer). */
export function centralSlices(volume, count) {
  const nz = volume.shape[2];
  const n = Math.min(count, nz);
  const z0 = Math.max(0, Math.floor(nz / 2) - Math.floor(n / 2));
  return axialSlices(
    volume,
    Array.from({ length: n }, (_, i) => z0 + i),
  );
}

/**
 * Colin27's two disjoint halves: the axial slice indices of `nz` split into alternating blocks
 * of 10 (so that each half spans the brain); the first is kept clean, the second corrupted.
 */
export function alternatingHalves(nz) {
  const all = Array.from({ length: nz }, (_, z) => z);
  return [
    all.filter((z) => Math.floor(z / 10) % 2 === 0),
    all.filter((z) => Math.floor(z / 10) % 2 === 1),
  ];
}
