import { availableParallelism } from 'node:os';
import { assertSliceSize } from '@duncan-mri/core';
import { createCorrector } from '../create-corrector.js';
import { readVolumeFile } from '../read-volume-file.js';
import { NODE_BACKENDS, type NodeBackendName } from '../use-node-backend.js';
import { checkVolumeFileTarget } from '../write-volume-file.js';
import {
  axisOption,
  intOption,
  parseCommand,
  positional,
  readOptions,
  requireString,
  seriesOption,
  shrinkageOption,
  UsageError,
  workersOption,
} from './args.js';
import { type Context, createContext, toJson } from './context.js';
import { correctVolumeFile, writeCorrectedVolumeFile } from './correct-volume-file.js';
import { assertOutputFree } from './files.js';
import { OPTIONS } from './help.js';

export async function correctCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, OPTIONS.correct);
  if (values.help) return 'help';
  const [inputArg] = positional(positionals, 1, '<input>');
  const output = requireString(values, 'output', '-o/--output');
  const axis = axisOption(values);
  // Default: the library's, sized from the slice and the available memory.
  const batchSize = intOption(values, 'batch-size', undefined, 1, 4096);
  const reading = readOptions(values);
  const mapPath = values['artefact-map'] as string | undefined;
  const overwrite = values.overwrite === true;
  // Mirror averaging (four forward passes per batch) unless --no-flips.
  const flips = values['no-flips'] !== true;
  // Each slice's correction soft-thresholded at k times its noise level (0: off).
  const shrinkage = shrinkageOption(values);
  const ctx: Context = createContext(values);
  const workers = workersOption(values, ctx.warn);
  if (mapPath !== undefined && ctx.path(mapPath) === ctx.path(output))
    throw new UsageError('--artefact-map must differ from --output');

  const backend = values.backend as string | undefined;
  if (backend !== undefined && !(NODE_BACKENDS as readonly string[]).includes(backend))
    throw new UsageError(`--backend must be one of ${NODE_BACKENDS.join(', ')}, got ${backend}`);
  const started = performance.now();
  const series = seriesOption(values);
  const input = await readVolumeFile(ctx.path(inputArg!), {
    ...(series === undefined ? {} : { series }),
    ...reading,
  });
  for (const w of input.warnings) ctx.warn(`warning: ${w}`);
  if (input.nifti !== undefined && input.nifti.frames > 1) {
    ctx.warn(
      `warning: the input has ${input.nifti.frames} frames; only frame 1 is corrected and written`,
    );
  }
  // Everything that can be judged without the model, before the workers start and the model
  // loads: the slice size along --axis, then the outputs (names, inputs, existing files) and a
  // probe of their directories (writable, names not too long, room for an uncompressed file).
  assertSliceSize(input.volume.shape, axis, 'duncan correct', '--axis');
  const inputs = [...input.files, input.path];
  assertOutputFree('duncan correct', '--output', ctx.path(output), overwrite, inputs);
  if (mapPath !== undefined)
    assertOutputFree('duncan correct', '--artefact-map', ctx.path(mapPath), overwrite, inputs);
  checkVolumeFileTarget(ctx.path(output), {
    source: input,
    overwrite,
    shape: input.volume.shape,
  });
  if (mapPath !== undefined) {
    checkVolumeFileTarget(ctx.path(mapPath), {
      source: input,
      overwrite,
      protect: [ctx.path(output)],
      shape: input.volume.shape,
    });
  }
  const model = values.model as string | undefined;
  // No more workers than slices: each idle worker would hold a backend and a model copy.
  const slices = input.volume.shape[axis];
  const poolSize = Math.min(workers ?? availableParallelism(), slices);
  const corrector = await createCorrector({
    ...(model === undefined ? {} : { model: ctx.path(model) }),
    workers: poolSize,
    ...(values.backend === undefined ? {} : { backend: values.backend as NodeBackendName }),
    ...(batchSize === undefined ? {} : { batchSize }),
  });
  let written: string[];
  try {
    const effectiveWorkers = corrector.workers;
    ctx.note(
      `backend: ${corrector.backend.description}; ${effectiveWorkers > 0 ? `${effectiveWorkers} worker thread${effectiveWorkers === 1 ? '' : 's'}` : 'main thread'}`,
    );
    const bar = ctx.progress('correct', input.volume.shape[axis]);
    const result = await correctVolumeFile(corrector, input, {
      axis,
      flips,
      shrinkage,
      onProgress: ({ done, total }) => bar.update(done, 'slices', total),
    });
    bar.finish();
    // NaN/Inf voxels (outside the brain of processed images, say): corrected as 0, kept as NaN.
    if (result.nonFinite > 0)
      ctx.note(`note: ${result.nonFinite} non-finite voxels are corrected as 0 and written as NaN`);
    const out = await writeCorrectedVolumeFile(
      input,
      result,
      {
        output: ctx.path(output),
        artefactMap: mapPath === undefined ? undefined : ctx.path(mapPath),
      },
      overwrite,
    );
    ctx.committed();
    written = [out.output.path, ...(out.artefactMap === undefined ? [] : [out.artefactMap.path])];
    const seconds = (performance.now() - started) / 1000;
    if (ctx.json) {
      ctx.out(
        toJson({
          command: 'correct',
          input: input.path,
          format: input.format,
          output: written[0],
          artefactMap: written[1] ?? null,
          shape: input.volume.shape,
          axis,
          flips,
          shrinkage,
          model: model === undefined ? 'bundled' : ctx.path(model),
          backend: corrector.backend.backend,
          workers: effectiveWorkers,
          seconds: Math.round(seconds * 1000) / 1000,
        }),
      );
    } else {
      ctx.out(
        `corrected ${input.volume.shape.join('x')} (${input.format}) in ${seconds.toFixed(1)} s -> ${written.join(', ')}`,
      );
    }
  } finally {
    await corrector.close();
  }
  return 0;
}
