import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractRun, insertRun, runShape, sliceRuns } from './slice-runs.js';

describe('slice runs', () => {
  it('extract then insert rebuilds the volume along every axis', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 6 }),
        ),
        fc.constantFrom(0 as const, 1 as const, 2 as const),
        fc.integer({ min: 1, max: 4 }),
        (shape, axis, parts) => {
          const data = Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) => i);
          const out = new Float32Array(data.length);
          const runs = sliceRuns(shape[axis], parts);
          expect(runs.reduce((n, r) => n + r.count, 0)).toBe(shape[axis]);
          for (const run of runs) {
            const voxels = extractRun(data, shape, axis, run);
            const [ox, oy, oz] = runShape(shape, axis, run.count);
            expect(voxels.length).toBe(ox * oy * oz);
            expect(voxels.length).toBe((data.length / shape[axis]) * run.count);
            insertRun(out, shape, axis, run, voxels);
          }
          expect(out).toEqual(data);
        },
      ),
    );
  });

  it('sliceRuns makes the batches of one pass: consecutive, from slice 0, the last one short', () => {
    expect(sliceRuns(7, 3)).toEqual([
      { start: 0, count: 3 },
      { start: 3, count: 3 },
      { start: 6, count: 1 },
    ]);
    expect(sliceRuns(2, 8)).toEqual([{ start: 0, count: 2 }]);
  });
});
