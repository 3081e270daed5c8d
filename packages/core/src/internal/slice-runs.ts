import type { Shape } from '@duncan-mri/volume';
import { extractSlice, insertSlice } from './volume-tensor.js';

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
  const plane = data.length / shape[axis];
  if (axis === 2) return data.slice(plane * run.start, plane * (run.start + run.count));
  const out = new Float32Array(plane * run.count);
  const own = runShape(shape, axis, run.count);
  for (let k = 0; k < run.count; k++) {
    insertSlice(out, own, axis, k, extractSlice(data, shape, axis, run.start + k).data);
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
  const own = runShape(shape, axis, run.count);
  for (let k = 0; k < run.count; k++) {
    insertSlice(target, shape, axis, run.start + k, extractSlice(voxels, own, axis, k).data);
  }
}
