// `duncan bids <bids_dir> <output_dir> participant|group`: a BIDS App (Gorgolewski et al., "BIDS
// apps", PLoS Comput Biol 13(3): e1005209, 2017): positional arguments, --participant-label,
// BIDS-Derivatives out, idempotent per image so that a workflow engine can run one participant
// per job and run again after a failure.
import { readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalidArgument, isMriError, MriError } from '@duncan-mri/volume';
import { readCheckpoint } from '../checkpoint-files.js';
import { createCorrector, type NodeCorrector } from '../create-corrector.js';
import { changeMeasures } from '../internal/change-measures.js';
import { packageFile } from '../internal/package-paths.js';
import { readVolumeFile } from '../read-volume-file.js';
import { NODE_BACKENDS, type NodeBackendName } from '../use-node-backend.js';
import {
  axisOption,
  intOption,
  parseCommand,
  positional,
  shrinkageOption,
  UsageError,
  workersOption,
} from './args.js';
import {
  type CorrectionSettings,
  commitStaged,
  derivativeDescription,
  derivativeFiles,
  derivativeSidecars,
  derivativeState,
  ensureDerivativeDescription,
  type ModelIdentity,
  modelIdentity,
  sourceFileRecord,
  stagingFolder,
} from './bids-derivatives.js';
import { groupRows, writeGroupSummary } from './bids-group.js';
import {
  ANAT_SUFFIXES,
  type BidsImage,
  DEFAULT_SUFFIXES,
  findAnatImages,
  readDatasetDescription,
} from './bids-layout.js';
import { type Context, createContext, toJson } from './context.js';
import { correctVolumeFile, writeCorrectedVolumeFile } from './correct-volume-file.js';
import { writeFileAtomic } from './files.js';
import { OPTIONS } from './help.js';

const WHERE = 'duncan bids';

/** Labels given with or without their prefix (`01` or `sub-01`), checked and de-duplicated. */
function labels(
  values: Record<string, unknown>,
  option: string,
  prefix: string,
): string[] | undefined {
  const raw = values[option] as string[] | undefined;
  if (raw === undefined) return undefined;
  const out: string[] = [];
  for (const value of raw) {
    const label = value.startsWith(prefix) ? value.slice(prefix.length) : value;
    if (!/^[a-zA-Z0-9]+$/.test(label))
      throw new UsageError(
        `--${option} must be BIDS labels (letters and digits, with or without ${prefix}), got ${JSON.stringify(value)}`,
      );
    if (!out.includes(label)) out.push(label);
  }
  return out;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** True when `inner` is `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  const r = relative(outer, inner);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The input must be a folder; the output must be neither the input nor hold it, and must be
 * outside the input unless it is under its `derivatives/` folder (the BIDS place for them). */
function checkFolders(bidsDir: string, outputDir: string): void {
  if (!isDirectory(bidsDir))
    throw new MriError(
      'IO_ERROR',
      `${WHERE}: bids_dir must be a directory, got ${JSON.stringify(bidsDir)}`,
      {
        argument: 'bids_dir',
      },
    );
  const input = real(bidsDir);
  const output = real(outputDir);
  const inside = within(output, input) && !within(output, join(input, 'derivatives'));
  if (within(input, output) || inside) {
    invalidArgument(
      WHERE,
      'output_dir',
      'must be outside bids_dir or under its derivatives/ folder (inputs are never modified)',
      undefined,
      { got: JSON.stringify(outputDir) },
    );
  }
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string })
    .version;
}

/** An output folder is usable when it is new, empty (hidden files aside) or already ours. */
function checkOutputFolder(outputDir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(outputDir).filter((n) => !n.startsWith('.'));
  } catch {
    return;
  }
  if (entries.length > 0 && !entries.includes('dataset_description.json')) {
    throw new MriError(
      'IO_ERROR',
      `${WHERE}: output_dir must be new, empty or a duncan bids derivative dataset, got ${JSON.stringify(outputDir)} (it holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} and no dataset_description.json)`,
      { argument: 'output_dir' },
    );
  }
}

/** What happened to one image at the participant level. */
interface ImageOutcome {
  readonly source: string;
  readonly status: 'corrected' | 'skipped' | 'failed';
  readonly reason: string | null;
  readonly corrected: string | null;
  readonly artefactMap: string | null;
  readonly seconds: number;
  readonly meanAbsChange: number | null;
}

function describeError(error: unknown): string {
  if (isMriError(error)) return `${error.message} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}

