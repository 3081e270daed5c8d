import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  correct,
  createModel,
  type DuncanModel,
  LOSS_NAMES,
  loadCheckpoint,
  type ModelConfigOverrides,
  PAIRED_LOSS_NAMES,
  SEMI_LOSS_NAMES,
  saveCheckpoint,
  type TrainingMode,
  type TrainingProgress,
  type TrainingResult,
  train,
} from '@duncan-mri/core';
import {
  ARTEFACT_NAMES,
  createTrainingPairs,
  type RecipeStep,
  SEVERITIES,
  simulate,
} from '@duncan-mri/simulate';
import { createRng, createVolume, MriError, type Volume } from '@duncan-mri/volume';
import { CHECKPOINT_FILES, readCheckpoint, writeCheckpoint } from '../checkpoint-files.js';
import { extractChunk } from '../internal/chunks.js';
import { LOSS_COLOUR_NAMES, renderLossCurve, renderPanel, sliceOf } from '../internal/panel.js';
import { readVolumeFile } from '../read-volume-file.js';
import { type NodeBackendName, useNodeBackend } from '../use-node-backend.js';
import {
  axisOption,
  intOption,
  parseCommand,
  positional,
  requireString,
  UsageError,
} from './args.js';
import { createContext, toJson } from './context.js';
import { writeFileAtomic } from './files.js';

/** `motion:moderate,noise:mild`, JSON (`[{"artefact":"motion","severity":"severe"}]`) or a .json file. */
export function parseRecipe(text: string, readFile: (p: string) => string): RecipeStep[] {
  let source = text.trim();
  if (source.toLowerCase().endsWith('.json') && !source.startsWith('[')) source = readFile(source);
  if (source.startsWith('[') || source.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch (error) {
      throw new UsageError(`--simulate must be valid JSON: ${(error as Error).message}`);
    }
    return (Array.isArray(parsed) ? parsed : [parsed]) as RecipeStep[];
  }
  return source.split(',').map((part) => {
    const [artefact, severity = 'moderate'] = part.split(':').map((s) => s.trim());
    if (!(ARTEFACT_NAMES as readonly string[]).includes(artefact!))
      throw new UsageError(
        `--simulate names artefacts among ${ARTEFACT_NAMES.join(', ')}, got ${JSON.stringify(artefact)}`,
      );
    if (!(SEVERITIES as readonly string[]).includes(severity))
      throw new UsageError(
        `--simulate severities are ${SEVERITIES.join(', ')}, got ${JSON.stringify(severity)}`,
      );
    return { artefact, severity } as RecipeStep;
  });
}

function parseConfig(
  text: string | undefined,
  readFile: (p: string) => string,
): ModelConfigOverrides {
  if (text === undefined) return {};
  const source = text.trim().startsWith('{') ? text : readFile(text);
  try {
    return JSON.parse(source) as ModelConfigOverrides;
  } catch (error) {
    throw new UsageError(`--config must be JSON or a JSON file: ${(error as Error).message}`);
  }
}

const MODES: readonly TrainingMode[] = ['unpaired', 'paired', 'semi'];

/** The losses a mode reports, in the column order of losses.csv. */
const MODE_LOSS_NAMES: Record<TrainingMode, readonly string[]> = {
  unpaired: LOSS_NAMES,
  paired: PAIRED_LOSS_NAMES,
  semi: SEMI_LOSS_NAMES,
};

/** The losses on the progress bar: key and label. */
const BAR_LOSSES: Record<TrainingMode, readonly (readonly [string, string])[]> = {
  unpaired: [
    ['cycle', 'cycle'],
    ['adversarial', 'adv'],
    ['discriminator', 'disc'],
  ],
  paired: [
    ['l1', 'l1'],
    ['ssim', 'ssim'],
    ['total', 'total'],
  ],
  semi: [
    ['cycle', 'cycle'],
    ['discriminator', 'disc'],
    ['paired', 'paired'],
  ],
};

