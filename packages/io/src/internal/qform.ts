import type { Affine } from '@duncan-mri/volume';

/** A row-major 3x3 matrix. */
type Mat3 = [number, number, number, number, number, number, number, number, number];

/** A qform decomposition of an affine: quaternion (b, c, d), qfac, voxel sizes and offsets. */
export interface Qform {
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly qfac: 1 | -1;
  readonly zooms: [number, number, number];
  readonly offsets: [number, number, number];
}

function inverseTranspose3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m as Mat3;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  // inverse = adj / det; its transpose is the cofactor matrix / det.
  return [
    A / det,
    B / det,
    C / det,
    -(b * i - c * h) / det,
    (a * i - c * g) / det,
    -(a * h - b * g) / det,
    (b * f - c * e) / det,
    -(a * f - c * d) / det,
    (a * e - b * d) / det,
  ];
}

/**
 * Decomposes `affine` into the qform parameters, as nibabel's `set_qform`: voxel sizes are the
 * column norms, a negative determinant becomes qfac = -1, and the remaining (possibly sheared)
 * matrix is replaced by its nearest rotation (polar decomposition).
 */
export function qformFromAffine(affine: Affine): Qform {
  const m = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => affine[4 * r + c]!));
  const zooms = [0, 1, 2].map((c) => Math.hypot(m[c]!, m[3 + c]!, m[6 + c]!)) as [
    number,
    number,
    number,
  ];
  let r = m.map((v, i) => v / zooms[i % 3]!);
  const det =
    r[0]! * (r[4]! * r[8]! - r[5]! * r[7]!) -
    r[1]! * (r[3]! * r[8]! - r[5]! * r[6]!) +
    r[2]! * (r[3]! * r[7]! - r[4]! * r[6]!);
  const qfac: 1 | -1 = det < 0 ? -1 : 1;
  if (qfac < 0) r = r.map((v, i) => (i % 3 === 2 ? -v : v));
  for (let k = 0; k < 50; k++) {
    const it = inverseTranspose3(r);
    const next = r.map((v, i) => 0.5 * (v + it[i]!));
    const delta = next.reduce((s, v, i) => s + Math.abs(v - r[i]!), 0);
    r = next;
    if (delta < 1e-15) break;
  }
  const [r00, r01, r02, r10, r11, r12, r20, r21, r22] = r as Mat3;
  let a = r00 + r11 + r22 + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r21 - r12)) / a;
    c = (0.25 * (r02 - r20)) / a;
    d = (0.25 * (r10 - r01)) / a;
  } else {
    const xd = 1 + r00 - (r11 + r22);
    const yd = 1 + r11 - (r00 + r22);
    const zd = 1 + r22 - (r00 + r11);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r01 + r10)) / b;
      d = (0.25 * (r02 + r20)) / b;
      a = (0.25 * (r21 - r12)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r01 + r10)) / c;
      d = (0.25 * (r12 + r21)) / c;
      a = (0.25 * (r02 - r20)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r02 + r20)) / d;
      c = (0.25 * (r12 + r21)) / d;
      a = (0.25 * (r10 - r01)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { b, c, d, qfac, zooms, offsets: [affine[3]!, affine[7]!, affine[11]!] };
}
