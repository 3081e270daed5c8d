import {
  type Axis,
  invalidArgument,
  type Rng,
  type Volume,
  validateNumber,
  validateObject,
  withData,
} from '@duncan-mri/volume';
import {
  applyBiasField,
  type BiasFieldParams,
  resolveBiasFieldParams,
  sampleBiasField,
} from './bias-field.js';
import { applyBlur, type BlurParams, resolveBlurParams, sampleBlur } from './blur.js';
import {
  applyGhosting,
  checkGhostingAxis,
  type GhostingParams,
  resolveGhostingParams,
  sampleGhosting,
} from './ghosting.js';
import { validateRng } from './internal/sampling.js';
import { validateChoice, validateVolume } from './internal/validate.js';
import {
  applyMotion,
  checkPhaseEncodeAxis,
  type MotionParams,
  resolveMotionParams,
  sampleMotion,
} from './motion.js';
import { applyNoise, type NoiseParams, resolveNoiseParams, sampleNoise } from './noise.js';
import {
  ARTEFACT_NAMES,
  type ArtefactName,
  type ArtefactRanges,
  SEVERITIES,
  SEVERITY_PRESETS,
  type Severity,
} from './presets.js';
import {
  applyRinging,
  type RingingParams,
  resolveRingingParams,
  sampleRinging,
} from './ringing.js';
import { applySpike, resolveSpikeParams, type SpikeParams, sampleSpike } from './spike.js';

/** The explicit parameters of every artefact, by name. */
export interface ArtefactParams {
  readonly motion: MotionParams;
  readonly ghosting: GhostingParams;
  readonly spike: SpikeParams;
  readonly biasField: BiasFieldParams;
  readonly noise: NoiseParams;
  readonly blur: BlurParams;
  readonly ringing: RingingParams;
}

/**
 * One step of a {@link simulate} recipe: the artefact (a function name) and how to get its
 * parameters, at most one of: `params` (explicit), `ranges` (drawn), `severity` (a preset's
 * ranges; the default is `'moderate'`). `probability` (default 1) applies the step only with
 * that probability, as TorchIO's `p`.
 */
export type RecipeStep = {
  [A in ArtefactName]: {
    readonly artefact: A;
    readonly severity?: Severity;
    readonly ranges?: ArtefactRanges[A];
    readonly params?: ArtefactParams[A];
    readonly probability?: number;
  };
}[ArtefactName];

/** One artefact as applied: its name and the exact parameters (JSON-serialisable). */
export type AppliedArtefact = {
  [A in ArtefactName]: { readonly artefact: A; readonly params: ArtefactParams[A] };
}[ArtefactName];

/** What {@link simulate} returns. */
export interface SimulationResult {
  /** The corrupted volume (same shape and affine as the input). */
  readonly volume: Volume;
  /** Every artefact applied, in order, with the parameters drawn; feed it to {@link replay}. */
  readonly applied: readonly AppliedArtefact[];
}

interface Handler {
  resolve(where: string, params: unknown): unknown;
  apply(volume: Volume, resolved: unknown): Volume;
  sample(rng: Rng, ranges: unknown): unknown;
}

/** One artefact's three functions, behind the untyped interface that a recipe step needs. */
function handler<Resolved, Ranges>(
  resolve: (where: string, params: unknown) => Resolved,
  apply: (volume: Volume, resolved: Resolved) => Volume,
  sample: (rng: Rng, ranges: Ranges) => unknown,
): Handler {
  return {
    resolve,
    apply: (volume, resolved) => apply(volume, resolved as Resolved),
    sample: (rng, ranges) => sample(rng, ranges as Ranges),
  };
}

const HANDLERS: Record<ArtefactName, Handler> = {
  motion: handler(resolveMotionParams, applyMotion, sampleMotion),
  ghosting: handler(resolveGhostingParams, applyGhosting, sampleGhosting),
  spike: handler(resolveSpikeParams, applySpike, sampleSpike),
  biasField: handler(resolveBiasFieldParams, applyBiasField, sampleBiasField),
  noise: handler(resolveNoiseParams, applyNoise, sampleNoise),
  blur: handler(resolveBlurParams, applyBlur, sampleBlur),
  ringing: handler(resolveRingingParams, applyRinging, sampleRinging),
};

/** A JSON copy: plain data only, so that `applied` survives `JSON.stringify`/`parse` exactly. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Checks an axis-dependent parameter against the volume's shape, with the same rules as the
 * artefact functions themselves (`motion`: no phase encoding along z in 2-D; `ghosting`: the
 * axis must have more than one voxel, in 2-D and 3-D).
 */