/** The pair index of the preview panel in modes paired and semi: the last one, never trained on in practice. */
const PREVIEW_PAIR = 2 ** 21 - 1;

function modeOption(values: Record<string, unknown>): TrainingMode {
  const raw = values.mode;
  if (raw === undefined) return 'unpaired';
  if (!(MODES as readonly unknown[]).includes(raw))
    throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as TrainingMode;
}

function pairedWeightOption(values: Record<string, unknown>): number | undefined {
  const raw = values['paired-weight'];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--paired-weight must be a number >= 0, got ${JSON.stringify(raw)}`);
  return n;
}

function middleSlice(volume: Volume, axis: 0 | 1 | 2): Volume {
  const index = Math.floor(volume.shape[axis] / 2);
  const { data, shape } = extractChunk(volume.data, volume.shape, axis, index, 1);
  const dims = shape.filter((_, i) => i !== axis) as [number, number];
  return createVolume({ data, shape: dims });
}

export async function trainCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(
    argv,
    {
      mode: { type: 'string' },
      clean: { type: 'string', multiple: true },
      corrupted: { type: 'string', multiple: true },
      simulate: { type: 'string' },
      'paired-weight': { type: 'string' },
      out: { type: 'string' },
      steps: { type: 'string' },
      config: { type: 'string' },
      resume: { type: 'boolean' },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      axis: { type: 'string' },
      every: { type: 'string' },
      backend: { type: 'string' },
      overwrite: { type: 'boolean' },
      json: { type: 'boolean' },
      progress: { type: 'boolean' },
    },
    ['clean', 'corrupted'],
  );
  if (values.help) return 'help';
  positional(positionals, 0, '');
  const ctx = createContext(values);
  const readText = (p: string) => {
    try {
      return readFileSync(ctx.path(p), 'utf8');
    } catch (error) {
      throw new MriError(
        'IO_ERROR',
        `duncan train: could not read ${JSON.stringify(p)}: ${(error as Error).message}`,
        {
          argument: p,
          cause: error,
        },
      );
    }
  };
  const mode = modeOption(values);
  const cleanPaths = values.clean as string[] | undefined;
  if (cleanPaths === undefined) throw new UsageError('--clean is required');
  const corruptedPaths = values.corrupted as string[] | undefined;
  const recipeText = values.simulate as string | undefined;
  if (mode === 'unpaired') {
    if ((corruptedPaths === undefined) === (recipeText === undefined))
      throw new UsageError('give either --corrupted <paths...> or --simulate <recipe>');
  } else if (corruptedPaths !== undefined || recipeText !== undefined) {
    throw new UsageError(
      `--mode ${mode} makes its pairs from the --clean volumes (createTrainingPairs); --corrupted and --simulate apply only to --mode unpaired`,
    );
  }
  const pairedWeight = pairedWeightOption(values);
  if (pairedWeight !== undefined && mode !== 'semi')
    throw new UsageError('--paired-weight applies only to --mode semi');
  if (values.axis !== undefined && mode !== 'unpaired')
    throw new UsageError(
      '--axis applies only to --mode unpaired (the pairs come from all three axes)',
    );
  const out = ctx.path(requireString(values, 'out'));
  const totalSteps = intOption(values, 'steps', 1000, 1)!;
  const seed = intOption(values, 'seed', 1, 0)!;
  const batchSize = intOption(values, 'batch-size', 1, 1, 256)!;
  const every = intOption(values, 'every', 100, 1)!;
  const axis = axisOption(values);
  const resume = values.resume === true;
  const recipe = recipeText === undefined ? undefined : parseRecipe(recipeText, readText);
  const config = parseConfig(values.config as string | undefined, readText);
  const hasCheckpoint = existsSync(join(out, CHECKPOINT_FILES.manifest));
  if (hasCheckpoint && !resume && values.overwrite !== true) {
    throw new MriError(
      'IO_ERROR',
      `duncan train: --out already holds a checkpoint (pass --resume to continue it or --overwrite to start again), got ${JSON.stringify(out)}`,
      { argument: '--out' },
    );
  }
  if (resume && !hasCheckpoint) {
    throw new MriError(
      'IO_ERROR',
      `duncan train: --resume needs a checkpoint in --out, got ${JSON.stringify(out)} without ${CHECKPOINT_FILES.manifest}`,
      {
        argument: '--out',
      },
    );
  }

  const clean = await Promise.all(
    cleanPaths.map(async (p) => (await readVolumeFile(ctx.path(p))).volume),
  );
  const corrupted =
    mode !== 'unpaired'
      ? []
      : recipe !== undefined
        ? clean.map((v, i) => simulate(v, recipe, createRng(seed * 1000 + i)).volume)
        : await Promise.all(
            corruptedPaths!.map(async (p) => (await readVolumeFile(ctx.path(p))).volume),
          );

  const backend = await useNodeBackend(
    values.backend === undefined ? {} : { prefer: values.backend as NodeBackendName },
  );
  ctx.note(`backend: ${backend.description}`);
  let model: DuncanModel;
  if (resume) {
    model = await loadCheckpoint(readCheckpoint(out));
    if (values.config !== undefined)
      ctx.note('note: --config is ignored with --resume (the checkpoint holds the config)');
  } else {
    model = createModel(config, { seed });
  }
  const startStep = model.step;
  const remaining = totalSteps - startStep;
  const lossNames = MODE_LOSS_NAMES[mode];
  // Modes paired and semi: pair i of createTrainingPairs, from the clean volumes and --seed, at
  // the model's crop size (pair indices follow the model's step, so --resume continues them).
  const pairs =
    mode === 'unpaired'
      ? undefined
      : createTrainingPairs(
          clean.map((volume) => ({ volume })),
          { seed, size: model.config.cropSize },
        );
  const csvPath = join(out, 'losses.csv');
  const history: number[][] = [];
  if (resume && existsSync(csvPath)) {
    const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
    // Rows of another mode (other columns) are dropped.
    if (lines[0] === ['step', ...lossNames, 'learningRate'].join(',')) {
      for (const line of lines.slice(1)) {
        const row = line.split(',').map(Number);
        if (row.length === lossNames.length + 2 && row[0]! <= startStep) history.push(row);
      }
    }
  }
  let preview: Volume;
  let shown: ReturnType<typeof sliceOf>;
  let correctOptions = {};
  if (pairs === undefined) {
    preview = middleSlice(corrupted[0]!, axis);
    // Display orientation from the volume the slice came from (right on the left, anterior up).
    shown = sliceOf(corrupted[0]!, axis, Math.floor(corrupted[0]!.shape[axis] / 2));
  } else {
    const size = model.config.cropSize;
    preview = createVolume({ data: pairs.pair(PREVIEW_PAIR).corrupted, shape: [size, size, 1] });
    shown = sliceOf(preview, 2, 0);
    // Pairs are already normalised (the head's 99.5th percentile is 1).
    correctOptions = { intensityRange: { low: 0, high: 1 } };
  }
  const orient = { flipX: shown.flipX, flipY: shown.flipY };
  const writes: Promise<void>[] = [];
  const panel = (step: number) => {
    const job = (async () => {
      const { corrected, artefactMap } = await correct(model, preview, correctOptions);
      const png = renderPanel([
        shown,
        { ...sliceOf(corrected, 2, 0), ...orient },
        { ...sliceOf(artefactMap, 2, 0), ...orient, signed: true },
      ]);
      writeFileAtomic(join(out, `panel-step${String(step).padStart(6, '0')}.png`), png, true);
    })();
    job.catch(() => {}); // reported when awaited below, not as an unhandled rejection
    writes.push(job);
  };
  const writeCurves = () => {
    const header = ['step', ...lossNames, 'learningRate'].join(',');
    writeFileAtomic(csvPath, `${header}\n${history.map((r) => r.join(',')).join('\n')}\n`, true);
    const png = renderLossCurve(
      lossNames.map((name, k) => ({ name, values: history.map((r) => r[k + 1]!) })),
    );
    writeFileAtomic(join(out, 'loss-curve.png'), png, true);
  };

  const data =
    mode === 'unpaired'
      ? `${clean.length} clean, ${corrupted.length} corrupted volume(s)`
      : `pairs of ${clean.length} clean volume(s) (createTrainingPairs, seed ${seed})`;
  ctx.note(
    `training ${resume ? `from step ${startStep} ` : ''}to step ${totalSteps} (${mode}): ${data}; C=${model.config.channels} R=${model.config.residualBlocks} crop ${model.config.cropSize}, ${model.parameterCount.total} weights; out ${out}`,
  );
  ctx.note(
    `loss-curve.png colours: ${lossNames.map((k, i) => `${k} ${LOSS_COLOUR_NAMES[i % LOSS_COLOUR_NAMES.length]}`).join(', ')}`,
  );
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      ctx.note(
        '\ninterrupted: finishing the current step and saving a checkpoint (Ctrl-C again to quit without saving)',
      );
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  let result: TrainingResult<Readonly<Record<string, number>>> = {
    steps: 0,
    aborted: false,
    losses: undefined,
  };
  try {
    if (remaining > 0) {
      const bar = ctx.progress('train', remaining);
      const onProgress = ({
        step,
        losses,
        learningRate,
      }: TrainingProgress<Readonly<Record<string, number>>>) => {
        const global = startStep + step;
        history.push([global, ...lossNames.map((k) => losses[k]!), learningRate]);
        bar.update(
          step,
          BAR_LOSSES[mode].map(([k, label]) => `${label} ${losses[k]!.toFixed(3)}`).join(' '),
        );
        if (global % every === 0) {
          panel(global);
          writeCurves();
        }
      };
      const common = { steps: remaining, batchSize, signal: controller.signal, onProgress };
      if (pairs === undefined) {
        result = await train(
          model,
          { clean, corrupted },
          { ...common, seed: seed + startStep, axis },
        );
      } else if (mode === 'paired') {
        // The schedule spans --steps from step 0, so a resumed run uses the rates of an
        // uninterrupted one (as tools/reference/train_default_model.py).
        result = await train(model, pairs, { ...common, mode, totalSteps });
      } else {
        result = await train(model, pairs, {
          ...common,
          mode: 'semi',
          totalSteps,
          ...(pairedWeight === undefined ? {} : { pairedWeight }),
        });
      }
      bar.finish();
    } else {
      ctx.note(`the checkpoint has already trained ${startStep} steps (--steps ${totalSteps})`);
    }
    await Promise.all(writes);
    const endStep = model.step;
    if (endStep % every !== 0 || remaining <= 0) panel(endStep);
    await Promise.all(writes);
    writeCurves();
    writeCheckpoint(out, await saveCheckpoint(model), { overwrite: true });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    command: 'train',
    mode,
    out,
    step: model.step,
    steps: totalSteps,
    aborted: result.aborted,
    losses: result.losses ?? null,
    seconds: Math.round(seconds * 1000) / 1000,
    backend: backend.backend,
    config: model.config,
  };
  if (ctx.json) ctx.out(toJson(summary));
  else
    ctx.out(
      result.aborted
        ? `stopped at step ${model.step} of ${totalSteps}; checkpoint saved in ${out} (continue with --resume)`
        : `trained to step ${model.step} in ${seconds.toFixed(1)} s; checkpoint, losses.csv, loss-curve.png and panels in ${out}`,
    );
  model.dispose();
  return result.aborted ? 130 : 0;
}