/** `duncan bids`: parses the arguments, then runs the participant or the group level. */
export async function bidsCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, OPTIONS.bids);
  if (values.help) return 'help';
  const [bidsArg, outputArg, level] = positional(
    positionals,
    3,
    '<bids_dir> <output_dir> <participant|group>',
  );
  if (level !== 'participant' && level !== 'group')
    throw new UsageError(
      `the analysis level must be participant or group, got ${JSON.stringify(level)}`,
    );
  const participants = labels(values, 'participant-label', 'sub-');
  const sessions = labels(values, 'session-label', 'ses-');
  const suffixes = (values.suffix as string[] | undefined) ?? [...DEFAULT_SUFFIXES];
  for (const s of suffixes)
    if (!ANAT_SUFFIXES.includes(s))
      throw new UsageError(
        `--suffix must be anatomical (non-parametric) BIDS suffixes: ${ANAT_SUFFIXES.join(', ')}; got ${JSON.stringify(s)}`,
      );
  const axis = axisOption(values);
  // Mirror averaging (four forward passes per batch) unless --no-flips.
  const flips = values['no-flips'] !== true;
  // Each slice's correction soft-thresholded at k times its noise level (0: off).
  const shrinkage = shrinkageOption(values);
  const batchSize = intOption(values, 'batch-size', 8, 1, 4096)!;
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !(NODE_BACKENDS as readonly string[]).includes(backend))
    throw new UsageError(`--backend must be one of ${NODE_BACKENDS.join(', ')}, got ${backend}`);
  const ctx = createContext(values);
  const workers = workersOption(values, ctx.warn);
  const bidsDir = ctx.path(bidsArg!);
  const outputDir = ctx.path(outputArg!);
  checkFolders(bidsDir, outputDir);
  const filter = { participants, sessions, suffixes };
  if (level === 'group') return groupLevel(ctx, bidsDir, outputDir, filter);
  return participantLevel(ctx, bidsDir, outputDir, filter, {
    skipValidation: values['skip-bids-validation'] === true,
    overwrite: values.overwrite === true,
    model: values.model as string | undefined,
    settings: { axis, flips, shrinkage },
    workers,
    batchSize,
    backend: backend as NodeBackendName | undefined,
  });
}

interface Filter {
  readonly participants: string[] | undefined;
  readonly sessions: string[] | undefined;
  readonly suffixes: string[];
}

