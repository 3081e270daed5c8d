/** Rigid-body rotation helpers for the motion artefact (not exported from the package). */

/** 3x3 row-major rotation `Rz Ry Rx` (angles in degrees, right-handed, about x, y, z). */
export function rotationMatrix(rxDeg: number, ryDeg: number, rzDeg: number): number[] {
  const a = (rxDeg * Math.PI) / 180;
  const b = (ryDeg * Math.PI) / 180;
  const c = (rzDeg * Math.PI) / 180;
  const ca = Math.cos(a);
  const sa = Math.sin(a);
  const cb = Math.cos(b);
  const sb = Math.sin(b);
  const cc = Math.cos(c);
  const sc = Math.sin(c);
  return [
    cc * cb,
    cc * sb * sa - sc * ca,
    cc * sb * ca + sc * sa,
    sc * cb,
    sc * sb * sa + cc * ca,
    sc * sb * ca - cc * sa,
    -sb,
    cb * sa,
    cb * ca,
  ];
}

/**
 * Rotates `src` (x-fastest, `[nx, ny, nz]`) about the centre of the grid by `rotation` (in
 * millimetre space, voxel sizes `spacingMm`) and writes the result to `out` by trilinear
 * interpolation (bilinear when `nz = 1`); samples outside the grid are 0.
 * `out(x) = src(R^T (x - c) + c)`, i.e. the object turns by `R`.
 */
export function rotateInto(
  src: Float32Array,
  shape: readonly [number, number, number],
  spacingMm: readonly [number, number, number],
  rotation: readonly number[],
  out: Float64Array,
): void {
  const [nx, ny, nz] = shape;
  const [sx, sy, sz] = spacingMm;
  // Voxel-space inverse map M = S^-1 R^T S: src = M (dst - c) + c.
  const m = new Array<number>(9);
  const s = [sx, sy, sz];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) m[i * 3 + j] = (rotation[j * 3 + i]! * s[j]!) / s[i]!;
  }
  const cx = (nx - 1) / 2;
  const cy = (ny - 1) / 2;
  const cz = (nz - 1) / 2;
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const nxy = nx * ny;
  if (nz === 1) {
    for (let y = 0; y < ny; y++) {
      const dy = y - cy;
      let px = m00 * -cx + m01 * dy + cx;
      let py = m10 * -cx + m11 * dy + cy;
      const row = y * nx;
      for (let x = 0; x < nx; x++, px += m00, py += m10) {
        const x0 = Math.floor(px);
        const y0 = Math.floor(py);
        let v = 0;
        if (x0 >= -1 && x0 < nx && y0 >= -1 && y0 < ny) {
          const fx = px - x0;
          const fy = py - y0;
          const i = x0 + nx * y0;
          const inX0 = x0 >= 0;
          const inX1 = x0 + 1 < nx;
          const v00 = inX0 && y0 >= 0 ? src[i]! : 0;
          const v10 = inX1 && y0 >= 0 ? src[i + 1]! : 0;
          const v01 = inX0 && y0 + 1 < ny ? src[i + nx]! : 0;
          const v11 = inX1 && y0 + 1 < ny ? src[i + nx + 1]! : 0;
          const top = v00 + fx * (v10 - v00);
          const bottom = v01 + fx * (v11 - v01);
          v = top + fy * (bottom - top);
        }
        out[row + x] = v;
      }
    }
    return;
  }
  for (let z = 0; z < nz; z++) {
    const dz = z - cz;
    for (let y = 0; y < ny; y++) {
      const dy = y - cy;
      let px = m00 * -cx + m01 * dy + m02 * dz + cx;
      let py = m10 * -cx + m11 * dy + m12 * dz + cy;
      let pz = m20 * -cx + m21 * dy + m22 * dz + cz;
      const row = nx * (y + ny * z);
      for (let x = 0; x < nx; x++, px += m00, py += m10, pz += m20) {
        const x0 = Math.floor(px);
        const y0 = Math.floor(py);
        const z0 = Math.floor(pz);
        let v = 0;
        if (x0 >= 0 && x0 + 1 < nx && y0 >= 0 && y0 + 1 < ny && z0 >= 0 && z0 + 1 < nz) {
          // Interior: all eight neighbours exist.
          const fx = px - x0;
          const fy = py - y0;
          const fz = pz - z0;
          const i = x0 + nx * y0 + nxy * z0;
          const c00 = src[i]! + fx * (src[i + 1]! - src[i]!);
          const c10 = src[i + nx]! + fx * (src[i + nx + 1]! - src[i + nx]!);
          const c01 = src[i + nxy]! + fx * (src[i + nxy + 1]! - src[i + nxy]!);
          const c11 = src[i + nxy + nx]! + fx * (src[i + nxy + nx + 1]! - src[i + nxy + nx]!);
          const c0 = c00 + fy * (c10 - c00);
          const c1 = c01 + fy * (c11 - c01);
          v = c0 + fz * (c1 - c0);
        } else if (x0 >= -1 && x0 < nx && y0 >= -1 && y0 < ny && z0 >= -1 && z0 < nz) {
          v = edgeSample(src, nx, ny, nz, px, py, pz, x0, y0, z0);
        }
        out[row + x] = v;
      }
    }
  }
}

/** Trilinear sample near the border: neighbours outside the grid count as 0. */
function edgeSample(
  src: Float32Array,
  nx: number,
  ny: number,
  nz: number,
  px: number,
  py: number,
  pz: number,
  x0: number,
  y0: number,
  z0: number,
): number {
  const fx = px - x0;
  const fy = py - y0;
  const fz = pz - z0;
  let v = 0;
  for (let dz = 0; dz < 2; dz++) {
    const z = z0 + dz;
    if (z < 0 || z >= nz) continue;
    const wz = dz === 0 ? 1 - fz : fz;
    for (let dy = 0; dy < 2; dy++) {
      const y = y0 + dy;
      if (y < 0 || y >= ny) continue;
      const wy = dy === 0 ? 1 - fy : fy;
      for (let dx = 0; dx < 2; dx++) {
        const x = x0 + dx;
        if (x < 0 || x >= nx) continue;
        const wx = dx === 0 ? 1 - fx : fx;
        v += wx * wy * wz * src[x + nx * (y + ny * z)]!;
      }
    }
  }
  return v;
}
