// Where each frame of a DICOM file lies and how its stored values scale: the classic attributes
// of the dataset, or, in an enhanced (multi-frame) file, each frame's functional groups with the
// shared ones as fallback (PS3.3 C.7.6.16).
import { TAG } from './dicom-dictionary.js';
import { type DicomDataset, dsValue, dsValues, firstItem } from './dicom-parse.js';
import { corrupt } from './errors.js';

/** One 2-D image (a frame, or a tile of a mosaic) with its geometry, values rescaled. */
export interface DicomSlice {
  readonly file: number;
  readonly frame: number;
  readonly rows: number;
  readonly columns: number;
  readonly data: Float32Array;
  readonly position: number[] | undefined;
  readonly orientation: number[] | undefined;
  readonly pixelSpacing: [number, number] | undefined;
  readonly sliceThickness: number | undefined;
  readonly spacingBetweenSlices: number | undefined;
  readonly slope: number;
  readonly intercept: number;
}

/** One frame's geometry and rescale, as stored (checked by {@link checkFrameGeometry}). */
export interface FrameGeometry {
  readonly position: number[] | undefined;
  readonly orientation: number[] | undefined;
  readonly pixelSpacing: number[] | undefined;
  readonly sliceThickness: number | undefined;
  readonly spacingBetweenSlices: number | undefined;
  /** RescaleSlope as stored (1 when absent; 0 is left for the caller to refuse or replace). */
  readonly slope: number;
  readonly intercept: number;
}

/** The geometry of the frames of one file: whether it is enhanced, and each frame's. */
export interface FrameGeometries {
  readonly enhanced: boolean;
  frame(index: number): FrameGeometry;
}

/**
 * Reads the geometry of `frames` frames of a dataset: the classic ImagePositionPatient,
 * ImageOrientationPatient, PixelSpacing, SliceThickness, SpacingBetweenSlices and Rescale
 * attributes, overridden in an enhanced file by the frame's PlanePosition, PlaneOrientation,
 * PixelMeasures and PixelValueTransformation groups (per-frame first, then shared).
 */
export function frameGeometries(where: string, ds: DicomDataset, frames: number): FrameGeometries {
  const shared = firstItem(ds, TAG.SharedFunctionalGroupsSequence);
  const perFrameItems = ds.elements.get(TAG.PerFrameFunctionalGroupsSequence)?.items;
  const enhanced = perFrameItems !== undefined;
  if (enhanced && perFrameItems.length !== frames) {
    throw corrupt(
      where,
      `PerFrameFunctionalGroupsSequence must have NumberOfFrames (${frames}) items, got ${perFrameItems.length}`,
    );
  }
  const top = {
    position: dsValues(where, ds, TAG.ImagePositionPatient),
    orientation: dsValues(where, ds, TAG.ImageOrientationPatient),
    spacing: dsValues(where, ds, TAG.PixelSpacing),
    thickness: dsValue(where, ds, TAG.SliceThickness),
    between: dsValue(where, ds, TAG.SpacingBetweenSlices),
    slope: dsValue(where, ds, TAG.RescaleSlope),
    intercept: dsValue(where, ds, TAG.RescaleIntercept),
  };
  const frame = (f: number): FrameGeometry => {
    const item = perFrameItems?.[f];
    const pick = (seq: number) => firstItem(item, seq) ?? firstItem(shared, seq);
    const position = enhanced
      ? dsValues(where, pick(TAG.PlanePositionSequence) ?? ds, TAG.ImagePositionPatient)
      : top.position;
    const orientation = enhanced
      ? (dsValues(where, pick(TAG.PlaneOrientationSequence) ?? ds, TAG.ImageOrientationPatient) ??
        top.orientation)
      : top.orientation;
    const measures = enhanced ? pick(TAG.PixelMeasuresSequence) : undefined;
    const spacing = (measures && dsValues(where, measures, TAG.PixelSpacing)) ?? top.spacing;
    const thickness = (measures && dsValue(where, measures, TAG.SliceThickness)) ?? top.thickness;
    const between = (measures && dsValue(where, measures, TAG.SpacingBetweenSlices)) ?? top.between;
    const transform = enhanced ? pick(TAG.PixelValueTransformationSequence) : undefined;
    const slope = (transform && dsValue(where, transform, TAG.RescaleSlope)) ?? top.slope ?? 1;
    const intercept =
      (transform && dsValue(where, transform, TAG.RescaleIntercept)) ?? top.intercept ?? 0;
    return {
      position,
      orientation,
      pixelSpacing: spacing,
      sliceThickness: thickness,
      spacingBetweenSlices: between,
      slope,
      intercept,
    };
  };
  return { enhanced, frame };
}

/** Refuses a position, orientation or pixel spacing with too few values. */
export function checkFrameGeometry(where: string, g: FrameGeometry): void {
  checkVector(where, g.position, 3, 'ImagePositionPatient');
  checkVector(where, g.orientation, 6, 'ImageOrientationPatient');
  checkVector(where, g.pixelSpacing, 2, 'PixelSpacing');
}

function checkVector(where: string, v: number[] | undefined, n: number, name: string): void {
  if (v !== undefined && v.length < n)
    throw corrupt(where, `${name} must have ${n} values, got ${v.length}`);
}
