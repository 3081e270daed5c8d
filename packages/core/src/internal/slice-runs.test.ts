import { describe, expect, it } from 'vitest';
import { sliceRuns } from './slice-runs.js';

describe('slice runs', () => {
  it('sliceRuns makes the batches of one pass: consecutive, from slice 0, the last one short', () => {
    expect(sliceRuns(7, 3)).toEqual([
      { start: 0, count: 3 },
      { start: 3, count: 3 },
      { start: 6, count: 1 },
    ]);
    expect(sliceRuns(2, 8)).toEqual([{ start: 0, count: 2 }]);
  });
});
