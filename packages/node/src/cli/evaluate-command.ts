import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  brainMask,
  type CorrectionCaseScores,
  compareImages,
  dice,
  formatCorrectionReport,
  type ImageComparison,
  scoreCorrectionCase,
  segmentTissues,
  ssim,
  summariseCorrection,
  type TissueSegmentation,
} from '@duncan-mri/metrics';
import { ARTEFACT_NAMES, type RecipeStep, SEVERITIES, simulate } from '@duncan-mri/simulate';
import {
  createRng,
  createVolume,
  isMriError,
  MriError,
  type Rng,
  spacing,
  type Volume,
  withData,
} from '@duncan-mri/volume';
import { defaultModelDirectory } from '../checkpoint-files.js';
import { createCorrector, type NodeCorrector } from '../create-corrector.js';
import { extractChunk, insertChunk } from '../internal/chunks.js';
import {
  renderEvaluationBoxPlot,
  renderEvaluationPanel,
} from '../internal/figures/evaluation-figures.js';
import { lockOutput, type OutputLock } from '../internal/output-lock.js';
import {
  corruptWithShots,
  type ShotArtefact,
  type ShotSeverity,
} from '../internal/shot-corruption.js';
import { readVolumeFile } from '../read-volume-file.js';
import type { NodeBackendName } from '../use-node-backend.js';
import {
  axisOption,
  intOption,
  parseCommand,
  positional,
  requireString,
  UsageError,
  workersOption,
} from './args.js';
import { type Context, createContext, formatMetric, toJson } from './context.js';
import {
  type EvaluationCase,
  type EvaluationRow,
  groupRows,
  type ImageScores,
  reportMarkdown,
  summaryTable,
} from './evaluate-report.js';
import { writeFileAtomic } from './files.js';
import { parseRecipe } from './train-command.js';

const WHERE = 'duncan evaluate';
/** Tissue classes segmented (CSF, GM, WM on a T1). */
const CLASSES = 3;
/** Fewer voxels than this in the mask: no segmentation (Dice n/a), rather than a meaningless fit. */
export const MIN_SEGMENTATION_VOXELS = 100;
/** The seed of the default model's evaluation data (packages/core/scripts/prepare-training-data.mjs). */
const DEFAULT_SEED = 2026;

/** One corrupted version of a clean image to evaluate. */
interface Variant {
  readonly artefact: string;
  readonly severity: string;
  /** A corrupted file, or a recipe step to simulate with a seed. */
  readonly file?: string;
  readonly step?: RecipeStep;
  readonly seed?: number;
  /** Instead of `step`: the independent shot model of `--corruption shots` (with `seed`). */
  readonly shot?: { readonly artefact: ShotArtefact; readonly severity: ShotSeverity };
}

