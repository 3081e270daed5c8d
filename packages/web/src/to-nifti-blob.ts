import { type WriteNiftiOptions, writeNifti } from '@duncan-mri/io';
import type { Volume } from '@duncan-mri/volume';

/**
 * A volume as a NIfTI-1 file in a `Blob`, ready for a download link (`URL.createObjectURL`)
 * or for a viewer. Options are those of `writeNifti` in `@duncan-mri/io` (pass the `header` the
 * scan was read with to keep its description, units and xform codes; `gzip: true` for
 * `.nii.gz`). Nothing leaves the machine.
 *
 * @example
 * ```ts
 * const link = document.createElement('a');
 * link.href = URL.createObjectURL(toNiftiBlob(corrected, { header, gzip: true }));
 * link.download = 'corrected.nii.gz';
 * link.click();
 * ```
 * @throws MriError as `writeNifti` does (`INVALID_ARGUMENT` for a bad volume or option).
 */
export function toNiftiBlob(volume: Volume, options: WriteNiftiOptions = {}): Blob {
  const bytes = writeNifti(volume, options);
  const type = options.gzip === true ? 'application/gzip' : 'application/octet-stream';
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
}
