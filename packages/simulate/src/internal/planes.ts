// One plane (slice k along an axis) of an x-fastest volume buffer, out and back. The plane's
// voxels keep their order: the faster remaining axis first.

/** A copy of slice `k` along `axis`. */
export function readPlane(
  data: Float32Array,
  shape: readonly [number, number, number],
  axis: 0 | 1 | 2,
  k: number,
): Float32Array {
  const [nx, ny, nz] = shape;
  if (axis === 2) return data.slice(nx * ny * k, nx * ny * (k + 1));
  const out = new Float32Array(axis === 0 ? ny * nz : nx * nz);
  let i = 0;
  for (let z = 0; z < nz; z++) {
    if (axis === 0) for (let y = 0; y < ny; y++) out[i++] = data[k + nx * (y + ny * z)]!;
    else for (let x = 0; x < nx; x++) out[i++] = data[x + nx * (k + ny * z)]!;
  }
  return out;
}

/** Writes `plane` (as {@link readPlane} returns it) into slice `k` along `axis` of `target`. */
export function writePlane(
  target: Float32Array,
  shape: readonly [number, number, number],
  axis: 0 | 1 | 2,
  k: number,
  plane: Float32Array,
): void {
  const [nx, ny, nz] = shape;
  if (axis === 2) {
    target.set(plane, nx * ny * k);
    return;
  }
  let i = 0;
  for (let z = 0; z < nz; z++) {
    if (axis === 0) for (let y = 0; y < ny; y++) target[k + nx * (y + ny * z)] = plane[i++]!;
    else for (let x = 0; x < nx; x++) target[x + nx * (k + ny * z)] = plane[i++]!;
  }
}