interface CaseSpec {
  name: string;
  readonly clean: string;
  /** The contrast label of the in-head tables (from the file name). */
  readonly contrast: string;
  readonly mask: string | undefined;
  readonly variants: Variant[];
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
 * simulator variant's seed + 1000: `seed + 2000 + 10 i + j`); `both` keeps the simulated ones
 * and adds the shot ones after them. The shot model knows motion and ghosting at mild, moderate
 * and severe: with `shots` every step must be one of those; with `both` the others are only
 * simulated (and at least one step must have a shot version).
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

/** Where a severity sorts (severest last); labels that are not severities sort first. */
function severityRank(severity: string): number {
  return (SEVERITIES as readonly string[]).indexOf(severity);
}

/**
 * The simulated variants of `--simulate`: each step of the recipe on its own, at each of
 * `severities` unless the step names its severity (`motion:severe`, or JSON with `severity`,
 * `ranges` or `params`). Step `i` at severity `j` (position in mild, moderate, severe; 9 for a
 * custom step) draws from `createRng(seed + 1000 + 10 i + j)`, as
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
      const j = custom ? 9 : severityRank(severity);
      out.push({ artefact: step.artefact, severity, step, seed: seed + 1000 + 10 * i + j });
    } else {
      for (const severity of severities) {
        const j = severityRank(severity);
        out.push({
          artefact: step.artefact,
          severity,
          step: { ...step, severity } as RecipeStep,
          seed: seed + 1000 + 10 * i + j,
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

function caseName(path: string): string {
  return basename(path.replace(/[/\\]+$/, '')).replace(/\.(nii\.gz|nii|hdr|img|dcm)$/i, '');
}

/** The 2-D slice of a volume along `axis`, as a volume (its own in-plane geometry). */
function sliceVolume(volume: Volume, axis: 0 | 1 | 2, index: number): Volume {
  const { data, shape } = extractChunk(volume.data, volume.shape, axis, index, 1);
  if (axis === 2) return createVolume({ data, shape, affine: volume.affine });
  const s = spacing(volume.affine);
  const kept = [0, 1, 2].filter((i) => i !== axis) as [number, number];
  return createVolume({
    data,
    shape: [shape[kept[0]]!, shape[kept[1]]!],
    spacing: [s[kept[0]]!, s[kept[1]]!, s[axis]!],
  });
}

/**
 * Corrupts `volume` with one recipe step: slice by slice in 2-D along `axis` (as the default
 * model's training and evaluation images are made; one generator for all slices, in order),
 * or in 3-D at once.
 */
export function corruptVolume(
  volume: Volume,
  step: RecipeStep,
  rng: Rng,
  axis: 0 | 1 | 2,
  threeD: boolean,
): Volume {
  if (threeD || volume.shape[axis] === 1) return simulate(volume, [step], rng).volume;
  const out = new Float32Array(volume.data.length);
  for (let k = 0; k < volume.shape[axis]; k++) {
    const slice = sliceVolume(volume, axis, k);
    const corrupted = simulate(slice, [step], rng).volume;
    const chunkShape: [number, number, number] = [...volume.shape];
    chunkShape[axis] = 1;
    insertChunk(out, volume.shape, axis, k, corrupted.data, chunkShape);
  }
  return withData(volume, out);
}

/**
 * Corrupts `volume` with the shot model slice by slice along `axis` (one generator for all
 * slices, in order); a 2-D image (`nz = 1`) is one slice whatever the axis.
 */
export function corruptVolumeWithShots(
  volume: Volume,
  artefact: ShotArtefact,
  severity: ShotSeverity,
  rng: Rng,
  axis: 0 | 1 | 2,
): Volume {
  if (volume.shape[2] === 1) return corruptWithShots(volume, artefact, severity, rng).volume;
  const out = new Float32Array(volume.data.length);
  for (let k = 0; k < volume.shape[axis]; k++) {
    const slice = sliceVolume(volume, axis, k);
    const corrupted = corruptWithShots(slice, artefact, severity, rng).volume;
    const chunkShape: [number, number, number] = [...volume.shape];
    chunkShape[axis] = 1;
    insertChunk(out, volume.shape, axis, k, corrupted.data, chunkShape);
  }
  return withData(volume, out);
}

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

function rangeOf(volume: Volume): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of volume.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** segmentTissues, with its MriErrors (a constant image, too few intensities) as a reason. */
function trySegment(volume: Volume, mask: Uint8Array): TissueSegmentation | string {
  try {
    return segmentTissues(volume, { classes: CLASSES, mask });
  } catch (error) {
    if (isMriError(error)) return error.message;
    throw error;
  }
}

/** Per z slice: the mean over classes of the Dice of the labels (null without labels). */
function sliceDice(reference: Volume, test: Volume): (number | null)[] {
  const [nx, ny, nz] = reference.shape;
  const out: (number | null)[] = [];
  for (let z = 0; z < nz; z++) {
    const a = new Float64Array(CLASSES + 1);
    const b = new Float64Array(CLASSES + 1);
    const both = new Float64Array(CLASSES + 1);
    for (let i = nx * ny * z; i < nx * ny * (z + 1); i++) {
      const r = reference.data[i]!;
      const t = test.data[i]!;
      a[r]!++;
      b[t]!++;
      if (r === t) both[r]!++;
    }
    let sum = 0;
    let defined = 0;
    for (let k = 1; k <= CLASSES; k++) {
      if (a[k]! + b[k]! > 0) {
        sum += (2 * both[k]!) / (a[k]! + b[k]!);
        defined++;
      }
    }
    out.push(defined === 0 ? null : sum / defined);
  }
  return out;
}

/** Per z slice 2-D SSIM. */
function sliceSsim(clean: Volume, test: Volume, dataRange: number): number[] {
  const [nx, ny, nz] = clean.shape;
  const out: number[] = [];
  for (let z = 0; z < nz; z++) {
    const pick = (v: Volume) =>
      createVolume({ data: v.data.slice(nx * ny * z, nx * ny * (z + 1)), shape: [nx, ny] });
    out.push(ssim(pick(clean), pick(test), { dataRange }));
  }
  return out;
}

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

interface Reference {
  readonly clean: Volume;
  readonly dataRange: number;
  readonly mask: Uint8Array | null;
  readonly segmentation: TissueSegmentation | null;
}

function scoreImage(
  ref: Reference,
  test: Volume,
): { scores: ImageScores; ssims: number[]; dices: (number | null)[]; labels: Volume | null } {
  const metrics: ImageComparison = compareImages(ref.clean, test, {
    dataRange: ref.dataRange,
    slicewise: true,
  });
  let diceScores: ImageScores['dice'] = null;
  let dices: (number | null)[] = Array.from({ length: ref.clean.shape[2] }, () => null);
  let labels: Volume | null = null;
  let diceError: string | undefined;
  if (ref.segmentation !== null && ref.mask !== null) {
    const seg = trySegment(test, ref.mask);
    if (typeof seg === 'string') diceError = seg;
    else {
      labels = seg.labels;
      const d = dice(ref.segmentation.labels, seg.labels, { classes: CLASSES });
      diceScores = { perClass: d.perClass.map(nullIfNaN), mean: nullIfNaN(d.mean) };
      dices = sliceDice(ref.segmentation.labels, seg.labels);
    }
  }
  return {
    scores: { ...metrics, dice: diceScores, ...(diceError === undefined ? {} : { diceError }) },
    ssims: sliceSsim(ref.clean, test, ref.dataRange),
    dices,
    labels,
  };
}

export async function evaluateCommand(argv: readonly string[]): Promise<number | 'help'> {
  const locks: OutputLock[] = [];
  try {
    return await evaluate(argv, locks);
  } finally {
    for (const lock of locks) lock.release();
  }
}

/** The command; the lock of its output directory goes to `locks` (released by the caller). */
async function evaluate(argv: readonly string[], locks: OutputLock[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(
    argv,
    {
      clean: { type: 'string', multiple: true },
      corrupted: { type: 'string', multiple: true },
      simulate: { type: 'string' },
      severities: { type: 'string' },
      'simulate-3d': { type: 'boolean' },
      corruption: { type: 'string' },
      seed: { type: 'string' },
      mask: { type: 'string', multiple: true },
      model: { type: 'string' },
      output: { type: 'string', short: 'o' },
      axis: { type: 'string' },
      workers: { type: 'string' },
      'batch-size': { type: 'string' },
      backend: { type: 'string' },
      overwrite: { type: 'boolean' },
      json: { type: 'boolean' },
      progress: { type: 'boolean' },
    },
    ['clean', 'corrupted', 'mask'],
  );
  if (values.help) return 'help';
  positional(positionals, 0, '');
  const ctx = createContext(values);
  const cleanPaths = values.clean as string[] | undefined;
  if (cleanPaths === undefined) throw new UsageError('--clean is required');
  const corruptedPaths = values.corrupted as string[] | undefined;
  const recipeText = values.simulate as string | undefined;
  if ((corruptedPaths === undefined) === (recipeText === undefined))
    throw new UsageError('give either --corrupted <paths...> or --simulate <recipe>');
  if (
    corruptedPaths !== undefined &&
    cleanPaths.length !== 1 &&
    corruptedPaths.length !== cleanPaths.length
  )
    throw new UsageError(
      `--corrupted pairs with --clean in order: give as many paths as --clean (${cleanPaths.length}), or one --clean for all, got ${corruptedPaths.length}`,
    );
  const maskPaths = values.mask as string[] | undefined;
  if (maskPaths !== undefined && maskPaths.length !== 1 && maskPaths.length !== cleanPaths.length)
    throw new UsageError(
      `--mask takes one file for every case or one per --clean path (${cleanPaths.length}), got ${maskPaths.length}`,
    );
  if (values['simulate-3d'] === true && recipeText === undefined)
    throw new UsageError('--simulate-3d needs --simulate');
  const corruptionArg = values.corruption as string | undefined;
  if (corruptionArg !== undefined && recipeText === undefined)
    throw new UsageError('--corruption needs --simulate');
  const corruption = (corruptionArg ?? 'simulator') as CorruptionMode;
  if (!CORRUPTION_MODES.includes(corruption))
    throw new UsageError(
      `--corruption is one of ${CORRUPTION_MODES.join(', ')}, got ${JSON.stringify(corruptionArg)}`,
    );
  const output = ctx.path(requireString(values, 'output', '-o/--output'));
  const axis = axisOption(values);
  const seed = intOption(values, 'seed', DEFAULT_SEED, 0, 2 ** 40)!;
  const workers = workersOption(values, ctx.warn);
  const batchSize = intOption(values, 'batch-size', 8, 1, 4096)!;
  const overwrite = values.overwrite === true;
  const threeD = values['simulate-3d'] === true;
  const severities = ((values.severities as string | undefined) ?? SEVERITIES.join(','))
    .split(',')
    .map((s) => s.trim());
  for (const s of severities)
    if (!(SEVERITIES as readonly string[]).includes(s))
      throw new UsageError(
        `--severities are among ${SEVERITIES.join(', ')}, got ${JSON.stringify(s)}`,
      );
  const readText = (p: string) => {
    try {
      return readFileSync(ctx.path(p), 'utf8');
    } catch (error) {
      throw new MriError(
        'IO_ERROR',
        `${WHERE}: could not read ${JSON.stringify(p)}: ${messageOf(error)}`,
        {
          argument: p,
          cause: error,
        },
      );
    }
  };
  const simulated =
    recipeText === undefined
      ? undefined
      : corruptionVariants(simulationVariants(recipeText, readText, severities, seed), corruption);

  // Cases: one per distinct clean path, in order, with its corrupted versions.
  const specs: CaseSpec[] = [];
  const pairs = corruptedPaths ?? cleanPaths.map(() => undefined);
  const cleanFor = (i: number) => cleanPaths[cleanPaths.length === 1 ? 0 : i]!;
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
    pairs.forEach((corruptedArg, i) => {
      const file = ctx.path(corruptedArg!);
      addCase(cleanFor(i), i).variants.push({ ...labelsFromName(file), file });
    });
  }
  const names = new Map<string, number>();
  for (const spec of specs) {
    const n = (names.get(spec.name) ?? 0) + 1;
    names.set(spec.name, n);
    if (n > 1) spec.name = `${spec.name}#${n}`;
  }

  // Outputs: refuse an existing report before any work.
  if (existsSync(output) && !statSync(output).isDirectory())
    throw new MriError(
      'IO_ERROR',
      `${WHERE}: -o/--output must be a directory, got ${JSON.stringify(output)}`,
      {
        argument: '--output',
      },
    );
  // One run per output directory: a second evaluate into it is refused while this one runs.
  const lock = lockOutput(WHERE, '-o/--output', output, 'duncan evaluate');
  locks.push(lock);
  if (lock.note !== undefined) ctx.note(lock.note);
  for (const name of ['report.json', 'report.md']) {
    if (existsSync(join(output, name)) && !overwrite)
      throw new MriError(
        'IO_ERROR',
        `${WHERE}: -o/--output already holds ${name} (pass --overwrite to replace the report), got ${JSON.stringify(output)}`,
        { argument: '--output' },
      );
  }

  // The example panels: per artefact, the first variant at its severest level.
  const panelFor = new Map<string, { spec: CaseSpec; variant: Variant }>();
  for (const spec of specs) {
    for (const variant of spec.variants) {
      const held = panelFor.get(variant.artefact);
      if (
        held === undefined ||
        severityRank(variant.severity) > severityRank(held.variant.severity)
      )
        panelFor.set(variant.artefact, { spec, variant });
    }
  }

  const started = performance.now();
  const model = values.model as string | undefined;
  const corrector: NodeCorrector = await createCorrector({
    ...(model === undefined ? {} : { model: ctx.path(model) }),
    ...(workers === undefined ? {} : { workers }),
    ...(values.backend === undefined ? {} : { backend: values.backend as NodeBackendName }),
    batchSize,
  });
  const cases: EvaluationCase[] = [];
  const rows: EvaluationRow[] = [];
  // Per-slice scores of every corrupted image (and clean-through check) against the baselines;
  // the volumes themselves are not kept.
  const correctionScores: CorrectionCaseScores[] = [];
  const panels: {
    file: string;
    case: string;
    artefact: string;
    severity: string;
    slice: number;
  }[] = [];
  const written: string[] = [];
  try {
    ctx.note(
      `backend: ${corrector.backend.description}; ${corrector.workers > 0 ? `${corrector.workers} worker thread${corrector.workers === 1 ? '' : 's'}` : 'main thread'}`,
    );
    const total = specs.reduce((n, s) => n + 1 + s.variants.length, 0);
    const bar = ctx.progress('evaluate', total);
    let done = 0;
    const correct = async (volume: Volume, label: string) => {
      const result = await corrector.correct(volume, {
        axis,
        onProgress: () => bar.update(done, label),
      });
      return result;
    };
    for (const spec of specs) {
      const file = await readVolumeFile(spec.clean);
      const clean = finiteCopy(ctx, file.volume, spec.name);
      const dataRange = rangeOf(clean);
      if (!(dataRange > 0))
        throw new MriError(
          'INVALID_ARGUMENT',
          `${WHERE}: --clean must not be a constant image (its max - min is the metrics' data range), got ${JSON.stringify(spec.clean)} with range ${dataRange}`,
          { argument: '--clean' },
        );
      // One mask for all three segmentations of the case, so that Dice compares like with like.
      let mask: Uint8Array | null = null;
      let maskSource = 'brainMask of the clean image';
      let segmentation: TissueSegmentation | null = null;
      let reason: string | undefined;
      if (spec.mask !== undefined) {
        const m = (await readVolumeFile(spec.mask)).volume;
        if (m.shape.some((d, i) => d !== clean.shape[i]))
          throw new MriError(
            'SHAPE_MISMATCH',
            `${WHERE}: --mask must have the clean image's shape [${clean.shape.join(', ')}], got [${m.shape.join(', ')}] in ${JSON.stringify(spec.mask)}`,
            { argument: '--mask' },
          );
        mask = Uint8Array.from(m.data, (v) => (v !== 0 && Number.isFinite(v) ? 1 : 0));
        maskSource = basename(spec.mask);
      } else {
        try {
          mask = brainMask(clean);
        } catch (error) {
          if (!isMriError(error)) throw error;
          reason = `no brain mask: ${error.message}`;
        }
      }
      const voxels = mask === null ? 0 : mask.reduce((a, b) => a + b, 0);
      if (mask !== null && voxels < MIN_SEGMENTATION_VOXELS) {
        reason = `the mask holds ${voxels} voxels, fewer than the ${MIN_SEGMENTATION_VOXELS} segmentation needs`;
      } else if (mask !== null) {
        const seg = trySegment(clean, mask);
        if (typeof seg === 'string') reason = `segmentation failed: ${seg}`;
        else segmentation = seg;
      }
      if (reason !== undefined) ctx.note(`note: ${spec.name}: Dice is n/a (${reason})`);
      const ref: Reference = { clean, dataRange, mask, segmentation };
      const { corrected: cleanCorrected } = await correct(clean, `${spec.name} clean`);
      done++;
      // In-head scores: inside --mask when given (and not empty), else the clean image's headMask.
      const givenMask = spec.mask !== undefined && mask !== null && voxels > 0 ? mask : undefined;
      if (spec.mask !== undefined && givenMask === undefined)
        ctx.note(`note: ${spec.name}: --mask is empty; the in-head scores use headMask instead`);
      const scoreCase = (
        corrupted: Volume,
        corrected: Volume,
        artefact: string,
        severity: string,
      ): void => {
        correctionScores.push(
          scoreCorrectionCase({
            clean,
            corrupted,
            corrected,
            labels: { subject: spec.name, contrast: spec.contrast, artefact, severity },
            brainMask: givenMask,
          }),
        );
      };
      // The clean-through check: does the model leave an image without artefacts alone?
      scoreCase(clean, cleanCorrected, 'none', 'none');
      cases.push({
        name: spec.name,
        clean: spec.clean,
        shape: clean.shape,
        dataRange,
        mask: mask === null ? null : { source: maskSource, voxels },
        segmentation:
          segmentation === null
            ? { error: reason ?? 'not segmented' }
            : {
                means: segmentation.means,
                proportions: segmentation.proportions,
                iterations: segmentation.iterations,
                converged: segmentation.converged,
              },
        cleanAfterCorrection: compareImages(clean, cleanCorrected, { dataRange, slicewise: true }),
      });
      for (const variant of spec.variants) {
        const label = `${spec.name} ${variant.artefact} ${variant.severity}`;
        bar.update(done, label);
        let corrupted: Volume;
        if (variant.file !== undefined) {
          corrupted = finiteCopy(
            ctx,
            (await readVolumeFile(variant.file)).volume,
            basename(variant.file),
          );
          if (corrupted.shape.some((d, i) => d !== clean.shape[i]))
            throw new MriError(
              'SHAPE_MISMATCH',
              `${WHERE}: --corrupted must have the shape of its --clean image [${clean.shape.join(', ')}] (paired evaluation), got [${corrupted.shape.join(', ')}] in ${JSON.stringify(variant.file)}`,
              { argument: '--corrupted' },
            );
        } else if (variant.shot !== undefined) {
          corrupted = corruptVolumeWithShots(
            clean,
            variant.shot.artefact,
            variant.shot.severity,
            createRng(variant.seed!),
            axis,
          );
        } else {
          corrupted = corruptVolume(clean, variant.step!, createRng(variant.seed!), axis, threeD);
        }
        const { corrected, artefactMap } = await correct(corrupted, label);
        scoreCase(corrupted, corrected, variant.artefact, variant.severity);
        const before = scoreImage(ref, corrupted);
        const after = scoreImage(ref, corrected);
        for (const [what, scored] of [
          ['corrupted', before],
          ['corrected', after],
        ] as const) {
          if (scored.scores.diceError !== undefined)
            ctx.note(
              `note: ${label}: Dice of the ${what} image is n/a (${scored.scores.diceError})`,
            );
        }
        rows.push({
          case: spec.name,
          clean: spec.clean,
          corruptedFile: variant.file ?? null,
          artefact: variant.artefact,
          severity: variant.severity,
          corrupted: before.scores,
          corrected: after.scores,
          slices: {
            ssim: { corrupted: before.ssims, corrected: after.ssims },
            dice: { corrupted: before.dices, corrected: after.dices },
          },
        });
        const chosen = panelFor.get(variant.artefact);
        if (chosen?.spec === spec && chosen.variant === variant) {
          const k = Math.floor(clean.shape[axis] / 2);
          const scored = (volume: Volume, s: typeof before) => ({
            volume,
            labels: s.labels,
            ssim: s.scores.ssim,
            dice: s.scores.dice?.mean ?? null,
          });
          const { png } = await renderEvaluationPanel({
            caseName: spec.name,
            artefact: variant.artefact,
            severity: variant.severity,
            axis,
            index: k,
            clean,
            cleanLabels: segmentation?.labels ?? null,
            corrupted: scored(corrupted, before),
            corrected: scored(corrected, after),
            artefactMap,
            mask: mask === null ? null : withData(clean, Float32Array.from(mask)),
          });
          const name = `panel-${variant.artefact}.png`;
          writeFileAtomic(join(output, name), png, true);
          written.push(join(output, name));
          panels.push({
            file: name,
            case: spec.name,
            artefact: variant.artefact,
            severity: variant.severity,
            slice: k,
          });
        }
        done++;
        bar.update(done, label);
      }
    }
    bar.finish();
  } finally {
    await corrector.close();
  }

  const groups = groupRows(rows);
  const correction = summariseCorrection(correctionScores, { seed });
  // The box plots' samples: every slice of every case of a group, without the slices with no Dice.
  for (const metric of ['ssim', 'dice'] as const) {
    const figure = await renderEvaluationBoxPlot(
      metric,
      groups.map((g) => {
        const members = rows.filter((r) => r.artefact === g.artefact && r.severity === g.severity);
        return {
          label: `${g.artefact} ${g.severity}`,
          samples: (['corrupted', 'corrected'] as const).map((side) =>
            members
              .flatMap((r): (number | null)[] => r.slices[metric][side])
              .filter((v): v is number => v !== null),
          ),
        };
      }),
    );
    for (const [extension, bytes] of [
      ['png', figure.png],
      ['svg', figure.svg],
    ] as const) {
      writeFileAtomic(join(output, `boxplot-${metric}.${extension}`), bytes, true);
      written.push(join(output, `boxplot-${metric}.${extension}`));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const corruptionText =
    corruption === 'simulator'
      ? ''
      : `; --corruption ${corruption}: ${corruption === 'both' ? 'also ' : ''}the independent shot model (shot-<artefact>), slice by slice in 2-D along ${'xyz'[axis]}`;
  const simulation =
    simulated === undefined
      ? 'given (--corrupted, paired with --clean; artefact and severity from the file names)'
      : `simulated (--simulate ${JSON.stringify(recipeText)}, seed ${seed}, ${threeD ? 'in 3-D' : `slice by slice in 2-D along ${'xyz'[axis]}`}${corruptionText})`;
  const info = {
    command: `duncan evaluate ${argv.join(' ')}`,
    model: model === undefined ? `bundled (${defaultModelDirectory()})` : ctx.path(model),
    backend: corrector.backend.backend,
    axis,
    seed: simulated === undefined ? null : seed,
    recipe:
      simulated === undefined
        ? null
        : simulated.map((v) => ({
            artefact: v.artefact,
            severity: v.severity,
            corruption: v.shot === undefined ? 'simulator' : 'shots',
            step: v.step ?? null,
            seed: v.seed,
          })),
    simulation,
    correction,
    cases,
    rows,
    groups,
    figures: {
      ssimBoxPlot: 'boxplot-ssim.png',
      diceBoxPlot: 'boxplot-dice.png',
      ssimBoxPlotSvg: 'boxplot-ssim.svg',
      diceBoxPlotSvg: 'boxplot-dice.svg',
      panels,
    },
    seconds: Math.round(seconds * 1000) / 1000,
  };
  writeFileAtomic(join(output, 'report.json'), `${toJson(info)}\n`, true);
  writeFileAtomic(join(output, 'report.md'), reportMarkdown(info), true);
  written.unshift(join(output, 'report.md'), join(output, 'report.json'));

  if (ctx.json) {
    const means = (g: (typeof groups)[number], side: 'corrupted' | 'corrected') => ({
      ssim: g.metrics.ssim[side].mean,
      msssim: g.metrics.msssim[side].mean,
      vif: g.metrics.vif[side].mean,
      uqi: g.metrics.uqi[side].mean,
      psnr: g.metrics.psnr[side].mean,
      dice: g.metrics.dice[side].mean,
      dicePerClass: [
        g.metrics.dice1[side].mean,
        g.metrics.dice2[side].mean,
        g.metrics.dice3[side].mean,
      ],
    });
    ctx.out(
      toJson({
        command: 'evaluate',
        output,
        files: written,
        model: info.model,
        backend: info.backend,
        cases: cases.length,
        seconds: info.seconds,
        // In the head and whole image, against the baselines (report.json has the per-slice scores).
        correction: { settings: correction.settings, groups: correction.groups },
        groups: groups.map((g) => ({
          artefact: g.artefact,
          severity: g.severity,
          cases: g.cases,
          corrupted: means(g, 'corrupted'),
          corrected: means(g, 'corrected'),
        })),
      }),
    );
  } else {
    ctx.out(
      [
        `duncan evaluate: ${cases.length} case(s), ${rows.length} corrupted image(s), ${info.simulation}; model ${info.model}`,
        '',
        '## Model vs baselines, in the head first (pooled rows; per subject in report.md)',
        '',
        formatCorrectionReport(correction, { kinds: ['artefact', 'contrast', 'overall'] }),
        '## Whole-image metrics and tissue Dice (mean over cases)',
        '',
        summaryTable(groups),
        '',
        `clean images after correction: SSIM ${cases.map((c) => formatMetric(c.cleanAfterCorrection.ssim, 3)).join(', ')}`,
        `wrote ${written.join(', ')} in ${seconds.toFixed(1)} s`,
      ].join('\n'),
    );
  }
  return 0;
}
