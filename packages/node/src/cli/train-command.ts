import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  correct,
  createModel,
  type DuncanModel,
  LOSS_NAMES,
  loadCheckpoint,
  type ModelConfigOverrides,
  saveCheckpoint,
  train,
} from '@duncan-mri/core';
import { ARTEFACT_NAMES, type RecipeStep, SEVERITIES, simulate } from '@duncan-mri/simulate';
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
      clean: { type: 'string', multiple: true },
      corrupted: { type: 'string', multiple: true },
      simulate: { type: 'string' },
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
  const cleanPaths = values.clean as string[] | undefined;
  if (cleanPaths === undefined) throw new UsageError('--clean is required');
  const corruptedPaths = values.corrupted as string[] | undefined;
  const recipeText = values.simulate as string | undefined;
  if ((corruptedPaths === undefined) === (recipeText === undefined))
    throw new UsageError('give either --corrupted <paths...> or --simulate <recipe>');
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
    recipe !== undefined
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
  const csvPath = join(out, 'losses.csv');
  const history: number[][] = [];
  if (resume && existsSync(csvPath)) {
    for (const line of readFileSync(csvPath, 'utf8').trim().split('\n').slice(1)) {
      const row = line.split(',').map(Number);
      if (row.length === LOSS_NAMES.length + 2 && row[0]! <= startStep) history.push(row);
    }
  }
  const preview = middleSlice(corrupted[0]!, axis);
  // Display orientation from the volume the slice came from (right on the left, anterior up).
  const shown = sliceOf(corrupted[0]!, axis, Math.floor(corrupted[0]!.shape[axis] / 2));
  const orient = { flipX: shown.flipX, flipY: shown.flipY };
  const writes: Promise<void>[] = [];
  const panel = (step: number) => {
    const job = (async () => {
      const { corrected, artefactMap } = await correct(model, preview);
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
    const header = ['step', ...LOSS_NAMES, 'learningRate'].join(',');
    writeFileAtomic(csvPath, `${header}\n${history.map((r) => r.join(',')).join('\n')}\n`, true);
    const png = renderLossCurve(
      LOSS_NAMES.map((name, k) => ({ name, values: history.map((r) => r[k + 1]!) })),
    );
    writeFileAtomic(join(out, 'loss-curve.png'), png, true);
  };

  ctx.note(
    `training ${resume ? `from step ${startStep} ` : ''}to step ${totalSteps}: ${clean.length} clean, ${corrupted.length} corrupted volume(s); C=${model.config.channels} R=${model.config.residualBlocks} crop ${model.config.cropSize}, ${model.parameterCount.total} weights; out ${out}`,
  );
  ctx.note(
    `loss-curve.png colours: ${LOSS_NAMES.map((k, i) => `${k} ${LOSS_COLOUR_NAMES[i]}`).join(', ')}`,
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
  let result: Awaited<ReturnType<typeof train>> = { steps: 0, aborted: false, losses: undefined };
  try {
    if (remaining > 0) {
      const bar = ctx.progress('train', remaining);
      result = await train(
        model,
        { clean, corrupted },
        {
          steps: remaining,
          seed: seed + startStep,
          batchSize,
          axis,
          signal: controller.signal,
          onProgress: ({ step, losses, learningRate }) => {
            const global = startStep + step;
            history.push([global, ...LOSS_NAMES.map((k) => losses[k]), learningRate]);
            bar.update(
              step,
              `cycle ${losses.cycle.toFixed(3)} adv ${losses.adversarial.toFixed(3)} disc ${losses.discriminator.toFixed(3)}`,
            );
            if (global % every === 0) {
              panel(global);
              writeCurves();
            }
          },
        },
      );
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
