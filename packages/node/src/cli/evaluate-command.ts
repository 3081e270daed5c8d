import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatCorrectionReport } from '@duncan-mri/metrics';
import { SEVERITIES } from '@duncan-mri/simulate';
import { createRng, intensityRange, MriError, type Volume, withData } from '@duncan-mri/volume';
import { defaultModelDirectory } from '../checkpoint-files.js';
import { createCorrector } from '../create-corrector.js';
import {
  type EvaluationCaseInput,
  type EvaluationExample,
  evaluateCorrector,
} from '../evaluate-corrector.js';
import { renderBoxPlot } from '../internal/box-plot.js';
import { type EvaluationTile, renderEvaluationPanel } from '../internal/evaluation-panel.js';
import { lockOutput, type OutputLock } from '../internal/output-lock.js';
import { sliceOf } from '../internal/panel.js';
import { corruptVolumeWithShots } from '../internal/shot-corruption.js';
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
import { groupRows, reportMarkdown, summaryTable } from './evaluate-report.js';
import {
  CORRUPTION_MODES,
  type CorruptionMode,
  caseName,
  contrastFromName,
  corruptionVariants,
  corruptVolume,
  labelsFromName,
  simulationVariants,
  type Variant,
} from './evaluate-variants.js';
import { writeFileAtomic } from './files.js';
import { OPTIONS } from './help.js';
import { readTextFile } from './recipe.js';

const WHERE = 'duncan evaluate';
/** The seed of the default model's evaluation data (packages/core/scripts/prepare-training-data.mjs). */
const DEFAULT_SEED = 2026;

interface CaseSpec {
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

/** A case of the command as the library takes it: the files read, checked and corrupted in turn. */
function caseInput(
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
        throw new MriError(
          'INVALID_ARGUMENT',
          `${WHERE}: --clean must not be a constant image (its max - min is the metrics' data range), got ${JSON.stringify(spec.clean)} with range ${range}`,
          { argument: '--clean' },
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
  const { values, positionals } = parseCommand(argv, OPTIONS.evaluate);
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
  const readText = (p: string) => readTextFile(WHERE, ctx.path(p), p);
  const simulated =
    recipeText === undefined
      ? undefined
      : corruptionVariants(simulationVariants(recipeText, readText, severities, seed), corruption);

  // Cases: one per distinct clean path, in order, with its corrupted versions.
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

  // Outputs: refuse an existing report before any work.
  if (existsSync(output) && !statSync(output).isDirectory())
    throw new MriError(
      'IO_ERROR',
      `${WHERE}: -o/--output must be a directory, got ${JSON.stringify(output)}`,
      { argument: '--output' },
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

  const started = performance.now();
  const model = values.model as string | undefined;
  const corrector = await createCorrector({
    ...(model === undefined ? {} : { model: ctx.path(model) }),
    ...(workers === undefined ? {} : { workers }),
    ...(values.backend === undefined ? {} : { backend: values.backend as NodeBackendName }),
    batchSize,
  });
  const panels: {
    file: string;
    case: string;
    artefact: string;
    severity: string;
    slice: number;
  }[] = [];
  const written: string[] = [];
  /** The example figure of one artefact: a middle slice of each image, segmentation and mask. */
  const writePanel = (example: EvaluationExample): void => {
    const k = Math.floor(example.clean.shape[axis] / 2);
    const shown = sliceOf(example.clean, axis, k);
    const tile = (v: Volume | null, kind: EvaluationTile['kind']): EvaluationTile => {
      if (v === null) return { ...shown, data: new Float32Array(shown.data.length), kind: 'blank' };
      const s = sliceOf(v, axis, k);
      return { ...s, kind };
    };
    const png = renderEvaluationPanel(
      [
        tile(example.clean, 'image'),
        tile(example.corrupted, 'image'),
        tile(example.corrected, 'image'),
        tile(example.artefactMap, 'signed'),
        tile(example.labels.clean, 'labels'),
        tile(example.labels.corrupted, 'labels'),
        tile(example.labels.corrected, 'labels'),
        tile(example.mask, 'mask'),
      ],
      4,
    );
    const name = `panel-${example.artefact}.png`;
    writeFileAtomic(join(output, name), png, true);
    written.push(join(output, name));
    const { artefact, severity } = example;
    panels.push({ file: name, case: example.case, artefact, severity, slice: k });
  };
  let evaluation: Awaited<ReturnType<typeof evaluateCorrector>>;
  try {
    ctx.note(
      `backend: ${corrector.backend.description}; ${corrector.workers > 0 ? `${corrector.workers} worker thread${corrector.workers === 1 ? '' : 's'}` : 'main thread'}`,
    );
    const bar = ctx.progress(
      'evaluate',
      specs.reduce((n, s) => n + 1 + s.variants.length, 0),
    );
    evaluation = await evaluateCorrector(
      corrector,
      specs.map((spec) => caseInput(ctx, spec, axis, threeD)),
      {
        axis,
        seed,
        onProgress: (done, _total, label) => bar.update(done, label),
        onNote: (text) => ctx.note(`note: ${text}`),
        onExample: writePanel,
      },
    );
    bar.finish();
  } finally {
    await corrector.close();
  }
  const { correction, cases, rows } = evaluation;

  const groups = groupRows(rows);
  const finiteDice = (v: (number | null)[]) => v.filter((x): x is number => x !== null);
  const boxPlot = (samples: (r: (typeof rows)[number], side: 0 | 1) => number[]) =>
    renderBoxPlot(
      groups.map((g) => {
        const members = rows.filter((r) => r.artefact === g.artefact && r.severity === g.severity);
        return {
          boxes: [members.flatMap((r) => samples(r, 0)), members.flatMap((r) => samples(r, 1))],
        };
      }),
    );
  const ssimPlot = boxPlot((r, side) =>
    side === 0 ? r.slices.ssim.corrupted : r.slices.ssim.corrected,
  );
  const dicePlot = boxPlot((r, side) =>
    finiteDice(side === 0 ? r.slices.dice.corrupted : r.slices.dice.corrected),
  );
  writeFileAtomic(join(output, 'boxplot-ssim.png'), ssimPlot, true);
  writeFileAtomic(join(output, 'boxplot-dice.png'), dicePlot, true);
  written.push(join(output, 'boxplot-ssim.png'), join(output, 'boxplot-dice.png'));
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
    figures: { ssimBoxPlot: 'boxplot-ssim.png', diceBoxPlot: 'boxplot-dice.png', panels },
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
