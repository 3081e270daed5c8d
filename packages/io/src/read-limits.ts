import { invalidArgument } from '@duncan-mri/volume';

/**
 * Upper bounds a reader enforces before it allocates anything, so that a hostile or broken file
 * (a gzip bomb, a header that claims 32767^4 voxels, a DICOM element that claims 4 GiB) ends in
 * a `LIMIT_EXCEEDED` {@link @duncan-mri/volume!MriError | MriError} instead of exhausting memory.
 *
 * Every field is optional; missing fields take the value of {@link DEFAULT_READ_LIMITS}.
 */
export interface ReadLimits {
  /**
   * The most bytes a gzip or deflate stream may inflate to (default 1 GiB). The output buffers
   * held at once stay within this too (one growing buffer, or a second pass into an exact one).
   */
  readonly maxInflatedBytes?: number;
  /**
   * The most voxels one returned volume may have (default 2^28 = 268,435,456, i.e. 1 GiB of
   * float32). DICOM stored values are held at 4 bytes a voxel too (32-bit data as int32/uint32).
   */
  readonly maxVoxels?: number;
  /**
   * The most frames (default 65,536): NIfTI volumes along t, DICOM NumberOfFrames, and the files
   * and the slices (frames and mosaic tiles of all files together) of a `readDicomSeries` call.
   */
  readonly maxFrames?: number;
  /** The deepest DICOM sequence nesting accepted (default 64). */
  readonly maxSequenceDepth?: number;
  /** The longest single DICOM element value or NIfTI extension, in bytes (default 1 GiB). */
  readonly maxElementBytes?: number;
  /**
   * The most DICOM data elements, sequence items and encapsulated fragments in one file
   * (default 2^20 = 1,048,576). Each costs far more memory than its 8 bytes in the file, so a
   * (deflated) file of millions of empty items would otherwise exhaust the heap.
   */
  readonly maxElements?: number;
}

/** The limits used when a reader is given none: generous for real MRI, small enough to be safe. */
export const DEFAULT_READ_LIMITS: Readonly<Required<ReadLimits>> = Object.freeze({
  maxInflatedBytes: 2 ** 30,
  maxVoxels: 2 ** 28,
  maxFrames: 65_536,
  maxSequenceDepth: 64,
  maxElementBytes: 2 ** 30,
  maxElements: 2 ** 20,
});

/** Merges user limits over the defaults, validating each (positive safe integers). */
export function resolveLimits(limits: unknown, where: string): Required<ReadLimits> {
  if (limits === undefined) return DEFAULT_READ_LIMITS;
  if (typeof limits !== 'object' || limits === null) {
    invalidArgument(where, 'limits', 'must be an object', limits);
  }
  const out: Record<string, number> = { ...DEFAULT_READ_LIMITS };
  for (const key of Object.keys(DEFAULT_READ_LIMITS)) {
    const value = (limits as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      invalidArgument(where, `limits.${key}`, 'must be a positive safe integer', value);
    }
    out[key] = value;
  }
  return out as Required<ReadLimits>;
}
