/**
 * The properties every artefact shares (house style: identity at zero strength, same seed same
 * output, bounds, bad arguments), checked table-driven over all seven artefacts.
 */
import { createRng, isMriError, type Rng, type Volume, withData } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  biasField,
  blur,
  ghosting,
  motion,
  noise,
  ringing,
  sampleBiasField,
  sampleBlur,
  sampleGhosting,
  sampleMotion,
  sampleNoise,
  sampleRinging,
  sampleSpike,
  spike,
} from '../src/index.js';
import { argumentError, expectFiniteNonNegative, expectMriError, phantom } from './helpers.js';

interface Case {
  readonly name: string;
  readonly apply: (v: Volume, p: never) => Volume;
  readonly sample: (rng: Rng, ranges?: never) => unknown;
  /** Parameters of zero strength. */
  readonly zero: unknown[];
  /** Ranges strong enough to change the image. */
  readonly strong: unknown;
  /** [bad params, the argument the error must name]. */
  readonly bad: [unknown, string][];
  /** [bad ranges, the argument the error must name]. */
  readonly badRanges: [unknown, string][];
}

const CASES: Case[] = [
  {
    name: 'motion',
    apply: motion,
    sample: sampleMotion,
    zero: [{ maxRotationDeg: 0, maxTranslationMm: 0, driftSeed: 3 }],
    strong: { maxRotationDeg: [2, 6], maxTranslationMm: [2, 6], jerks: [0, 2] },
    bad: [[{ maxRotationDeg: 50, maxTranslationMm: 0, driftSeed: 0 }, 'maxRotationDeg']],
    badRanges: [[{ maxTranslationMm: [-1, 2] }, 'maxTranslationMm']],
  },
  {
    name: 'ghosting',
    apply: ghosting,
    sample: sampleGhosting,
    zero: [{ numGhosts: 2, intensity: 0 }],
    strong: { intensity: [0.5, 1] },
    bad: [
      [{ numGhosts: 0, intensity: 0.5 }, 'numGhosts'],
      [{ numGhosts: 1.5, intensity: 0.5 }, 'numGhosts'],
      [{ numGhosts: 1, intensity: 1.5 }, 'intensity'],
      [{ numGhosts: 1, intensity: 0.5, axis: 5 }, 'axis'],
      [{ numGhosts: 1, intensity: 0.5, axis: 2 }, 'axis'],
      [{ numGhosts: 1, intensity: 0.5, restore: 1 }, 'restore'],
    ],
    badRanges: [[{ numGhosts: [3, 1] }, 'numGhosts']],
  },
  {
    name: 'spike',
    apply: spike,
    sample: sampleSpike,
    zero: [
      { positions: [[0.1, 0.1, 0]], intensity: 0 },
      { positions: [], intensity: 1 },
    ],
    strong: { intensity: [0.2, 1], numSpikes: [1, 3] },
    bad: [
      [{ positions: [[0.6, 0, 0]], intensity: 1 }, 'positions[0]'],
      [{ positions: [[0.1, 0]], intensity: 1 }, 'positions[0]'],
      [{ positions: 'x', intensity: 1 }, 'positions'],
      [{ positions: [], intensity: -1 }, 'intensity'],
    ],
    badRanges: [[{ numSpikes: 100 }, 'numSpikes']],
  },
  {
    name: 'biasField',
    apply: biasField,
    sample: sampleBiasField,
    zero: [{ coefficient: 0, seed: 4 }],
    strong: { coefficient: [0.3, 1] },
    bad: [
      [{ coefficient: -0.1, seed: 1 }, 'coefficient'],
      [{ coefficient: 0.1, seed: -1 }, 'seed'],
      [{ coefficient: 0.1, seed: 1, octaves: 9 }, 'octaves'],
      [{ coefficient: 0.1, seed: 1, cycles: 0 }, 'cycles'],
    ],
    badRanges: [[{ coefficient: [0, 5] }, 'coefficient']],
  },
  {
    name: 'noise',
    apply: noise,
    sample: sampleNoise,
    zero: [
      { sigma: 0, seed: 1 },
      { sigma: 0, seed: 1, kind: 'gaussian' },
    ],
    strong: { sigma: [0.02, 0.2] },
    bad: [
      [{ sigma: -1, seed: 1 }, 'sigma'],
      [{ sigma: 0.1 }, 'seed'],
      [{ sigma: 0.1, seed: 1, kind: 'poisson' }, 'kind'],
    ],
    badRanges: [[{ kind: 'uniform' }, 'kind']],
  },
  {
    name: 'blur',
    apply: blur,
    sample: sampleBlur,
    zero: [{ sigmaMm: 0 }, { sigmaMm: [0, 0, 0] }],
    strong: { sigmaMm: [1, 3] },
    bad: [
      [{ sigmaMm: -1 }, 'sigmaMm'],
      [{ sigmaMm: [1, 1] }, 'sigmaMm'],
      [{}, 'sigmaMm'],
    ],
    badRanges: [[{ sigmaMm: [2, 1] }, 'sigmaMm']],
  },
  {
    name: 'ringing',
    apply: ringing,
    sample: sampleRinging,
    zero: [{ keepFraction: 1 }, { keepFraction: 1, axes: [0] }],
    strong: { keepFraction: [0.2, 0.6] },
    bad: [
      [{ keepFraction: 0 }, 'keepFraction'],
      [{ keepFraction: 1.1 }, 'keepFraction'],
      [{ keepFraction: 0.5, axes: [4] }, 'axes'],
      [{ keepFraction: 0.5, axes: [] }, 'axes'],
    ],
    badRanges: [[{ keepFraction: [0, 0.5] }, 'keepFraction']],
  },
];

