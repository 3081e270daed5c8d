import type { Axis } from '@duncan-mri/volume';
/** Slices `[start, start + count)` along `axis` of an x-fastest volume buffer. */
export function extractChunk(
  data: Float32Array,
  shape: readonly [number, number, number],
  axis: Axis,
  start: number,
  count: number,
): { data: Float32Array; shape: [number, number, number] } {
  const [nx, ny, nz] = shape;
  const out: [number, number, number] = [nx, ny, nz];
  out[axis] = count;
  if (axis === 2)
    return { data: data.slice(nx * ny * start, nx * ny * (start + count)), shape: out };
  const [ox, oy, oz] = out;
  const chunk = new Float32Array(ox * oy * oz);
  const dx = axis === 0 ? start : 0;
  const dy = axis === 1 ? start : 0;
  let k = 0;
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      const row = nx * (y + dy + ny * z) + dx;
      for (let x = 0; x < ox; x++) chunk[k++] = data[row + x]!;
    }
  }
  return { data: chunk, shape: out };
}

/** The inverse of {@link extractChunk}: writes a chunk back into `target`. */
export function insertChunk(
  target: Float32Array,
  shape: readonly [number, number, number],
  axis: Axis,
  start: number,
  chunk: Float32Array,
  chunkShape: readonly [number, number, number],
): void {
  const [nx, ny] = shape;
  if (axis === 2) {
    target.set(chunk, nx * ny * start);
    return;
  }
  const [ox, oy, oz] = chunkShape;
  const dx = axis === 0 ? start : 0;
  const dy = axis === 1 ? start : 0;
  let k = 0;
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      const row = nx * (y + dy + ny * z) + dx;
      for (let x = 0; x < ox; x++) target[row + x] = chunk[k++]!;
    }
  }
}
