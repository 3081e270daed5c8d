import type { BiasFieldRanges } from './bias-field.js';
import type { BlurRanges } from './blur.js';
import type { GhostingRanges } from './ghosting.js';
import type { MotionRanges } from './motion.js';
import type { NoiseRanges } from './noise.js';
import type { RingingRanges } from './ringing.js';
import type { SpikeRanges } from './spike.js';

/** A severity preset name. */
export type Severity = 'mild' | 'moderate' | 'severe';

/** The sampler ranges of every artefact, by name (the names of the artefact functions). */
export interface ArtefactRanges {
  readonly motion: MotionRanges;
  readonly ghosting: GhostingRanges;
  readonly spike: SpikeRanges;
  readonly biasField: BiasFieldRanges;
  readonly noise: NoiseRanges;
  readonly blur: BlurRanges;
  readonly ringing: RingingRanges;
}

/** The artefact names a recipe may use. */
export type ArtefactName = keyof ArtefactRanges;

/** Every artefact name, in the order of the package README. */
export const ARTEFACT_NAMES: readonly ArtefactName[] = Object.freeze([
  'motion',
  'ghosting',
  'spike',
  'biasField',
  'noise',
  'blur',
  'ringing',
]);

/** The severities, mildest first. */
export const SEVERITIES: readonly Severity[] = Object.freeze(['mild', 'moderate', 'severe']);

/**
 * Sampler ranges for each artefact at each severity. The package README lists the SSIM range
 * (against the clean image) each preset gives on a real slice (Colin27 z = 94), made by
 * `node scripts/make-figure.mjs`; the mean SSIM decreases from mild to severe for every
 * artefact (tested over many seeds).
 *
 * @example
 * ```ts
 * const params = sampleMotion(createRng(1), SEVERITY_PRESETS.severe.motion);
 * ```
 */
export const SEVERITY_PRESETS: Readonly<Record<Severity, ArtefactRanges>> = deepFreeze({
  mild: {
    motion: { maxRotationDeg: [0.3, 0.8], maxTranslationMm: [0.3, 0.8], jerks: 0 },
    ghosting: { numGhosts: [1, 2], intensity: [0.1, 0.25] },
    spike: { numSpikes: 1, intensity: [0.02, 0.05] },
    biasField: { coefficient: [0.1, 0.2] },
    noise: { sigma: [0.01, 0.02] },
    blur: { sigmaMm: [0.5, 0.8] },
    ringing: { keepFraction: [0.7, 0.8] },
  },
  moderate: {
    motion: {
      maxRotationDeg: [1, 2],
      maxTranslationMm: [1, 2],
      jerks: [0, 1],
      jerkRotationDeg: [0.5, 1.5],
      jerkTranslationMm: [0.5, 1.5],
    },
    ghosting: { numGhosts: [1, 3], intensity: [0.35, 0.55] },
    spike: { numSpikes: 1, intensity: [0.08, 0.15] },
    biasField: { coefficient: [0.25, 0.4] },
    noise: { sigma: [0.03, 0.05] },
    blur: { sigmaMm: [1, 1.5] },
    ringing: { keepFraction: [0.45, 0.6] },
  },
  severe: {
    motion: {
      maxRotationDeg: [4, 7],
      maxTranslationMm: [4, 7],
      jerks: [1, 3],
      jerkRotationDeg: [2, 5],
      jerkTranslationMm: [2, 5],
    },
    ghosting: { numGhosts: [1, 4], intensity: [0.65, 0.9] },
    spike: { numSpikes: [1, 3], intensity: [0.2, 0.4] },
    biasField: { coefficient: [0.5, 0.8] },
    noise: { sigma: [0.07, 0.1] },
    blur: { sigmaMm: [2, 3] },
    ringing: { keepFraction: [0.25, 0.35] },
  },
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