async function participantLevel(
  ctx: Context,
  bidsDir: string,
  outputDir: string,
  filter: Filter,
  options: {
    skipValidation: boolean;
    overwrite: boolean;
    model: string | undefined;
    settings: CorrectionSettings;
    workers: number | undefined;
    batchSize: number;
    backend: NodeBackendName | undefined;
  },
): Promise<number> {
  const started = performance.now();
  const skip = options.skipValidation;
  const description = readDatasetDescription(bidsDir);
  if (description.problem !== undefined) {
    if (!skip)
      invalidArgument(
        WHERE,
        'bids_dir',
        'must be a BIDS dataset (pass --skip-bids-validation to run anyway)',
        undefined,
        { got: `${JSON.stringify(bidsDir)}: ${description.problem}` },
      );
    ctx.warn(`warning: ${description.problem} (--skip-bids-validation)`);
  }
  const scan = findAnatImages(bidsDir, filter);
  if (scan.problems.length > 0) {
    const list = scan.problems.slice(0, 10).join('\n  ');
    const more = scan.problems.length > 10 ? `\n  ... and ${scan.problems.length - 10} more` : '';
    if (!skip)
      invalidArgument(
        WHERE,
        'bids_dir',
        'must name its images as BIDS does (pass --skip-bids-validation to pass over these files)',
        undefined,
        {
          got: `${scan.problems.length} that do${scan.problems.length === 1 ? 'es' : ''} not:\n  ${list}${more}`,
        },
      );
    ctx.warn(`warning: passed over (not BIDS names, --skip-bids-validation):\n  ${list}${more}`);
  }
  if (scan.images.length === 0) {
    invalidArgument(WHERE, 'bids_dir', 'must have images to correct', undefined, {
      got: `none in anat/ with suffix ${filter.suffixes.join(', ')}${filter.participants === undefined ? '' : ` for ${filter.participants.map((p) => `sub-${p}`).join(', ')}`}${filter.sessions === undefined ? '' : ` in ${filter.sessions.map((s) => `ses-${s}`).join(', ')}`}`,
    });
  }

  const checkpoint = readCheckpoint(
    options.model === undefined ? undefined : ctx.path(options.model),
  );
  const model = modelIdentity(
    checkpoint,
    options.model === undefined ? 'bundled default model' : basename(ctx.path(options.model)),
  );
  checkOutputFolder(outputDir);
  // Nested under the dataset's derivatives/ folder, the link moves with it ("../.."); anywhere
  // else it is the dataset's absolute file: URL, as it was found.
  const nested = [
    [outputDir, bidsDir],
    [real(outputDir), real(bidsDir)],
  ].find(([o, b]) => within(o!, b!));
  const sourceLink =
    nested === undefined
      ? pathToFileURL(bidsDir).href
      : relative(nested[0]!, nested[1]!).split(sep).join('/');
  ensureDerivativeDescription(
    outputDir,
    derivativeDescription({
      sourceName: description.description?.Name ?? basename(bidsDir),
      sourceDoi:
        typeof description.description?.DatasetDOI === 'string'
          ? description.description.DatasetDOI
          : undefined,
      sourceLink,
      version: packageVersion(),
      model,
    }),
    options.overwrite,
  );

  const outcomes: ImageOutcome[] = [];
  let corrector: NodeCorrector | undefined;
  let correctorError: unknown;
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const logPath = join(outputDir, 'logs', `participant-${stamp}-${process.pid}.tsv`);
  try {
    for (const [index, image] of scan.images.entries()) {
      const outcome = await processImage(image, {
        ctx,
        outputDir,
        model,
        settings: options.settings,
        overwrite: options.overwrite,
        corrector: async (slices) => {
          if (corrector === undefined) {
            try {
              corrector = await createCorrector({
                model: checkpoint,
                // Each worker holds a backend and a model copy: no more than the first image
                // corrected has slices (unless --workers says how many).
                workers: options.workers ?? Math.min(availableParallelism(), slices),
                batchSize: options.batchSize,
                ...(options.backend === undefined ? {} : { backend: options.backend }),
              });
            } catch (error) {
              // No corrector, no correction: a failure of the run, not of one image.
              correctorError = error;
              throw error;
            }
            const w = corrector.workers;
            ctx.note(
              `backend: ${corrector.backend.description}; ${w > 0 ? `${w} worker thread${w === 1 ? '' : 's'}` : 'main thread'}`,
            );
          }
          return corrector;
        },
      });
      if (correctorError !== undefined) throw correctorError;
      outcomes.push(outcome);
      const head = `[${index + 1}/${scan.images.length}] ${image.relativePath}:`;
      if (outcome.status === 'failed') ctx.note(`${head} FAILED: ${outcome.reason}`);
      else if (outcome.status === 'skipped') ctx.note(`${head} skipped (${outcome.reason})`);
      else
        ctx.note(
          `${head} corrected in ${outcome.seconds.toFixed(1)} s${outcome.meanAbsChange === null ? '' : `, mean |change| ${(100 * outcome.meanAbsChange).toFixed(2)} % of the robust range`}`,
        );
    }
  } finally {
    await corrector?.close();
    const columns = ['source', 'status', 'reason', 'corrected', 'artefact_map', 'seconds'] as const;
    const cell = (v: string | null) => (v === null ? 'n/a' : v.replace(/[\t\n\r]+/g, ' '));
    const rows = outcomes.map((o) =>
      [o.source, o.status, o.reason, o.corrected, o.artefactMap, o.seconds.toFixed(3)]
        .map(cell)
        .join('\t'),
    );
    writeFileAtomic(logPath, `${[columns.join('\t'), ...rows].join('\n')}\n`, false);
  }
  const count = (s: ImageOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const failed = count('failed');
  const seconds = (performance.now() - started) / 1000;
  if (ctx.json) {
    ctx.out(
      toJson({
        command: 'bids',
        level: 'participant',
        bidsDir,
        outputDir,
        model: model,
        axis: ['x', 'y', 'z'][options.settings.axis],
        flips: options.settings.flips,
        shrinkage: options.settings.shrinkage,
        images: outcomes,
        corrected: count('corrected'),
        skipped: count('skipped'),
        failed,
        log: logPath,
        seconds: Math.round(seconds * 1000) / 1000,
      }),
    );
  } else {
    ctx.out(
      `${count('corrected')} corrected, ${count('skipped')} skipped (already done), ${failed} failed in ${seconds.toFixed(1)} s -> ${outputDir} (log: ${relative(outputDir, logPath)})`,
    );
    for (const o of outcomes.filter((x) => x.status === 'failed'))
      ctx.out(`failed: ${o.source}: ${o.reason}`);
  }
  return failed > 0 ? 1 : 0;
}

async function processImage(
  image: BidsImage,
  job: {
    ctx: Context;
    outputDir: string;
    model: ModelIdentity;
    settings: CorrectionSettings;
    overwrite: boolean;
    corrector: (slices: number) => Promise<NodeCorrector>;
  },
): Promise<ImageOutcome> {
  const started = performance.now();
  const files = derivativeFiles(job.outputDir, image);
  const outcome = (
    status: ImageOutcome['status'],
    reason: string | null,
    meanAbsChange: number | null = null,
  ): ImageOutcome => ({
    source: image.relativePath,
    status,
    reason,
    corrected: status === 'failed' ? null : files.correctedRelative,
    artefactMap: status === 'failed' ? null : files.artefactRelative,
    seconds: (performance.now() - started) / 1000,
    meanAbsChange,
  });
  try {
    const state = derivativeState(files, image.path, job.model, job.settings);
    if (state.state === 'done' && !job.overwrite)
      return outcome('skipped', 'done: same source, model and settings');
    if (state.state === 'stale' && !job.overwrite)
      return outcome(
        'failed',
        `its outputs exist but ${state.reason}; pass --overwrite to replace them`,
      );
    const source = sourceFileRecord(image.path);
    const input = await readVolumeFile(image.path);
    if (input.nifti !== undefined && input.nifti.frames > 1)
      return outcome(
        'failed',
        `the image has ${input.nifti.frames} frames; duncan bids corrects 3-D anatomical images only`,
      );
    const corrector = await job.corrector(input.volume.shape[job.settings.axis]);
    const bar = job.ctx.progress(image.relativePath, input.volume.shape[job.settings.axis]);
    const result = await correctVolumeFile(corrector, input, {
      axis: job.settings.axis,
      flips: job.settings.flips,
      shrinkage: job.settings.shrinkage,
      onProgress: ({ done, total }) => bar.update(done, 'slices', total),
    });
    bar.finish();
    const measures = changeMeasures(input.volume, result.corrected, result.artefactMap);
    const sidecars = derivativeSidecars({
      image,
      files,
      model: job.model,
      settings: job.settings,
      source,
      nonFinite: result.nonFinite,
      measures,
    });
    const stage = stagingFolder(files);
    const staged = (target: string) => join(stage, basename(target));
    try {
      await writeCorrectedVolumeFile(
        input,
        result,
        { output: staged(files.corrected), artefactMap: staged(files.artefactMap) },
        false,
      );
      writeFileAtomic(
        staged(files.artefactSidecar),
        `${JSON.stringify(sidecars.artefactMap, null, 2)}\n`,
        false,
      );
      writeFileAtomic(
        staged(files.correctedSidecar),
        `${JSON.stringify(sidecars.corrected, null, 2)}\n`,
        false,
      );
    } catch (error) {
      rmSync(stage, { recursive: true, force: true });
      throw error;
    }
    commitStaged(
      stage,
      [files.artefactMap, files.artefactSidecar, files.corrected, files.correctedSidecar],
      job.overwrite,
    );
    return outcome('corrected', null, measures.meanAbsChange);
  } catch (error) {
    return outcome('failed', describeError(error));
  }
}

async function groupLevel(
  ctx: Context,
  bidsDir: string,
  outputDir: string,
  filter: Filter,
): Promise<number> {
  const description = readDatasetDescription(outputDir);
  const generatedBy = description.description?.GeneratedBy;
  const ours =
    description.description?.DatasetType === 'derivative' &&
    Array.isArray(generatedBy) &&
    (generatedBy[0] as { Name?: unknown } | undefined)?.Name === 'duncan-mri';
  if (!ours)
    throw new MriError(
      'IO_ERROR',
      `${WHERE}: output_dir must hold the results of the participant level (a duncan-mri derivative dataset; run it first), got ${JSON.stringify(outputDir)}${description.problem === undefined ? '' : `: ${description.problem}`}`,
      { argument: 'output_dir' },
    );
  const rows = groupRows(outputDir, filter).filter((r) => filter.suffixes.includes(r.suffix));
  if (rows.length === 0)
    throw new MriError(
      'IO_ERROR',
      `${WHERE}: output_dir must hold corrected images for the group level (run the participant level first), got none in ${JSON.stringify(outputDir)}${filter.participants === undefined ? '' : ` for ${filter.participants.map((p) => `sub-${p}`).join(', ')}`}`,
      { argument: 'output_dir' },
    );
  // Images of the dataset that have no derivative yet (not run, or failed): said, not fatal.
  let missing: string[] = [];
  try {
    const scan = findAnatImages(bidsDir, filter);
    const done = new Set(rows.map((r) => r.source));
    missing = scan.images.map((i) => i.relativePath).filter((p) => !done.has(`bids:raw:${p}`));
  } catch (error) {
    if (!isMriError(error)) throw error;
    ctx.warn(`warning: could not list the source images: ${error.message}`);
  }
  if (missing.length > 0)
    ctx.note(
      `warning: ${missing.length} image${missing.length === 1 ? '' : 's'} of bids_dir ha${missing.length === 1 ? 's' : 've'} no derivative yet (not run, or failed): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`,
    );
  const written = await writeGroupSummary(outputDir, rows);
  if (ctx.json) {
    ctx.out(
      toJson({
        command: 'bids',
        level: 'group',
        outputDir,
        summary: written.tsv,
        columns: written.json,
        figure: written.png,
        figureSvg: written.svg,
        readme: written.readme,
        figureGroups: written.suffixes,
        missing,
        rows,
      }),
    );
  } else {
    const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(2)} %`);
    const lines = [
      `${rows.length} image${rows.length === 1 ? '' : 's'} -> ${relative(outputDir, written.tsv)}, ${relative(outputDir, written.png)} (groups left to right: ${written.suffixes.join(', ')})`,
      'changed most (mean |corrected - source| in the head, % of the robust range):',
      ...rows
        .slice(0, 10)
        .map(
          (r) =>
            `  ${String(r.change_rank ?? '-').padStart(3)}  ${pct(r.mean_abs_change).padStart(8)}  ${r.corrected}`,
        ),
    ];
    ctx.out(lines.join('\n'));
  }
  return 0;
}
