import { assertBytes } from './internal/errors.js';
import { isGzip } from './internal/inflate.js';

/**
 * A file format as its first bytes show it (see {@link sniffFormat}).
 *
 * - `'dicom'`: a DICOM Part 10 file (`DICM` after the 128-byte preamble).
 * - `'gzip'`: gzip data (`.nii.gz`, `.hdr.gz`/`.img.gz`, a gzipped DICOM file); inflate it and
 *   sniff again to learn what it holds. `readNifti` and `readDicom` inflate it themselves.
 * - `'nifti-1'`: a 348-byte NIfTI-1 header, or an Analyze 7.5 one (the same layout, which
 *   `readNifti` reads too), in either byte order.
 * - `'nifti-2'`: a 540-byte NIfTI-2 header, in either byte order.
 * - `'unknown'`: none of these, including a `.img` data file and a DICOM file written without
 *   its preamble (which `readDicom` still reads: tell it by its name).
 */
export type SniffedFormat = 'dicom' | 'gzip' | 'nifti-1' | 'nifti-2' | 'unknown';

/** Whether `bytes` has the DICOM prefix `DICM` at byte `at` (128 after the preamble). */
export function hasDicomPrefix(bytes: Uint8Array, at: number): boolean {
  return (
    bytes.length >= at + 4 &&
    bytes[at] === 0x44 &&
    bytes[at + 1] === 0x49 &&
    bytes[at + 2] === 0x43 &&
    bytes[at + 3] === 0x4d
  );
}

/**
 * The format of a file from its first bytes, whatever its name: DICOM's `DICM` at byte 128,
 * gzip's magic `1f 8b`, or NIfTI's `sizeof_hdr` (348 for NIfTI-1 and Analyze, 540 for NIfTI-2,
 * little- or big-endian) at byte 0, checked in that order. Reads at most the first 132 bytes,
 * so a file's head is enough to sort a folder before reading whole files. This is a guess from
 * magic numbers, not a validation: the readers check the rest and report a broken file.
 *
 * @param bytes The file, or at least its first 132 bytes.
 * @throws MriError `INVALID_ARGUMENT` when `bytes` is not a `Uint8Array`.
 * @example
 * ```ts
 * const format = sniffFormat(bytes);
 * const { volume } = format === 'dicom' ? await readDicom(bytes) : readNifti(bytes);
 * ```
 */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  assertBytes('sniffFormat', bytes);
  if (hasDicomPrefix(bytes, 128)) return 'dicom';
  if (isGzip(bytes)) return 'gzip';
  if (bytes.length >= 4) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
    for (const littleEndian of [true, false]) {
      const size = view.getInt32(0, littleEndian);
      if (size === 348) return 'nifti-1';
      if (size === 540) return 'nifti-2';
    }
  }
  return 'unknown';
}
