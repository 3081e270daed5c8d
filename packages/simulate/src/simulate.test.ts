import { createRng, createVolume } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  argumentError,
  expectFiniteNonNegative,
  expectMriError,
  phantom,
} from '../test/helpers.js';
import { ghosting } from './ghosting.js';
import { noise } from './noise.js';
import { ARTEFACT_NAMES, SEVERITIES, SEVERITY_PRESETS } from './presets.js';
import { type RecipeStep, replay, simulate } from './simulate.js';

describe('simulate and replay', () => {
  const image = phantom(40, 36);
  const everything: RecipeStep[] = ARTEFACT_NAMES.map((artefact) => ({ artefact }) as RecipeStep);

  it('applies a recipe and lists exactly what it drew; replay is bit for bit, also after JSON', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...SEVERITIES), (seed, severity) => {
        const recipe = ARTEFACT_NAMES.map((artefact) => ({ artefact, severity }) as RecipeStep);
        const before = Float32Array.from(image.data);
        const { volume, applied } = simulate(image, recipe, createRng(seed));
        expect(image.data).toEqual(before);
        expect(applied.map((a) => a.artefact)).toEqual(ARTEFACT_NAMES);
        expectFiniteNonNegative(volume.data);
        expect(replay(image, applied).data).toEqual(volume.data);
        const json = JSON.parse(JSON.stringify(applied));
        expect(json).toEqual(applied);
        expect(replay(image, json).data).toEqual(volume.data);
      }),
      { numRuns: 6 },
    );
  });

  it('same seed, same output; different seeds, different outputs', () => {
    const a = simulate(image, everything, createRng(5));
    const b = simulate(image, everything, createRng(5));
    const c = simulate(image, everything, createRng(6));
    expect(b.volume.data).toEqual(a.volume.data);
    expect(b.applied).toEqual(a.applied);
    expect(c.volume.data).not.toEqual(a.volume.data);
  });

  it('explicit params are applied as given; ranges are drawn from; the default is moderate', () => {
    const params = { sigma: 0.05, seed: 3 };
    const { volume, applied } = simulate(image, [{ artefact: 'noise', params }], createRng(1));
    expect(applied).toEqual([{ artefact: 'noise', params }]);
    expect(volume.data).toEqual(noise(image, params).data);
    const drawn = simulate(image, [{ artefact: 'noise', ranges: { sigma: 0.07 } }], createRng(1));
    expect((drawn.applied[0]!.params as { sigma: number }).sigma).toBe(0.07);
    const preset = simulate(image, [{ artefact: 'blur' }], createRng(1));
    const sigma = (preset.applied[0]!.params as { sigmaMm: number }).sigmaMm;
    const [low, high] = SEVERITY_PRESETS.moderate.blur.sigmaMm as [number, number];
    expect(sigma).toBeGreaterThanOrEqual(low);
    expect(sigma).toBeLessThanOrEqual(high);
  });

  it('probability 0 skips a step, probability 1 always applies it', () => {
    const skipped = simulate(image, [{ artefact: 'noise', probability: 0 }], createRng(1));
    expect(skipped.applied).toEqual([]);
    expect(skipped.volume.data).toEqual(image.data);
    expect(skipped.volume.data).not.toBe(image.data);
    const kept = simulate(image, [{ artefact: 'noise', probability: 1 }], createRng(1));
    expect(kept.applied).toHaveLength(1);
  });

  it('an empty recipe is the identity', () => {
    const { volume, applied } = simulate(image, [], createRng(1));
    expect(applied).toEqual([]);
    expect(volume.data).toEqual(image.data);
    expect(replay(image, []).data).toEqual(image.data);
  });

  it('presets cover every artefact and severity', () => {
    for (const severity of SEVERITIES) {
      expect(Object.keys(SEVERITY_PRESETS[severity]).sort()).toEqual([...ARTEFACT_NAMES].sort());
    }
    expect(Object.isFrozen(SEVERITY_PRESETS.mild.motion)).toBe(true);
  });

  it('every bad argument throws MriError naming it', () => {
    const rng = createRng(1);
    expectMriError(() => simulate(image, 'motion' as never, rng), argumentError('recipe'));
    expectMriError(
      () => simulate(image, [{ artefact: 'wobble' } as never], rng),
      argumentError('recipe[0].artefact'),
    );
    expectMriError(
      () => simulate(image, [{ artefact: 'noise', severity: 'extreme' } as never], rng),
      argumentError('recipe[0].severity'),
    );
    expectMriError(
      () =>
        simulate(
          image,
          [{ artefact: 'noise', severity: 'mild', params: { sigma: 1, seed: 1 } }],
          rng,
        ),
      argumentError('recipe[0]'),
    );
    expectMriError(
      () => simulate(image, [{ artefact: 'noise', probability: 2 }], rng),
      argumentError('recipe[0].probability'),
    );
    expectMriError(
      () => simulate(image, [{ artefact: 'noise', params: { sigma: -1, seed: 1 } }], rng),
      argumentError('sigma'),
    );
    expectMriError(
      () => simulate(image, [{ artefact: 'noise', ranges: 3 as never }], rng),
      argumentError('recipe[0].ranges'),
    );
    expectMriError(
      () => simulate(image, [{ artefact: 'noise', ranges: { sigma: [-1, 1] } }], rng),
      argumentError('sigma'),
    );
    expectMriError(
      () => simulate(image, [{ artefact: 'motion', ranges: { phaseEncodeAxis: 2 } }], rng),
      argumentError('phaseEncodeAxis'),
    );
    // As ghosting() itself: a ghosting axis with a single voxel is refused, also in 3-D.
    const flat = createVolume({ data: new Float32Array(8 * 6), shape: [8, 1, 6] });
    expect(() => ghosting(flat, { numGhosts: 1, intensity: 0.5 })).toThrow(/axis/);
    const ghost = { artefact: 'ghosting', params: { numGhosts: 1, intensity: 0.5 } } as const;
    expectMriError(() => simulate(flat, [ghost], rng), argumentError('axis'));
    expectMriError(() => replay(flat, [ghost]), argumentError('axis'));
    expectMriError(() => simulate(image, [], null as never), argumentError('rng'));
    expectMriError(() => simulate(null as never, [], rng), argumentError('volume'));
    expectMriError(() => replay(image, {} as never), argumentError('applied'));
    expectMriError(() => replay(image, [{ artefact: 'blur' } as never]), argumentError('params'));
    expectMriError(
      () => replay(image, [{ artefact: 'x', params: {} } as never]),
      argumentError('applied[0].artefact'),
    );
  });
});
