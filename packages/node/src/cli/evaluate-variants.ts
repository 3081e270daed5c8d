// What `duncan evaluate` evaluates: the corrupted versions of its clean images, from the
// --simulate recipe (with --severities, --corruption and --seed) or from --corrupted file names.
import { basename } from 'node:path';
import {
  ARTEFACT_NAMES,
  evaluationSeed,
  type RecipeStep,
  SEVERITIES,
  type Severity,
  simulate,
  simulateSlices,
} from '@duncan-mri/simulate';
import type { Rng, Volume } from '@duncan-mri/volume';
import type { ShotArtefact, ShotSeverity } from '../internal/shot-corruption.js';
import { UsageError } from './args.js';
import { parseRecipe } from './recipe.js';

/** One corrupted version of a clean image to evaluate. */
export interface Variant {
  readonly artefact: string;
  readonly severity: string;
  /** A corrupted file, or a recipe step to simulate with a seed. */
  readonly file?: string;
  readonly step?: RecipeStep;
  readonly seed?: number;
  /** Instead of `step`: the independent shot model of `--corruption shots` (with `seed`). */
  readonly shot?: { readonly artefact: ShotArtefact; readonly severity: ShotSeverity };
}

/** Which corruption model(s) `--simulate` uses. */
export type CorruptionMode = 'simulator' | 'shots' | 'both';
export const CORRUPTION_MODES: readonly CorruptionMode[] = ['simulator', 'shots', 'both'];
const SHOT_ARTEFACTS: readonly string[] = ['motion', 'ghosting'] satisfies ShotArtefact[];
const SHOT_SEVERITIES: readonly string[] = ['mild', 'moderate', 'severe'] satisfies ShotSeverity[];

/**
 * The variants of `--corruption`: `simulator` keeps the simulated ones; `shots` replaces each by
 * the independent shot model (packages/node/src/internal/shot-corruption.ts) of the same artefact
 * and severity, labelled `shot-<artefact>` and drawn from `createRng(seed + 1000)` (the
 * simulator variant's seed + 1000); `both` keeps the simulated ones and adds the shot ones after
 * them. The shot model knows motion and ghosting at mild, moderate and severe: with `shots`
 * every step must be one of those; with `both` the others are only simulated (and at least one
 * step must have a shot version).
 */
export function corruptionVariants(simulated: readonly Variant[], mode: CorruptionMode): Variant[] {
  if (mode === 'simulator') return [...simulated];
  const shots: Variant[] = [];
  for (const v of simulated) {
    if (SHOT_ARTEFACTS.includes(v.artefact) && SHOT_SEVERITIES.includes(v.severity)) {
      shots.push({
        artefact: `shot-${v.artefact}`,
        severity: v.severity,
        seed: v.seed! + 1000,
        shot: { artefact: v.artefact as ShotArtefact, severity: v.severity as ShotSeverity },
      });
    } else if (mode === 'shots') {
      throw new UsageError(
        `--corruption shots models only motion and ghosting at mild, moderate or severe, got ${v.artefact} at ${v.severity} (use --corruption both to simulate the others)`,
      );
    }
  }
  if (shots.length === 0)
    throw new UsageError(
      `--corruption ${mode} needs a motion or ghosting step in --simulate, got ${[...new Set(simulated.map((v) => v.artefact))].join(', ')}`,
    );
  return mode === 'shots' ? shots : [...simulated, ...shots];
}

/** The contrast from a file name (`sub-01_T2w.nii.gz` -> T2), else `unlabelled`. */
export function contrastFromName(path: string): string {
  const tokens = basename(path)
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  const names: [string, readonly string[]][] = [
    ['FLAIR', ['flair']],
    ['T1', ['t1', 't1w', 'mprage', 'spgr']],
    ['T2', ['t2', 't2w']],
    ['PD', ['pd', 'pdw']],
  ];
  return names.find(([, words]) => words.some((w) => tokens.includes(w)))?.[0] ?? 'unlabelled';
}

/**
 * The simulated variants of `--simulate`: each step of the recipe on its own, at each of
 * `severities` unless the step names its severity (`motion:severe`, or JSON with `severity`,
 * `ranges` or `params`). Step `i` at a severity draws from `createRng(evaluationSeed(seed, i,
 * severity))` (a custom step: severity `custom`), the rule by which
 * packages/core/scripts/prepare-training-data.mjs makes the default model's evaluation images.
 */
export function simulationVariants(
  text: string,
  readFile: (p: string) => string,
  severities: readonly string[],
  seed: number,
): Variant[] {
  const steps = parseRecipe(text, readFile);
  const source = text.trim();
  const json =
    source.startsWith('[') || source.startsWith('{') || source.toLowerCase().endsWith('.json');
  const parts = json ? [] : source.split(',');
  const out: Variant[] = [];
  steps.forEach((step, i) => {
    if (typeof step !== 'object' || step === null || typeof step.artefact !== 'string')
      throw new UsageError(
        `--simulate steps must be objects with an artefact, got ${JSON.stringify(step)}`,
      );
    const custom = json && (step.ranges !== undefined || step.params !== undefined);
    const explicit = json ? step.severity !== undefined || custom : parts[i]!.includes(':');
    if (explicit) {
      const severity = custom ? 'custom' : (step.severity ?? 'moderate');
      if (severity !== 'custom' && !(SEVERITIES as readonly string[]).includes(severity))
        throw new UsageError(
          `--simulate severities are ${SEVERITIES.join(', ')}, got ${JSON.stringify(severity)}`,
        );
      out.push({
        artefact: step.artefact,
        severity,
        step,
        seed: evaluationSeed(seed, i, severity as Severity | 'custom'),
      });
    } else {
      for (const severity of severities) {
        out.push({
          artefact: step.artefact,
          severity,
          step: { ...step, severity } as RecipeStep,
          seed: evaluationSeed(seed, i, severity as Severity),
        });
      }
    }
  });
  return out;
}

/** Artefact and severity from a file name (`eval-kmeans-motion-severe.nii`), else `unlabelled`. */
export function labelsFromName(path: string): { artefact: string; severity: string } {
  const tokens = basename(path)
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  const artefact = ARTEFACT_NAMES.find((a) => tokens.includes(a.toLowerCase())) ?? 'unlabelled';
  const severity = SEVERITIES.find((s) => tokens.includes(s)) ?? 'unlabelled';
  return { artefact, severity };
}

/** A case's name from its clean path: the file name without its image extension. */
export function caseName(path: string): string {
  return basename(path.replace(/[/\\]+$/, '')).replace(/\.(nii\.gz|nii|hdr|img|dcm)$/i, '');
}

/**
 * Corrupts `volume` with one recipe step: slice by slice in 2-D along `axis` (`simulateSlices`,
 * as the default model's training and evaluation images are made), or in 3-D at once.
 */
export function corruptVolume(
  volume: Volume,
  step: RecipeStep,
  rng: Rng,
  axis: 0 | 1 | 2,
  threeD: boolean,
): Volume {
  if (threeD) return simulate(volume, [step], rng).volume;
  return simulateSlices(volume, [step], rng, { axis }).volume;
}
