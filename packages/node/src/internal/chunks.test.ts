import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractChunk, insertChunk } from './chunks.js';

describe('chunks', () => {
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
          const runs: { start: number; count: number }[] = [];
          for (let start = 0; start < shape[axis]; start += parts)
            runs.push({ start, count: Math.min(parts, shape[axis] - start) });
          for (const run of runs) {
            const chunk = extractChunk(data, shape, axis, run.start, run.count);
            expect(chunk.data.length).toBe((data.length / shape[axis]) * run.count);
            insertChunk(out, shape, axis, run.start, chunk.data, chunk.shape);
          }
          expect(out).toEqual(data);
        },
      ),
    );
  });
});
