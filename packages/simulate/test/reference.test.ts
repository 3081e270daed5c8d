/**
 * Artefacts against independent implementations (scipy.ndimage for blur, a numpy
 * transcription of the documented motion model for jerk-only motion), on the real slice. The
 * values and their provenance are in test/reference/simulate.json, made by
 * tools/reference/simulate_reference.py (Python never runs in the tests).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Volume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { blur } from '../src/blur.js';
import { type MotionParams, motion } from '../src/motion.js';
import { realSlice } from './helpers.js';

interface Summary {
  readonly probes: number[];
  readonly sum: number;
  readonly sumSquares: number;
  readonly max: number;
}

interface ReferenceCase {
  readonly id: string;
  readonly artefact: 'blur' | 'motion';
  readonly params: unknown;
  readonly tool: string;
  readonly rtol: number;
  readonly atol: number;
  readonly expected: Summary;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const reference: { probeIndices: number[]; cases: ReferenceCase[] } = JSON.parse(
  readFileSync(join(HERE, 'reference', 'simulate.json'), 'utf8'),
);

const APPLY: Record<ReferenceCase['artefact'], (v: Volume, p: unknown) => Volume> = {
  blur: (v, p) => blur(v, p as { sigmaMm: [number, number, number] }),
  motion: (v, p) => motion(v, p as MotionParams),
};

describe('artefacts equal their independent references', () => {
  it('has the expected cases', () => {
    expect(reference.cases.map((c) => c.id)).toEqual([
      'blur-anisotropic',
      'motion-jerks',
      'motion-jerks-reference-start',
    ]);
  });

  it.each(reference.cases)('$id ($tool)', (c) => {
    const out = APPLY[c.artefact](realSlice(), c.params).data;
    const close = (actual: number, expected: number, scale = 1) =>
      Math.abs(actual - expected) <= scale * (c.atol + c.rtol * Math.abs(expected));
    reference.probeIndices.forEach((index, k) => {
      const expected = c.expected.probes[k]!;
      expect(close(out[index]!, expected), `voxel ${index}: ${out[index]} vs ${expected}`).toBe(
        true,
      );
    });
    let sum = 0;
    let sumSquares = 0;
    let max = 0;
    for (const v of out) {
      sum += v;
      sumSquares += v * v;
      max = Math.max(max, v);
    }
    expect(close(max, c.expected.max)).toBe(true);
    expect(Math.abs(sum - c.expected.sum)).toBeLessThan(10 * c.rtol * c.expected.sum);
    expect(Math.abs(sumSquares - c.expected.sumSquares)).toBeLessThan(
      10 * c.rtol * c.expected.sumSquares,
    );
  });
});