function checkAgainstVolume(
  where: string,
  name: ArtefactName,
  volume: Volume,
  resolved: unknown,
): void {
  const r = resolved as { phaseEncodeAxis?: Axis; axis?: Axis };
  if (name === 'motion' && r.phaseEncodeAxis !== undefined) {
    checkPhaseEncodeAxis(where, volume.shape, r.phaseEncodeAxis);
  }
  if (name === 'ghosting' && r.axis !== undefined) checkGhostingAxis(where, volume, r.axis);
}

function validateName(where: string, argument: string, value: unknown): ArtefactName {
  return validateChoice<ArtefactName>(where, argument, value, ARTEFACT_NAMES);
}

/**
 * Corrupts a clean volume with a recipe of artefacts, drawing every random parameter from
 * `rng`, and says exactly what it did. The DUNCAN paper (Liu et al., "Learning MRI artefact
 * removal with unpaired data", Nature Machine Intelligence 2021) built its in silico corrupted
 * images with Perlin noise; TorchIO's `Compose` of random transforms (Pérez-García et al. 2021)
 * is the peer.
 *
 * @example
 * ```ts
 * const { volume: corrupted, applied } = simulate(clean, [
 *   { artefact: 'motion', severity: 'moderate' },
 *   { artefact: 'noise', ranges: { sigma: [0.02, 0.04] } },
 *   { artefact: 'biasField', params: { coefficient: 0.3, seed: 1 } },
 * ], createRng(42));
 * const again = replay(clean, applied); // bit for bit the same as corrupted
 * ```
 */
export function simulate(
  volume: Volume,
  recipe: readonly RecipeStep[],
  rng: Rng,
): SimulationResult {
  const where = 'simulate';
  let current = validateVolume(where, volume);
  if (!Array.isArray(recipe)) invalidArgument(where, 'recipe', 'must be an array of steps', recipe);
  validateRng(where, rng);
  // Validate every step before drawing anything.
  const steps = (recipe as unknown[]).map((s, i) => {
    const step = validateObject(where, `recipe[${i}]`, s);
    const name = validateName(where, `recipe[${i}].artefact`, step.artefact);
    const given = ['params', 'ranges', 'severity'].filter((k) => step[k] !== undefined);
    if (given.length > 1) {
      invalidArgument(
        where,
        `recipe[${i}]`,
        'must give at most one of params, ranges, severity',
        given.join(' and '),
      );
    }
    const severity = validateChoice<Severity>(
      where,
      `recipe[${i}].severity`,
      step.severity,
      SEVERITIES,
      'moderate',
    );
    const probability = validateNumber(
      where,
      `recipe[${i}].probability`,
      step.probability,
      { min: 0, max: 1 },
      1,
    );
    if (step.params !== undefined) {
      checkAgainstVolume(where, name, current, HANDLERS[name].resolve(where, step.params));
    }
    if (step.ranges !== undefined) validateObject(where, `recipe[${i}].ranges`, step.ranges);
    return { name, step, severity, probability };
  });
  const applied: AppliedArtefact[] = [];
  for (const { name, step, severity, probability } of steps) {
    if (probability < 1 && rng.float() >= probability) continue;
    const handler = HANDLERS[name];
    const params =
      step.params !== undefined
        ? plain(step.params)
        : handler.sample(rng, step.ranges ?? SEVERITY_PRESETS[severity][name]);
    const resolved = handler.resolve(where, params);
    checkAgainstVolume(where, name, current, resolved);
    current = handler.apply(current, resolved);
    applied.push({ artefact: name, params } as AppliedArtefact);
  }
  if (applied.length === 0) current = withData(current, Float32Array.from(current.data));
  return { volume: current, applied };
}

/**
 * Applies a list of artefacts with explicit parameters, e.g. the `applied` list of
 * {@link simulate} (also after a JSON round trip): the result equals the simulated volume bit
 * for bit.
 *
 * @example
 * ```ts
 * const { volume, applied } = simulate(clean, [{ artefact: 'ghosting', severity: 'mild' }], createRng(1));
 * const same = replay(clean, JSON.parse(JSON.stringify(applied)));
 * ```
 */
export function replay(volume: Volume, applied: readonly AppliedArtefact[]): Volume {
  const where = 'replay';
  let current = validateVolume(where, volume);
  if (!Array.isArray(applied))
    invalidArgument(where, 'applied', 'must be an array of applied artefacts', applied);
  const steps = (applied as unknown[]).map((a, i) => {
    const entry = validateObject(where, `applied[${i}]`, a);
    const name = validateName(where, `applied[${i}].artefact`, entry.artefact);
    const resolved = HANDLERS[name].resolve(where, entry.params);
    checkAgainstVolume(where, name, current, resolved);
    return { name, resolved };
  });
  for (const { name, resolved } of steps) current = HANDLERS[name].apply(current, resolved);
  if (steps.length === 0) current = withData(current, Float32Array.from(current.data));
  return current;
}
