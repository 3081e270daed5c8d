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

/**
 * Copies `count` slices along `axis`: slice `fromStart + k` of `from` (of `fromShape`) to slice
 * `toStart + k` of `to` (of `toShape`).
 */
function copySlices(
  axis: 0 | 1 | 2,
  count: number,
  from: { data: Float32Array; shape: Shape; start: number },
  to: { data: Float32Array; shape: Shape; start: number },
): void {
  for (let k = 0; k < count; k++) {
    const slice = extractSlice(from.data, from.shape, axis, from.start + k).data;
    insertSlice(to.data, to.shape, axis, to.start + k, slice);
  }
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
  copySlices(
    axis,
    run.count,
    { data, shape, start: run.start },
    { data: out, shape: own, start: 0 },
  );
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
  copySlices(
    axis,
    run.count,
    { data: voxels, shape: own, start: 0 },
    { data: target, shape, start: run.start },
  );
}
