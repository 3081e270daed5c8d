/**
 * What {@link readDicomSeries} learned about a series, beside the volume. Geometry is given in
 * DICOM's own patient space (LPS, millimetres), as stored; the volume's affine is RAS+.
 * Pass it to {@link writeDicomSeries} as `source` to write a derived series.
 */
export interface DicomHeader {
  /** Transfer syntax UID of the (first) file. */
  readonly transferSyntax: string;
  /** SOP Class UID of the source images (e.g. MR Image Storage 1.2.840.10008.5.1.4.1.1.4). */
  readonly sopClassUid: string | undefined;
  readonly studyInstanceUid: string | undefined;
  readonly seriesInstanceUid: string | undefined;
  readonly frameOfReferenceUid: string | undefined;
  readonly modality: string | undefined;
  readonly seriesDescription: string | undefined;
  readonly seriesNumber: number | undefined;
  /** Rows and Columns of one slice (after un-mosaicking). */
  readonly rows: number;
  readonly columns: number;
  /** Number of slices in the volume (its nz). */
  readonly slices: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number;
  /** MONOCHROME2, or MONOCHROME1 (then the values were inverted to MONOCHROME2). */
  readonly photometricInterpretation: string;
  /** RescaleSlope / RescaleIntercept per slice, in volume order (1 / 0 when absent). */
  readonly rescaleSlopes: readonly number[];
  readonly rescaleIntercepts: readonly number[];
  /** WindowCenter / WindowWidth of the first slice, if present. */
  readonly windowCenter: number | undefined;
  readonly windowWidth: number | undefined;
  /** ImageOrientationPatient (row direction then column direction, LPS). */
  readonly imageOrientationPatient: readonly number[];
  /** PixelSpacing `[between rows, between columns]` in mm. */
  readonly pixelSpacing: readonly [number, number];
  readonly sliceThickness: number | undefined;
  /** Distance between consecutive slice centres in mm (mean over the stack). */
  readonly sliceSpacing: number;
  /** ImagePositionPatient of every slice, in volume order (LPS mm). */
  readonly imagePositionsPatient: readonly (readonly number[])[];
  /** SOP Instance UID of the image each slice came from, in volume order. */
  readonly sopInstanceUids: readonly string[];
  /** Index (into the `files` argument) of the file each slice came from, and the frame in it. */
  readonly sourceFiles: readonly number[];
  readonly sourceFrames: readonly number[];
  /** How the slices were stored. */
  readonly storage: 'single-frame' | 'multi-frame' | 'enhanced' | 'mosaic';
  /** Patient, study, equipment and frame-of-reference attributes of the first file (keyword -> value). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Odd but readable things (trailing padding, uneven slice spacing / gaps, ...). */
  readonly warnings: readonly string[];
}
