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
