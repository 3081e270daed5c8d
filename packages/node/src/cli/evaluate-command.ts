import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SEVERITIES } from '@duncan-mri/simulate';
import { MriError } from '@duncan-mri/volume';
import { defaultModelDirectory } from '../checkpoint-files.js';
import { createCorrector } from '../create-corrector.js';
import { type EvaluationExample, evaluateCorrector } from '../evaluate-corrector.js';
import { lockOutput, type OutputLock } from '../internal/output-lock.js';
import type { NodeBackendName } from '../use-node-backend.js';
import {
  axisOption,
  intOption,
  parseCommand,
  positional,
  requireString,
  shrinkageOption,
  UsageError,
  workersOption,
} from './args.js';
import { createContext, toJson } from './context.js';
import {
  boxPlots,
  examplePanel,
  groupRows,
  reportMarkdown,
  summaryJson,
  summaryText,
} from './evaluate-report.js';
import {
  CORRUPTION_MODES,
  type CorruptionMode,
  caseInput,
  caseSpecs,
  corruptionVariants,
  DRAW_SEED_STRIDE,
  drawVariants,
  simulationVariants,
} from './evaluate-variants.js';
import { writeFileAtomic } from './files.js';
import { OPTIONS } from './help.js';
import { readTextFile } from './recipe.js';

const WHERE = 'duncan evaluate';
/** The seed of the default model's evaluation data (packages/core/scripts/prepare-training-data.mjs). */
const DEFAULT_SEED = 2026;

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
  // Mirror averaging (four forward passes per batch) unless --no-flips.
  const flips = values['no-flips'] !== true;
  // Each slice's correction soft-thresholded at k times its noise level (0: off).
  const shrinkage = shrinkageOption(values);
  const threeD = values['simulate-3d'] === true;
  const severities = ((values.severities as string | undefined) ?? SEVERITIES.join(','))
    .split(',')
    .map((s) => s.trim());
  for (const s of severities)
    if (!(SEVERITIES as readonly string[]).includes(s))
      throw new UsageError(
        `--severities are among ${SEVERITIES.join(', ')}, got ${JSON.stringify(s)}`,
      );
  if (values.draws !== undefined && recipeText === undefined)
    throw new UsageError('--draws needs --simulate');
  // Corrupted versions per clean image, artefact and severity, each from its own seed.
  const draws = intOption(values, 'draws', 1, 1, 100)!;
  const readText = (p: string) => readTextFile(WHERE, ctx.path(p), p);
  const simulated =
    recipeText === undefined
      ? undefined
      : drawVariants(
          (s) =>
            corruptionVariants(simulationVariants(recipeText, readText, severities, s), corruption),
          seed,
          draws,
        );

  const specs = caseSpecs(ctx, cleanPaths, corruptedPaths, maskPaths, simulated);

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
  const writePanel = async (example: EvaluationExample): Promise<void> => {
    const { png, slice: k } = await examplePanel(example, axis);
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
        flips,
        shrinkage,
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
  const plots = await boxPlots(rows, groups);
  for (const metric of ['ssim', 'dice'] as const) {
    for (const extension of ['png', 'svg'] as const) {
      const file = join(output, `boxplot-${metric}.${extension}`);
      writeFileAtomic(file, plots[metric][extension], true);
      written.push(file);
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
      : `simulated (--simulate ${JSON.stringify(recipeText)}, seed ${seed}${draws > 1 ? `; ${draws} draws of each artefact and severity, draw d with seed ${seed} + ${DRAW_SEED_STRIDE}·d, their slices pooled in each row` : ''}, ${threeD ? 'in 3-D' : `slice by slice in 2-D along ${'xyz'[axis]}`}${corruptionText})`;
  const info = {
    command: `duncan evaluate ${argv.join(' ')}`,
    model: model === undefined ? `bundled (${defaultModelDirectory()})` : ctx.path(model),
    backend: corrector.backend.backend,
    axis,
    flips,
    shrinkage,
    seed: simulated === undefined ? null : seed,
    draws: simulated === undefined ? null : draws,
    recipe:
      simulated === undefined
        ? null
        : simulated.map((v) => ({
            artefact: v.artefact,
            severity: v.severity,
            corruption: v.shot === undefined ? 'simulator' : 'shots',
            step: v.step ?? null,
            seed: v.seed,
            draw: v.draw ?? 0,
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

  ctx.out(
    ctx.json ? toJson(summaryJson(info, output, written)) : summaryText(info, written, seconds),
  );
  return 0;
}
