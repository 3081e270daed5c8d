/**
 * The presets on a real slice (Colin27 axial z = 94, see fixtures/README.md): severity increases
 * monotonically in mean SSIM over many seeds, for every artefact; outputs are finite and
 * non-negative; a whole recipe replays bit for bit.
 */
import { ssim } from '@duncan-mri/metrics';
import { createRng } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { ARTEFACT_NAMES, SEVERITIES } from '../src/presets.js';
import { type RecipeStep, replay, simulate } from '../src/simulate.js';
import { expectFiniteNonNegative, realSlice } from './helpers.js';

const SEEDS = 10;

describe('presets on a real slice', () => {
  const clean = realSlice();

  it('the fixture is the expected slice', () => {
    expect(clean.shape).toEqual([181, 217, 1]);
    let sum = 0;
    let max = 0;
    for (const v of clean.data) {
      sum += v;
      max = Math.max(max, v);
    }
    expect(max).toBe(182);
    expect(sum / clean.data.length).toBeCloseTo(58.0229, 3);
  });

  it.each(ARTEFACT_NAMES)('%s: mean SSIM decreases from mild to moderate to severe', (artefact) => {
    const means = SEVERITIES.map((severity) => {
      let total = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const step = { artefact, severity } as RecipeStep;
        const { volume } = simulate(clean, [step], createRng(1000 * seed + 7));
        expectFiniteNonNegative(volume.data);
        const score = ssim(clean, volume, { dataRange: 255 });
        expect(score).toBeLessThan(1);
        total += score;
      }
      return total / SEEDS;
    });
    expect(means[0]!).toBeGreaterThan(means[1]!);
    expect(means[1]!).toBeGreaterThan(means[2]!);
  });

  it('a full recipe (every artefact, severe) replays bit for bit', () => {
    const recipe = ARTEFACT_NAMES.map(
      (artefact) => ({ artefact, severity: 'severe' }) as RecipeStep,
    );
    const { volume, applied } = simulate(clean, recipe, createRng(2026));
    expectFiniteNonNegative(volume.data);
    expect(replay(clean, JSON.parse(JSON.stringify(applied))).data).toEqual(volume.data);
  });
});
