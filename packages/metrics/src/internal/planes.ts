/** A 2-D float64 image, x fastest. */
export interface Plane {
  readonly data: Float64Array;
  readonly nx: number;
  readonly ny: number;
}

/** Copies slice `z` of an x-fastest volume into a float64 plane, multiplied by `scale`. */
export function slicePlane(
  data: Float32Array,
  nx: number,
  ny: number,
  z: number,
  scale = 1,
): Plane {
  const size = nx * ny;
  const out = new Float64Array(size);
  const offset = z * size;
  for (let i = 0; i < size; i++) out[i] = data[offset + i]! * scale;
  return { data: out, nx, ny };
}

/**
 * 2x2 average pooling: output `(i, j)` is the mean of input rows `2i, 2i+1` and columns `2j, 2j+1`.
 * An odd last row or column is dropped (TensorFlow's `avg_pool(..., 'VALID')`).
 */
export function averagePool2(plane: Plane): Plane {
  const { data, nx } = plane;
  const ox = plane.nx >> 1;
  const oy = plane.ny >> 1;
  const out = new Float64Array(ox * oy);
  for (let y = 0; y < oy; y++) {
    const r0 = 2 * y * nx;
    const r1 = r0 + nx;
    for (let x = 0; x < ox; x++) {
      const c = 2 * x;
      out[y * ox + x] = (data[r0 + c]! + data[r0 + c + 1]! + data[r1 + c]! + data[r1 + c + 1]!) / 4;
    }
  }
  return { data: out, nx: ox, ny: oy };
}

/**
 * `filter2(kernel ⊗ kernel, plane, 'valid')` followed by keeping every second row and column
 * from the first (`(1:2:end, 1:2:end)` in MATLAB): only the kept outputs are computed.
 */
export function filterValidDecimate(plane: Plane, kernel: Float64Array): Plane {
  const { data, nx, ny } = plane;
  const taps = kernel.length;
  const vx = nx - taps + 1;
  const vy = ny - taps + 1;
  const ox = Math.ceil(vx / 2);
  const oy = Math.ceil(vy / 2);
  // Horizontal pass on every input row, kept columns only.
  const rows = new Float64Array(ox * ny);
  for (let y = 0; y < ny; y++) {
    const base = y * nx;
    for (let x = 0; x < ox; x++) {
      let s = 0;
      const start = base + 2 * x;
      for (let k = 0; k < taps; k++) s += kernel[k]! * data[start + k]!;
      rows[y * ox + x] = s;
    }
  }
  const out = new Float64Array(ox * oy);
  for (let y = 0; y < oy; y++) {
    for (let x = 0; x < ox; x++) {
      let s = 0;
      for (let k = 0; k < taps; k++) s += kernel[k]! * rows[(2 * y + k) * ox + x]!;
      out[y * ox + x] = s;
    }
  }
  return { data: out, nx: ox, ny: oy };
}
