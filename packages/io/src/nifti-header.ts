import type { Affine } from '@duncan-mri/volume';

/** One NIfTI header extension: its code (e.g. 4 AFNI, 6 comment, 32 CIFTI) and raw bytes. */
export interface NiftiExtension {
  /** `ecode`: what the extension holds. */
  readonly code: number;
  /** The extension's content, without its 8-byte `esize`/`ecode` prefix. */
  readonly data: Uint8Array;
}

/**
 * What {@link readNifti} learned from a NIfTI-1 or NIfTI-2 header, beside the volume. Field names
 * follow the NIfTI standard (camel-cased); units are the file's own (see `xyztUnits`).
 * Pass it to {@link writeNifti} as `header` to keep description, intent, units, TR and
 * extensions on a read -> write round trip.
 */
export interface NiftiHeader {
  /** 1 for NIfTI-1 (348-byte header), 2 for NIfTI-2 (540-byte header). */
  readonly version: 1 | 2;
  /** Byte order of the file. */
  readonly littleEndian: boolean;
  /** The magic string: `n+1`/`n+2` (single file) or `ni1`/`ni2` (header/image pair). */
  readonly magic: string;
  /** The stored datatype code (2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, 256 int8, 512 uint16, 768 uint32, 1024 int64, 1280 uint64). */
  readonly datatype: number;
  /** The stored datatype's name, e.g. `'int16'`. */
  readonly datatypeName: string;
  /** `bitpix` as stored (the datatype wins when they disagree; see `warnings`). */
  readonly bitpix: number;
  /** `dim[1..dim[0]]`: the stored image dimensions (x, y, z, t, ...). */
  readonly dims: readonly number[];
  /** `pixdim[0..7]` as stored (pixdim[0] is qfac; pixdim[4] is TR in `xyztUnits`' time unit). */
  readonly pixdim: readonly number[];
  /** Byte offset of the voxels in the file (or in the `.img` of a pair). */
  readonly voxOffset: number;
  /** `scl_slope` as stored. */
  readonly sclSlope: number;
  /** `scl_inter` as stored. */
  readonly sclInter: number;
  /** The slope actually applied (1 when the stored one is 0 or not finite). */
  readonly appliedSlope: number;
  /** The intercept actually applied (0 when no scaling applies). */
  readonly appliedInter: number;
  /** `cal_min` and `cal_max`: display range. */
  readonly calMin: number;
  readonly calMax: number;
  /** `qform_code` and `sform_code` (0 unknown, 1 scanner, 2 aligned, 3 Talairach, 4 MNI, 5 template). */
  readonly qformCode: number;
  readonly sformCode: number;
  /** The qform affine (RAS+ mm), when qform_code > 0 and the quaternion is valid. */
  readonly qform: Affine | undefined;
  /** The sform affine (RAS+ mm), when sform_code > 0. */
  readonly sform: Affine | undefined;
  /** Where the volume's affine came from, by nibabel's rule: sform, else qform, else pixdim. */
  readonly affineSource: 'sform' | 'qform' | 'pixdim';
  /** `intent_code`, `intent_name` and `intent_p1..3`. */
  readonly intentCode: number;
  readonly intentName: string;
  readonly intentParams: readonly [number, number, number];
  /** `xyzt_units` as stored (bits 0-2 space, 3-5 time). */
  readonly xyztUnits: number;
  /** `slice_code`, `slice_start`, `slice_end`, `slice_duration`, `dim_info`, `toffset`. */
  readonly sliceCode: number;
  readonly sliceStart: number;
  readonly sliceEnd: number;
  readonly sliceDuration: number;
  readonly dimInfo: number;
  readonly toffset: number;
  /** `descrip` and `aux_file`. */
  readonly description: string;
  readonly auxFile: string;
  /** Number of 3-D frames (product of dim[4..7]; 1 for a 3-D image). */
  readonly frames: number;
  /** Which frame the returned volume is. */
  readonly frame: number;
  /** Header extensions, in file order. */
  readonly extensions: readonly NiftiExtension[];
  /** Things that were odd but readable (bitpix mismatch, NaN slope treated as 1, ...). */
  readonly warnings: readonly string[];
}
