import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractRun, insertRun, runShape, sliceRuns } from './slice-runs.js';
import { extractSlice } from './volume-tensor.js';

const shapes = fc.tuple(
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 1, max: 6 }),
);
const axes = fc.constantFrom(0 as const, 1 as const, 2 as const);

describe('slice runs', () => {
  it('a run holds the volume’s slices in order; inserting every run rebuilds the volume', () => {
    fc.assert(
      fc.property(shapes, axes, fc.integer({ min: 1, max: 4 }), (shape, axis, runLength) => {
        const data = Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) => i);
        const rebuilt = new Float32Array(data.length);
        for (const run of sliceRuns(shape[axis], runLength)) {
          const voxels = extractRun(data, shape, axis, run);
          const own = runShape(shape, axis, run.count);
          for (let k = 0; k < run.count; k++) {
            expect(extractSlice(voxels, own, axis, k)).toEqual(
              extractSlice(data, shape, axis, run.start + k),
            );
          }
          insertRun(rebuilt, shape, axis, run, voxels);
        }
        expect(rebuilt).toEqual(data);
      }),
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
