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
import {
  createRng,
  intensityRange,
  invalidArgument,
  MriError,
  type Rng,
  type Volume,
  withData,
} from '@duncan-mri/volume';
import type { EvaluationCaseInput } from '../evaluate-corrector.js';
import {
  corruptVolumeWithShots,
  type ShotArtefact,
  type ShotSeverity,
} from '../internal/shot-corruption.js';
import { readVolumeFile } from '../read-volume-file.js';
import { UsageError } from './args.js';
import type { Context } from './context.js';
import { parseRecipe } from './recipe.js';

const WHERE = 'duncan evaluate';

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
  /** Which of the `--draws` this simulated variant is (0 first). */
  readonly draw?: number;
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

/** How far apart the seeds of successive `--draws` are: draw `d` simulates with `seed + d * DRAW_SEED_STRIDE`. */
export const DRAW_SEED_STRIDE = 10_000;

/**
 * The variants of `--draws <n>`: `variantsOf(seed)` (the simulated variants of one seed, with
 * their `--corruption`) for draw `d` = 0 ... n − 1 at `seed + d * DRAW_SEED_STRIDE`, each marked
 * with its `draw`, all of draw 0 first. Draw 0 is what a run without `--draws` evaluates, bit for
 * bit. Every draw keeps the artefact and severity labels, so the report pools its slices with
 * the other draws' in the same rows.
 */
export function drawVariants(
  variantsOf: (seed: number) => Variant[],
  seed: number,
  draws: number,
): Variant[] {
  const out: Variant[] = [];
  for (let d = 0; d < draws; d++)
    for (const v of variantsOf(seed + d * DRAW_SEED_STRIDE)) out.push({ ...v, draw: d });
  return out;
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

/** One case of the command: a clean file, its mask and its corrupted versions. */
export interface CaseSpec {
  name: string;
  readonly clean: string;
  /** The contrast label of the in-head tables (from the file name). */
  readonly contrast: string;
  readonly mask: string | undefined;
  readonly variants: Variant[];
}

/** The volume with its non-finite voxels as 0, and a note saying how many there were. */
function finiteCopy(ctx: Context, volume: Volume, label: string): Volume {
  let bad = 0;
  for (const v of volume.data) if (!Number.isFinite(v)) bad++;
  if (bad === 0) return volume;
  ctx.note(`note: ${label}: ${bad} non-finite voxels are treated as 0`);
  return withData(
    volume,
    Float32Array.from(volume.data, (v) => (Number.isFinite(v) ? v : 0)),
  );
}

/** A case of the command as evaluateCorrector takes it: the files read, checked and corrupted in turn. */
export function caseInput(
  ctx: Context,
  spec: CaseSpec,
  axis: 0 | 1 | 2,
  threeD: boolean,
): EvaluationCaseInput {
  const shapeOf = (v: Volume) => `[${v.shape.join(', ')}]`;
  return {
    name: spec.name,
    contrast: spec.contrast,
    source: spec.clean,
    clean: async () => {
      const clean = finiteCopy(ctx, (await readVolumeFile(spec.clean)).volume, spec.name);
      const { range } = intensityRange(clean);
      if (!(range > 0))
        invalidArgument(
          WHERE,
          '--clean',
          `must not be a constant image (its max - min is the metrics' data range)`,
          undefined,
          { got: `${JSON.stringify(spec.clean)} with range ${range}` },
        );
      return clean;
    },
    ...(spec.mask === undefined
      ? {}
      : {
          maskSource: basename(spec.mask),
          mask: async (clean: Volume) => {
            const m = (await readVolumeFile(spec.mask!)).volume;
            if (m.shape.some((d, i) => d !== clean.shape[i]))
              throw new MriError(
                'SHAPE_MISMATCH',
                `${WHERE}: --mask must have the clean image's shape ${shapeOf(clean)}, got ${shapeOf(m)} in ${JSON.stringify(spec.mask)}`,
                { argument: '--mask' },
              );
            return Uint8Array.from(m.data, (v) => (v !== 0 && Number.isFinite(v) ? 1 : 0));
          },
        }),
    variants: spec.variants.map((variant) => ({
      artefact: variant.artefact,
      severity: variant.severity,
      ...(variant.file === undefined ? {} : { source: variant.file }),
      corrupted: async (clean: Volume) => {
        if (variant.shot !== undefined) {
          const { artefact, severity } = variant.shot;
          return corruptVolumeWithShots(clean, artefact, severity, createRng(variant.seed!), axis);
        }
        if (variant.file === undefined)
          return corruptVolume(clean, variant.step!, createRng(variant.seed!), axis, threeD);
        const file = variant.file;
        const corrupted = finiteCopy(ctx, (await readVolumeFile(file)).volume, basename(file));
        if (corrupted.shape.some((d, i) => d !== clean.shape[i]))
          throw new MriError(
            'SHAPE_MISMATCH',
            `${WHERE}: --corrupted must have the shape of its --clean image ${shapeOf(clean)} (paired evaluation), got ${shapeOf(corrupted)} in ${JSON.stringify(file)}`,
            { argument: '--corrupted' },
          );
        return corrupted;
      },
    })),
  };
}

/**
 * The cases: one per distinct clean path, in order, with its corrupted versions (`simulated`
 * for every case, else the --corrupted files paired in order) and its mask; names made unique.
 */
export function caseSpecs(
  ctx: Context,
  cleanPaths: readonly string[],
  corruptedPaths: readonly string[] | undefined,
  maskPaths: readonly string[] | undefined,
  simulated: readonly Variant[] | undefined,
): CaseSpec[] {
  const specs: CaseSpec[] = [];
  const seen = new Map<string, CaseSpec>();
  const addCase = (cleanArg: string, index: number): CaseSpec => {
    const key = ctx.path(cleanArg);
    let spec = seen.get(key);
    if (spec === undefined) {
      const maskArg =
        maskPaths === undefined ? undefined : maskPaths[maskPaths.length === 1 ? 0 : index];
      spec = {
        name: caseName(key),
        clean: key,
        contrast: contrastFromName(key),
        mask: maskArg === undefined ? undefined : ctx.path(maskArg),
        variants: [],
      };
      seen.set(key, spec);
      specs.push(spec);
    }
    return spec;
  };
  if (simulated !== undefined) {
    cleanPaths.forEach((p, i) => {
      addCase(p, i).variants.push(...simulated);
    });
  } else {
    corruptedPaths!.forEach((corruptedArg, i) => {
      const file = ctx.path(corruptedArg);
      const cleanArg = cleanPaths[cleanPaths.length === 1 ? 0 : i]!;
      addCase(cleanArg, i).variants.push({ ...labelsFromName(file), file });
    });
  }
  const names = new Map<string, number>();
  for (const spec of specs) {
    const n = (names.get(spec.name) ?? 0) + 1;
    names.set(spec.name, n);
    if (n > 1) spec.name = `${spec.name}#${n}`;
  }
  return specs;
}