describe.each(CASES)('$name', (c) => {
  const image = phantom(40, 36);
  const volume = phantom(14, 12, 10, [1, 1.5, 2]);

  it('zero strength returns the input unchanged (equal data, new array), 2-D and 3-D', () => {
    for (const v of [image, volume]) {
      for (const params of c.zero) {
        const out = c.apply(v, params as never);
        expect(out.data).toEqual(v.data);
        expect(out.data).not.toBe(v.data);
        expect(out.shape).toEqual(v.shape);
        expect(out.affine).toEqual(v.affine);
      }
    }
  });

  it('same seed, same parameters, same output; inputs never mutated; finite and non-negative', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const params = c.sample(createRng(seed), c.strong as never);
        expect(c.sample(createRng(seed), c.strong as never)).toEqual(params);
        // JSON-serialisable exactly.
        expect(JSON.parse(JSON.stringify(params))).toEqual(params);
        const before = Float32Array.from(image.data);
        const a = c.apply(image, params as never);
        const b = c.apply(image, JSON.parse(JSON.stringify(params)) as never);
        expect(image.data).toEqual(before);
        expect(b.data).toEqual(a.data);
        expectFiniteNonNegative(a.data);
        expect(a.data).not.toEqual(image.data);
      }),
      { numRuns: 8 },
    );
    const params = c.sample(createRng(1), c.strong as never);
    const out = c.apply(volume, params as never);
    expectFiniteNonNegative(out.data);
    expect(out.shape).toEqual(volume.shape);
  });

  it('different seeds give different parameters', () => {
    const a = JSON.stringify(c.sample(createRng(1), c.strong as never));
    const b = JSON.stringify(c.sample(createRng(2), c.strong as never));
    expect(a).not.toBe(b);
  });

  it('every bad parameter throws MriError naming it', () => {
    for (const [params, argument] of c.bad)
      expectMriError(() => c.apply(image, params as never), argumentError(argument));
    expectMriError(() => c.apply(image, null as never), argumentError('params'));
    expectMriError(() => c.apply(null as never, c.zero[0] as never), argumentError('volume'));
    const inf = withData(
      image,
      image.data.map((v, i) => (i === 7 ? Number.POSITIVE_INFINITY : v)),
    );
    expectMriError(() => c.apply(inf, c.zero[0] as never), argumentError('volume'));
    for (const [ranges, argument] of c.badRanges) {
      expectMriError(() => c.sample(createRng(1), ranges as never), argumentError(argument));
    }
    expectMriError(() => c.sample(createRng(1), 'x' as never), argumentError('ranges'));
    expect(isMriError(new Error('plain'))).toBe(false);
  });
});
