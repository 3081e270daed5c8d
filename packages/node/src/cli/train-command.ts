import { existsSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import {
  type CheckpointManifest,
  type CheckpointTraining,
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
import { createTrainingPairs, simulate } from '@duncan-mri/simulate';
import {
  createRng,
  createVolume,
  isMriError,
  MriError,
  sliceVolume,
  type Volume,
} from '@duncan-mri/volume';
import { CHECKPOINT_FILES, readCheckpoint, writeCheckpoint } from '../checkpoint-files.js';
import { renderImagePanel, sliceOf } from '../internal/figures/image-panel.js';
import { renderLossCurve } from '../internal/figures/loss-curve.js';
import { lockOutput } from '../internal/output-lock.js';
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
import { OPTIONS } from './help.js';
import { parseRecipe, readTextFile } from './recipe.js';

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

/** When `--save-every` saves: every `steps` steps, or every `minutes` minutes; neither for 0. */
type SavePolicy = { readonly steps: number } | { readonly minutes: number };

/** `--save-every 500` (steps), `--save-every 10m` (minutes) or 0 (at the end only). */
function saveEveryOption(values: Record<string, unknown>): SavePolicy {
  const raw = values['save-every'] ?? `${DEFAULT_SAVE_MINUTES}m`;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (/^\d+$/.test(text)) return { steps: Number(text) };
  const minutes = /^(\d+(?:\.\d+)?)m$/.exec(text);
  if (minutes !== null && Number(minutes[1]) > 0) return { minutes: Number(minutes[1]) };
  throw new UsageError(
    `--save-every must be a number of steps (500) or of minutes (10m), or 0 to save only at the end, got ${JSON.stringify(raw)}`,
  );
}

/** The default of `--save-every`, in minutes: a kill loses at most this much training. */
const DEFAULT_SAVE_MINUTES = 10;

/** The signals that stop a run with a checkpoint: Ctrl-C, schedulers and `timeout`, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** The conventional exit code of a process stopped by `signal`: 128 + its number. */
function signalExitCode(signal: StopSignal): number {
  return 128 + osConstants.signals[signal];
}

/** The training record of a resumed checkpoint, when it has a usable one. */
function recordOf(manifest: CheckpointManifest): Partial<CheckpointTraining> {
  const t = manifest.training as Record<string, unknown> | undefined;
  if (typeof t !== 'object' || t === null) return {};
  const int = (v: unknown, min: number) =>
    Number.isInteger(v) && (v as number) >= min ? (v as number) : undefined;
  const record: { -readonly [K in keyof CheckpointTraining]?: CheckpointTraining[K] } = {};
  if ((MODES as readonly unknown[]).includes(t.mode)) record.mode = t.mode as TrainingMode;
  const totalSteps = int(t.totalSteps, 1);
  if (totalSteps !== undefined) record.totalSteps = totalSteps;
  const batchSize = int(t.batchSize, 1);
  if (batchSize !== undefined) record.batchSize = batchSize;
  const seed = int(t.seed, 0);
  if (seed !== undefined) record.seed = seed;
  if (t.axis === 0 || t.axis === 1 || t.axis === 2) record.axis = t.axis;
  if (typeof t.pairedWeight === 'number' && t.pairedWeight >= 0)
    record.pairedWeight = t.pairedWeight;
  return record;
}

export async function trainCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, OPTIONS.train);
  if (values.help) return 'help';
  positional(positionals, 0, '');
  const ctx = createContext(values);
  const readText = (p: string) => readTextFile('duncan train', ctx.path(p), p);
  // The flags as given (undefined when left out: a resumed run then takes the checkpoint's).
  const modeFlag = values.mode === undefined ? undefined : modeOption(values);
  const cleanPaths = values.clean as string[] | undefined;
  if (cleanPaths === undefined) throw new UsageError('--clean is required');
  const corruptedPaths = values.corrupted as string[] | undefined;
  const recipeText = values.simulate as string | undefined;
  const pairedWeightFlag = pairedWeightOption(values);
  const out = ctx.path(requireString(values, 'out'));
  const stepsFlag = intOption(values, 'steps', undefined, 1);
  const seedFlag = intOption(values, 'seed', undefined, 0);
  const batchSizeFlag = intOption(values, 'batch-size', undefined, 1, 256);
  const every = intOption(values, 'every', 100, 1)!;
  const saveEvery = saveEveryOption(values);
  const axisFlag = values.axis === undefined ? undefined : axisOption(values);
  const resume = values.resume === true;
  const config = parseConfig(values.config as string | undefined, readText);
  /** The options that only some modes take. */
  const checkModeOptions = (mode: TrainingMode) => {
    if (mode === 'unpaired') {
      if ((corruptedPaths === undefined) === (recipeText === undefined))
        throw new UsageError('give either --corrupted <paths...> or --simulate <recipe>');
    } else if (corruptedPaths !== undefined || recipeText !== undefined) {
      throw new UsageError(
        `--mode ${mode} makes its pairs from the --clean volumes (createTrainingPairs); --corrupted and --simulate apply only to --mode unpaired`,
      );
    }
    if (pairedWeightFlag !== undefined && mode !== 'semi')
      throw new UsageError('--paired-weight applies only to --mode semi');
    if (axisFlag !== undefined && mode !== 'unpaired')
      throw new UsageError(
        '--axis applies only to --mode unpaired (the pairs come from all three axes)',
      );
  };
  // The mode is known now unless a resumed run takes the checkpoint's.
  if (!resume || modeFlag !== undefined) checkModeOptions(modeFlag ?? 'unpaired');

  // One run per output directory: the lock is taken before the directory is looked at.
  const lock = lockOutput('duncan train', '--out', out, 'duncan train');
  if (lock.note !== undefined) ctx.note(lock.note);
  // A signal before training starts ends the run at once (there is nothing to save yet).
  const onEarlySignal = (signal: StopSignal) => {
    ctx.note(`\nduncan train: ${signal}: stopped before training started`);
    process.exit(signalExitCode(signal));
  };
  for (const s of STOP_SIGNALS) process.on(s, onEarlySignal);
  try {
    return await runTraining();
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onEarlySignal);
    lock.release();
  }

  async function runTraining(): Promise<number> {
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
    const checkpoint = resume ? readCheckpoint(out) : undefined;
    // A resumed run continues the checkpoint's run: its mode, length (the learning-rate
    // schedule's span), batch size, seed, axis and paired weight, unless a flag changes them.
    const record = checkpoint === undefined ? {} : recordOf(checkpoint.manifest);
    const settle = <T>(
      flag: string,
      given: T | undefined,
      stored: T | undefined,
      fallback: T,
    ): T => {
      if (given !== undefined && stored !== undefined && given !== stored)
        ctx.note(`note: ${flag} ${given} replaces the checkpoint's ${stored}`);
      return given ?? stored ?? fallback;
    };
    const mode = settle('--mode', modeFlag, record.mode, 'unpaired' as TrainingMode);
    const sameMode = record.mode === undefined || record.mode === mode;
    const totalSteps = settle('--steps', stepsFlag, record.totalSteps, 1000);
    const batchSize = settle('--batch-size', batchSizeFlag, record.batchSize, 1);
    const seed = settle('--seed', seedFlag, record.seed, 1);
    const axis = settle('--axis', axisFlag, sameMode ? record.axis : undefined, 2);
    const pairedWeight =
      mode === 'semi'
        ? settle('--paired-weight', pairedWeightFlag, sameMode ? record.pairedWeight : undefined, 1)
        : undefined;
    checkModeOptions(mode);
    const recipe = recipeText === undefined ? undefined : parseRecipe(recipeText, readText);

    const clean = await Promise.all(
      cleanPaths!.map(async (p) => (await readVolumeFile(ctx.path(p))).volume),
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
    if (checkpoint !== undefined) {
      try {
        model = await loadCheckpoint(checkpoint, values.config === undefined ? {} : { config });
      } catch (error) {
        // A --config change the checkpoint cannot take, in the CLI's words.
        if (isMriError(error) && error.argument?.startsWith('options.config'))
          throw new MriError(
            error.code,
            error.message.replace(/^loadCheckpoint: options\.config\.?/, 'duncan train: --config '),
            { argument: '--config', cause: error },
          );
        throw error;
      }
      const before = checkpoint.manifest.config as unknown as Record<string, unknown>;
      const after = model.config as unknown as Record<string, unknown>;
      const changed = Object.keys(after).filter(
        (k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]),
      );
      if (changed.length > 0)
        ctx.note(
          `note: --config changes ${changed.map((k) => `${k} ${JSON.stringify(before[k])} -> ${JSON.stringify(after[k])}`).join(', ')} from step ${model.step} on`,
        );
    } else {
      model = createModel(config, { seed });
    }
    const training: CheckpointTraining = {
      mode,
      totalSteps,
      batchSize,
      seed,
      ...(mode === 'unpaired' ? { axis } : {}),
      ...(pairedWeight === undefined ? {} : { pairedWeight }),
    };
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
    let previewText: string;
    let correctOptions = {};
    if (pairs === undefined) {
      const middle = Math.floor(corrupted[0]!.shape[axis] / 2);
      preview = sliceVolume(corrupted[0]!, axis, middle);
      previewText = `the middle slice along ${'xyz'[axis]} of the first corrupted volume`;
      // Display orientation from the volume the slice came from (right on the left, anterior up).
      shown = sliceOf(corrupted[0]!, axis, middle);
    } else {
      const size = model.config.cropSize;
      preview = createVolume({ data: pairs.pair(PREVIEW_PAIR).corrupted, shape: [size, size, 1] });
      shown = sliceOf(preview, 2, 0);
      previewText = `the corrupted image of training pair ${PREVIEW_PAIR} (createTrainingPairs, seed ${seed})`;
      // Pairs are already normalised (the head's 99.5th percentile is 1).
      correctOptions = { intensityRange: { low: 0, high: 1 } };
    }
    const orient = { flipX: shown.flipX, flipY: shown.flipY };

    // Side outputs (panels, losses.csv, loss-curve.png) never stop training: a failure is
    // reported once per kind of file.
    const warned = new Set<string>();
    const sideOutput = (kind: string, write: () => void) => {
      try {
        write();
      } catch (error) {
        if (warned.has(kind)) return;
        warned.add(kind);
        ctx.note(
          `\nwarning: ${(error as Error).message}; training goes on (further failures of ${kind} are not reported)`,
        );
      }
    };
    const writes: Promise<void>[] = [];
    // Figures are drawn one at a time, in order, beside training. A figure can take longer than a
    // small model's step: rather than let them pile up, training waits for them (onProgress).
    let figures = Promise.resolve();
    let queuedFigures = 0;
    const queueFigure = (draw: () => Promise<void>) => {
      queuedFigures++;
      figures = figures.then(draw).finally(() => {
        queuedFigures--;
      });
      writes.push(figures);
    };
    const panel = (step: number) => {
      // The correction starts now, with this step's weights; the drawing waits its turn.
      const correction = correct(model, preview, correctOptions);
      correction.catch(() => {}); // handled when its turn comes
      queueFigure(async () => {
        let png: Uint8Array;
        try {
          const { corrected, artefactMap } = await correction;
          ({ png } = await renderImagePanel(
            [
              { image: shown, kind: 'image', title: 'input', subtitle: 'corrupted' },
              {
                image: { ...sliceOf(corrected, 2, 0), ...orient },
                kind: 'image',
                title: 'corrected',
                subtitle: `by the model at step ${step}`,
              },
              {
                image: { ...sliceOf(artefactMap, 2, 0), ...orient },
                kind: 'signed',
                title: 'artefact map',
                subtitle: 'input − corrected',
              },
            ],
            {
              title: `Training preview, step ${step}`,
              subtitle: [previewText],
              legendTitles: {
                image: 'intensity (a.u.; window of the input)',
                signed: 'artefact map (a.u.; mid-grey is 0)',
              },
            },
          ));
        } catch (error) {
          sideOutput('panels', () => {
            throw new Error(`the panel of step ${step} failed: ${(error as Error).message}`);
          });
          return;
        }
        sideOutput('panels', () =>
          writeFileAtomic(join(out, `panel-step${String(step).padStart(6, '0')}.png`), png, true),
        );
      });
    };
    // A loss curve waiting for its turn is not queued twice: it draws the history of its turn.
    let curveQueued = false;
    const writeCurves = () => {
      const header = ['step', ...lossNames, 'learningRate'].join(',');
      sideOutput('losses.csv', () =>
        writeFileAtomic(
          csvPath,
          `${header}\n${history.map((r) => r.join(',')).join('\n')}\n`,
          true,
        ),
      );
      if (curveQueued) return;
      curveQueued = true;
      queueFigure(async () => {
        curveQueued = false;
        const steps = history.map((r) => r[0]!);
        const series = lossNames.map((name, k) => ({
          name,
          values: history.map((r) => r[k + 1]!),
        }));
        let figure: Awaited<ReturnType<typeof renderLossCurve>>;
        try {
          figure = await renderLossCurve(steps, series, { title: `Training losses (${mode})` });
        } catch (error) {
          sideOutput('loss-curve.png', () => {
            throw new Error(`the loss curve failed: ${(error as Error).message}`);
          });
          return;
        }
        sideOutput('loss-curve.png', () => {
          writeFileAtomic(join(out, 'loss-curve.png'), figure.png, true);
          writeFileAtomic(join(out, 'loss-curve.svg'), figure.svg, true);
        });
      });
    };
    // The checkpoint records how the run trains, so --resume continues it (and its schedule).
    const saveModel = async () => {
      const { manifest, weights } = await saveCheckpoint(model);
      writeCheckpoint(out, { manifest: { ...manifest, training }, weights }, { overwrite: true });
    };
    let lastSave = performance.now();
    const periodicSave = async (step: number) => {
      writeCurves();
      try {
        await saveModel();
      } catch (error) {
        ctx.note(
          `\nwarning: the checkpoint of step ${step} could not be saved (${(error as Error).message}); training goes on, and the previous checkpoint stays readable`,
        );
      }
      lastSave = performance.now();
    };

    const data =
      mode === 'unpaired'
        ? `${clean.length} clean, ${corrupted.length} corrupted volume(s)`
        : `pairs of ${clean.length} clean volume(s) (createTrainingPairs, seed ${seed})`;
    const saving =
      'steps' in saveEvery
        ? saveEvery.steps === 0
          ? 'saving at the end'
          : `saving every ${saveEvery.steps} steps`
        : `saving every ${saveEvery.minutes} min`;
    ctx.note(
      `training ${resume ? `from step ${startStep} ` : ''}to step ${totalSteps} (${mode}): ${data}; C=${model.config.channels} R=${model.config.residualBlocks} crop ${model.config.cropSize}, ${model.parameterCount.total} weights; ${saving}; out ${out}`,
    );
    // Ctrl-C, SIGTERM (schedulers, `timeout`) and SIGHUP (a closed terminal): finish the step,
    // save, exit 128 + the signal's number. The same signal again quits without saving (the last
    // checkpoint saved stays readable).
    const controller = new AbortController();
    let stoppedBy: StopSignal | undefined;
    const onSignal = (signal: StopSignal) => {
      if (stoppedBy === undefined) {
        stoppedBy = signal;
        ctx.note(
          `\ninterrupted${signal === 'SIGINT' ? '' : ` by ${signal}`}: finishing the current step and saving a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit without saving)`,
        );
        controller.abort();
      } else {
        process.exit(signalExitCode(signal));
      }
    };
    // A closed terminal or pipe must not stop training: messages to it are dropped.
    const ignoreStreamError = () => {};
    for (const s of STOP_SIGNALS) {
      process.off(s, onEarlySignal);
      process.on(s, onSignal);
    }
    process.stderr.on('error', ignoreStreamError);
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
          const backlog = queuedFigures > 2 ? figures : undefined;
          // The end of the run saves anyway; a stop saves after this step.
          if (global === totalSteps || controller.signal.aborted) return backlog;
          const due =
            'steps' in saveEvery
              ? saveEvery.steps > 0 && global % saveEvery.steps === 0
              : performance.now() - lastSave >= saveEvery.minutes * 60_000;
          // train waits for this promise: the checkpoint is of this step.
          return due ? Promise.all([backlog, periodicSave(global)]).then(() => {}) : backlog;
        };
        // The schedule spans --steps from step 0 (in every mode), so a resumed run uses the
        // rates of an uninterrupted one (as tools/reference/train_default_model.py).
        const common = {
          steps: remaining,
          totalSteps,
          batchSize,
          signal: controller.signal,
          onProgress,
        };
        if (pairs === undefined) {
          result = await train(
            model,
            { clean, corrupted },
            { ...common, seed: seed + startStep, axis },
          );
        } else if (mode === 'paired') {
          result = await train(model, pairs, { ...common, mode });
        } else {
          result = await train(model, pairs, {
            ...common,
            mode: 'semi',
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
      writeCurves();
      await Promise.all(writes);
      await saveModel();
    } finally {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    }
    const seconds = (performance.now() - started) / 1000;
    const aborted = result.aborted || stoppedBy !== undefined;
    const code = stoppedBy === undefined ? 0 : signalExitCode(stoppedBy);
    const summary = {
      command: 'train',
      mode,
      out,
      step: model.step,
      steps: totalSteps,
      aborted,
      signal: stoppedBy ?? null,
      losses: result.losses ?? null,
      seconds: Math.round(seconds * 1000) / 1000,
      backend: backend.backend,
      config: model.config,
      training,
    };
    // Should stdout be closed (a closed terminal), the exit code is still the signal's.
    process.exitCode = code;
    if (ctx.json) ctx.out(toJson(summary));
    else
      ctx.out(
        aborted
          ? `stopped at step ${model.step} of ${totalSteps}; checkpoint saved in ${out} (continue with --resume)`
          : `trained to step ${model.step} in ${seconds.toFixed(1)} s; checkpoint, losses.csv, loss-curve.png and panels in ${out}`,
      );
    model.dispose();
    return code;
  }
}
