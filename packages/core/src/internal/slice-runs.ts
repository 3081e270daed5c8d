import type { Shape } from '@duncan-mri/volume';

/** A run of consecutive slices along the correction's axis: slices `start` to `start + count - 1`. */
export interface SliceRun {
  readonly start: number;
  readonly count: number;
}

/** `count` slices as consecutive runs of `runLength` from slice 0, as one pass batches them. */
export function sliceRuns(count: number, runLength: number): SliceRun[] {
  const runs: SliceRun[] = [];
  for (let start = 0; start < count; start += runLength) {
    runs.push({ start, count: Math.min(runLength, count - start) });
  }
  return runs;
}

/** The shape of a run of `count` slices along `axis` of a volume of `shape`. */
export function runShape(shape: Shape, axis: 0 | 1 | 2, count: number): [number, number, number] {
  const out: [number, number, number] = [shape[0], shape[1], shape[2]];
  out[axis] = count;
  return out;
}

/** The voxels of `run` along `axis` of an x-fastest volume buffer, as a buffer of their own. */
export function extractRun(
  data: Float32Array,
  shape: Shape,
  axis: 0 | 1 | 2,
  run: SliceRun,
): Float32Array {
  const [nx, ny] = shape;
  if (axis === 2) return data.slice(nx * ny * run.start, nx * ny * (run.start + run.count));
  const [ox, oy, oz] = runShape(shape, axis, run.count);
  const out = new Float32Array(ox * oy * oz);
  const dx = axis === 0 ? run.start : 0;
  const dy = axis === 1 ? run.start : 0;
  let k = 0;
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      const row = nx * (y + dy + ny * z) + dx;
      for (let x = 0; x < ox; x++) out[k++] = data[row + x]!;
    }
  }
  return out;
}

/** The inverse of {@link extractRun}: writes a run's voxels back into `target`. */
export function insertRun(
  target: Float32Array,
  shape: Shape,
  axis: 0 | 1 | 2,
  run: SliceRun,
  voxels: Float32Array,
): void {
  const [nx, ny] = shape;
  if (axis === 2) {
    target.set(voxels, nx * ny * run.start);
    return;
  }
  const [ox, oy, oz] = runShape(shape, axis, run.count);
  const dx = axis === 0 ? run.start : 0;
  const dy = axis === 1 ? run.start : 0;
  let k = 0;
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      const row = nx * (y + dy + ny * z) + dx;
      for (let x = 0; x < ox; x++) target[row + x] = voxels[k++]!;
    }
  }
}
