import { availableParallelism } from 'node:os';
import { withData } from '@duncan-mri/volume';
import { createCorrector } from '../create-corrector.js';
import { readVolumeFile } from '../read-volume-file.js';
import { NODE_BACKENDS, type NodeBackendName } from '../use-node-backend.js';
import { checkVolumeFileTarget, writeVolumeFile } from '../write-volume-file.js';
import {
  axisOption,
  intOption,
  parseCommand,
  positional,
  requireString,
  seriesOption,
  UsageError,
} from './args.js';
import { type Context, createContext, toJson } from './context.js';
import { assertOutputFree } from './files.js';

export async function correctCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, {
    output: { type: 'string', short: 'o' },
    model: { type: 'string' },
    axis: { type: 'string' },
    'artefact-map': { type: 'string' },
    workers: { type: 'string' },
    'batch-size': { type: 'string' },
    series: { type: 'string' },
    backend: { type: 'string' },
    overwrite: { type: 'boolean' },
    json: { type: 'boolean' },
    progress: { type: 'boolean' },
  });
  if (values.help) return 'help';
  const [inputArg] = positional(positionals, 1, '<input>');
  const output = requireString(values, 'output', '-o/--output');
  const axis = axisOption(values);
  const workers = intOption(values, 'workers', undefined, 0, 256);
  const batchSize = intOption(values, 'batch-size', 8, 1, 4096)!;
  const mapPath = values['artefact-map'] as string | undefined;
  const overwrite = values.overwrite === true;
  const ctx: Context = createContext(values);
  if (mapPath !== undefined && ctx.path(mapPath) === ctx.path(output))
    throw new UsageError('--artefact-map must differ from --output');

  const backend = values.backend as string | undefined;
  if (backend !== undefined && !(NODE_BACKENDS as readonly string[]).includes(backend))
    throw new UsageError(`--backend must be one of ${NODE_BACKENDS.join(', ')}, got ${backend}`);
  const started = performance.now();
  const series = seriesOption(values);
  const input = await readVolumeFile(ctx.path(inputArg!), series === undefined ? {} : { series });
  for (const w of input.warnings) ctx.note(`warning: ${w}`);
  if (input.nifti !== undefined && input.nifti.frames > 1) {
    ctx.note(
      `note: the input has ${input.nifti.frames} frames; only frame 1 is corrected and written`,
    );
  }
  const inputs = [...input.files, input.path];
  assertOutputFree('duncan correct', '--output', ctx.path(output), overwrite, inputs);
  if (mapPath !== undefined)
    assertOutputFree('duncan correct', '--artefact-map', ctx.path(mapPath), overwrite, inputs);
  // Everything writeVolumeFile will check (name, format, inputs, what a directory holds), now,
  // before the correction rather than after it.
  checkVolumeFileTarget(ctx.path(output), { source: input, overwrite });
  if (mapPath !== undefined) {
    checkVolumeFileTarget(ctx.path(mapPath), {
      source: input,
      overwrite,
      protect: [ctx.path(output)],
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
    batchSize,
  });
  let written: string[];
  try {
    const effectiveWorkers = corrector.workers;
    ctx.note(
      `backend: ${corrector.backend.description}; ${effectiveWorkers > 0 ? `${effectiveWorkers} worker thread${effectiveWorkers === 1 ? '' : 's'}` : 'main thread'}`,
    );
    // NaN/Inf voxels (outside the brain of processed images, say): corrected as 0, kept as NaN.
    const bad: number[] = [];
    input.volume.data.forEach((v, i) => {
      if (!Number.isFinite(v)) bad.push(i);
    });
    let volume = input.volume;
    if (bad.length > 0) {
      const data = Float32Array.from(volume.data);
      for (const i of bad) data[i] = 0;
      volume = withData(volume, data);
      ctx.note(`note: ${bad.length} non-finite voxels are corrected as 0 and written as NaN`);
    }
    const bar = ctx.progress('correct', input.volume.shape[axis]);
    let { corrected, artefactMap } = await corrector.correct(volume, {
      axis,
      onProgress: ({ done, total }) => bar.update(done, 'slices', total),
    });
    bar.finish();
    if (bad.length > 0) {
      const c = Float32Array.from(corrected.data);
      const a = Float32Array.from(artefactMap.data);
      for (const i of bad) {
        c[i] = Number.NaN;
        a[i] = Number.NaN;
      }
      corrected = withData(corrected, c);
      artefactMap = withData(artefactMap, a);
    }
    const out = await writeVolumeFile(ctx.path(output), corrected, { source: input, overwrite });
    written = [out.path];
    if (mapPath !== undefined) {
      const map = await writeVolumeFile(ctx.path(mapPath), artefactMap, {
        source: input,
        overwrite,
        protect: [out.path],
        seriesDescription: `${input.dicom?.seriesDescription ?? 'series'} artefact map (duncan-mri)`,
      });
      written.push(map.path);
    }
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
