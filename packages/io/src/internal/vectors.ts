// Vector arithmetic of the DICOM geometry (ImageOrientationPatient rows and columns, slice
// normals, ImagePositionPatient), beside the affine arithmetic of qform.ts.

/** The cross product `a x b` of two 3-vectors (only their first three elements are read). */
export function cross(a: readonly number[], b: readonly number[]): number[] {
  return [
    a[1]! * b[2]! - a[2]! * b[1]!,
    a[2]! * b[0]! - a[0]! * b[2]!,
    a[0]! * b[1]! - a[1]! * b[0]!,
  ];
}

/** The dot product of two 3-vectors (only their first three elements are read). */
export function dot(a: readonly number[], b: readonly number[]): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}
