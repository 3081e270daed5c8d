import { describe, expect, it } from 'vitest';
import { argumentError, expectMriError } from '../test/helpers.js';
import { evaluationSeed } from './evaluation-seed.js';

describe('evaluationSeed', () => {
  it('is seed + 1000 + 10 step + the severity position (9 for a custom step)', () => {
    expect(evaluationSeed(2026, 0, 'mild')).toBe(3026);
    expect(evaluationSeed(2026, 0, 'severe')).toBe(3028);
    expect(evaluationSeed(2026, 2, 'moderate')).toBe(3047);
    expect(evaluationSeed(0, 2, 'custom')).toBe(1029);
    const seeds = new Set<number>();
    for (let step = 0; step < 5; step++)
      for (const s of ['mild', 'moderate', 'severe', 'custom'] as const)
        seeds.add(evaluationSeed(7, step, s));
    expect(seeds.size).toBe(20);
  });

  it('refuses a bad seed, step or severity', () => {
    expectMriError(() => evaluationSeed(-1, 0, 'mild'), argumentError('seed'));
    expectMriError(() => evaluationSeed(1, 0.5, 'mild'), argumentError('step'));
    expectMriError(() => evaluationSeed(1, 0, 'awful' as 'mild'), argumentError('severity'));
    expect(() => evaluationSeed(1, 0, 'awful' as 'mild')).toThrow(
      /^evaluationSeed: severity must be one of mild, moderate, severe, custom/,
    );
  });
});
