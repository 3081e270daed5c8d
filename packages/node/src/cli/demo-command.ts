import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { compareImages, headMask, type SliceMetrics, sliceScores } from '@duncan-mri/metrics';
import { type RecipeStep, simulateSlices } from '@duncan-mri/simulate';
import { createRng, intensityRange, type Volume, withData } from '@duncan-mri/volume';
import { createCorrector } from '../create-corrector.js';
import { captionNumber, renderImagePanel, sliceOf } from '../internal/figures/image-panel.js';
import { DEMO_SAMPLE_FILE, packageFile } from '../internal/package-paths.js';
import { readVolumeFile } from '../read-volume-file.js';
import { writeVolumeFile } from '../write-volume-file.js';
import { intOption, parseCommand, positional, workersOption } from './args.js';
import { createContext, formatMetric, toJson } from './context.js';
import { writeFileAtomic } from './files.js';
import { OPTIONS } from './help.js';

/** The corruption of the demo: moderate simulated motion, each slice in 2-D. */
export const DEMO_RECIPE: readonly RecipeStep[] = [{ artefact: 'motion', severity: 'moderate' }];

/** One row of the demo's table: a metric of corrupted and corrected against the clean image. */
export interface DemoRow {
  readonly metric: string;
  /** `head` (inside `headMask` of the clean image) or `whole` (the whole image). */
  readonly region: 'head' | 'whole';
  /** Which direction is better. */
  readonly better: 'higher' | 'lower';
  readonly unit: string | null;
  readonly corrupted: number | null;
  readonly corrected: number | null;
  /** corrected - corrupted (positive is better when `better` is 'higher'). */
  readonly delta: number | null;
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Mean over slices of each of SSIM, PSNR and NRMSE. */
function meanMetrics(scores: readonly SliceMetrics[]): SliceMetrics {
  return {
    ssim: mean(scores.map((s) => s.ssim)),
    psnr: mean(scores.map((s) => s.psnr)),
    nrmse: mean(scores.map((s) => s.nrmse)),
  };
}

/** The Δ cell: signed corrected - corrupted and whether that is better, worse or the same. */
function formatDelta(row: DemoRow, digits: number): string {
  const d = row.delta;
  if (d === null || Number.isNaN(d)) return 'n/a';
  if (!Number.isFinite(d)) return d > 0 ? '+inf' : '-inf';
  const text = `${d >= 0 ? '+' : ''}${d.toFixed(digits)}`;
  if (Number(d.toFixed(digits)) === 0) return `${text} (same)`;
  const better = row.better === 'higher' ? d > 0 : d < 0;
  return `${text} (${better ? 'better' : 'worse'})`;
}

/** Replaces NaN and infinite voxels by 0 (they cannot be corrupted or scored); counts them. */
function finiteOnly(volume: Volume): { volume: Volume; replaced: number } {
  let replaced = 0;
  for (const v of volume.data) if (!Number.isFinite(v)) replaced++;
  if (replaced === 0) return { volume, replaced };
  return {
    volume: withData(
      volume,
      Float32Array.from(volume.data, (v) => (Number.isFinite(v) ? v : 0)),
    ),
    replaced,
  };
}

export async function demoCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, OPTIONS.demo);
  if (values.help) return 'help';
  positional(positionals, 0, '');
  const ctx = createContext(values);
  const out = ctx.path((values.out as string | undefined) ?? 'demo-output');
  const seed = intOption(values, 'seed', 42, 0)!;
  const workers = workersOption(values, ctx.warn);
  const model = values.model as string | undefined;
  const inputArg = values.input as string | undefined;

  const sample = await readVolumeFile(
    inputArg === undefined ? packageFile(DEMO_SAMPLE_FILE) : ctx.path(inputArg),
  );
  for (const w of sample.warnings) ctx.warn(`warning: ${w}`);
  if (sample.nifti !== undefined && sample.nifti.frames > 1)
    ctx.note(`note: the input has ${sample.nifti.frames} frames; the demo uses frame 1`);
  const finite = finiteOnly(sample.volume);
  if (finite.replaced > 0)
    ctx.note(`note: ${finite.replaced} non-finite voxels of the input are set to 0`);
  const clean = finite.volume;
  // Each z slice is corrupted in 2-D with its own geometry (voxel sizes and thickness), at full
  // resolution, as the default model's training and evaluation data are; a 3-D input is
  // corrupted, corrected and scored slice by slice, all of them.
  const [nx, ny, nz] = clean.shape;
  const { volume: corrupted, applied } = simulateSlices(clean, DEMO_RECIPE, createRng(seed), {
    axis: 2,
  });
  const corrector = await createCorrector({
    ...(model === undefined ? {} : { model: ctx.path(model) }),
    // No more workers than slices: an idle worker would only hold a model copy.
    workers: Math.min(workers ?? availableParallelism(), nz),
  });
  let result: Awaited<ReturnType<typeof corrector.correct>>;
  try {
    ctx.note(
      `backend: ${corrector.backend.description}; ${Math.min(corrector.workers, nz) || 'no'} worker thread(s)`,
    );
    const bar = ctx.progress('correct', nz);
    result = await corrector.correct(corrupted, {
      onProgress: ({ done }) => bar.update(done, 'slices'),
    });
    bar.finish();
  } finally {
    await corrector.close();
  }
  const { corrected, artefactMap } = result;

  const dataRange = intensityRange(clean).range;
  const mask = headMask(clean);
  let headVoxels = 0;
  for (const m of mask) headVoxels += m;
  const before = sliceScores(clean, corrupted, { dataRange, mask });
  const after = sliceScores(clean, corrected, { dataRange, mask });
  const options = { dataRange, slicewise: true };
  const wholeBefore = compareImages(clean, corrupted, options);
  const wholeAfter = compareImages(clean, corrected, options);
  const headBefore = meanMetrics(before.map((s) => s.inMask));
  const headAfter = meanMetrics(after.map((s) => s.inMask));
  const allBefore = meanMetrics(before.map((s) => s.whole));
  const allAfter = meanMetrics(after.map((s) => s.whole));
  const row = (
    metric: string,
    region: DemoRow['region'],
    better: DemoRow['better'],
    unit: string | null,
    a: number | null,
    b: number | null,
  ): DemoRow => ({
    metric,
    region,
    better,
    unit,
    corrupted: a,
    corrected: b,
    delta: a === null || b === null ? null : b - a,
  });
  const table: DemoRow[] = [
    row('SSIM', 'head', 'higher', null, headBefore.ssim, headAfter.ssim),
    row('PSNR', 'head', 'higher', 'dB', headBefore.psnr, headAfter.psnr),
    row('NRMSE', 'head', 'lower', null, headBefore.nrmse, headAfter.nrmse),
    row('SSIM', 'whole', 'higher', null, allBefore.ssim, allAfter.ssim),
    row('PSNR', 'whole', 'higher', 'dB', allBefore.psnr, allAfter.psnr),
    row('NRMSE', 'whole', 'lower', null, allBefore.nrmse, allAfter.nrmse),
    row('MS-SSIM', 'whole', 'higher', null, wholeBefore.msssim, wholeAfter.msssim),
    row('VIF', 'whole', 'higher', null, wholeBefore.vif, wholeAfter.vif),
    row('UQI', 'whole', 'higher', null, wholeBefore.uqi, wholeAfter.uqi),
  ];

  const protect = [sample.path, ...sample.files];
  const files: Record<string, string> = {};
  for (const [name, volume] of [
    ['clean', clean],
    ['corrupted', corrupted],
    ['corrected', corrected],
    ['artefact-map', artefactMap],
  ] as const) {
    const written = await writeVolumeFile(join(out, `${name}.nii.gz`), volume, {
      source: sample,
      overwrite: true,
      protect,
    });
    files[name] = written.path;
  }

  // The panel: the middle slice; both error maps on one scale, the 99.5th percentile of the
  // corrupted image's error in that slice (brighter voxels saturate).
  const z = Math.floor(nz / 2);
  const cleanSlice = sliceOf(clean, 2, z);
  const corruptedSlice = sliceOf(corrupted, 2, z);
  const correctedSlice = sliceOf(corrected, 2, z);
  const errorOf = (test: typeof cleanSlice) => ({
    ...test,
    data: Float32Array.from(test.data, (v, i) => Math.abs(v - cleanSlice.data[i]!)),
  });
  const errorBefore = errorOf(corruptedSlice);
  const errorAfter = errorOf(correctedSlice);
  const sorted = Float32Array.from(errorBefore.data).sort();
  const errorMax = sorted[Math.min(sorted.length - 1, Math.floor(0.995 * sorted.length))]! || 1;
  const inHeadSsim = (scores: typeof before) =>
    scores.find((s) => s.z === z)?.inMask.ssim ?? Number.NaN;
  const ssimCaption = (scores: typeof before) => {
    const v = inHeadSsim(scores);
    return Number.isFinite(v) ? `SSIM (head) ${v.toFixed(3)}` : 'no head in slice';
  };
  const { png } = await renderImagePanel(
    [
      { image: cleanSlice, kind: 'image', title: 'clean', subtitle: 'reference' },
      {
        image: corruptedSlice,
        kind: 'image',
        title: 'corrupted (motion)',
        subtitle: ssimCaption(before),
      },
      { image: correctedSlice, kind: 'image', title: 'corrected', subtitle: ssimCaption(after) },
      {
        image: errorBefore,
        kind: 'error',
        title: '|error| before',
        subtitle: '|corrupted−clean|',
      },
      {
        image: errorAfter,
        kind: 'error',
        title: '|error| after',
        subtitle: '|corrected−clean|',
      },
    ],
    {
      title: `duncan demo: ${basename(sample.path)}, moderate motion, corrected`,
      subtitle: [
        `${nx}×${ny}${nz > 1 ? ` slice ${z + 1} of ${nz}` : ''} at full resolution; motion simulated with seed ${seed}; SSIM in the head against the clean image`,
      ],
      errorMax,
      legendTitles: {
        image: 'intensity (a.u.; window of the clean image)',
        error: `|error| (a.u.; one scale for both maps, white at ${captionNumber(errorMax)} and above)`,
      },
    },
  );
  files.panel = join(out, 'panel.png');
  writeFileAtomic(files.panel, png, true);

  const report = {
    command: 'demo',
    sample: sample.path,
    shape: clean.shape,
    seed,
    recipe: DEMO_RECIPE,
    applied,
    model: model === undefined ? 'bundled' : ctx.path(model),
    dataRange,
    headVoxels,
    slicesScored: before.length,
    panel: { slice: z, errorMax },
    table,
    corrupted: { inHead: headBefore, whole: { ...allBefore, ...pick(wholeBefore) } },
    corrected: { inHead: headAfter, whole: { ...allAfter, ...pick(wholeAfter) } },
    files,
  };
  files.metrics = join(out, 'metrics.json');
  writeFileAtomic(files.metrics, `${toJson(report)}\n`, true);
  if (ctx.json) {
    ctx.out(toJson(report));
    return 0;
  }
  const label = (r: DemoRow) =>
    `${r.metric} ${r.region === 'head' ? 'in head' : 'whole image'} ${r.better === 'higher' ? '↑' : '↓'}${r.unit === null ? '' : ` ${r.unit}`}`;
  const digits = (r: DemoRow) => (r.unit === 'dB' ? 2 : 4);
  const slices = nz > 1 ? `, mean of ${before.length} slices` : '';
  ctx.out(
    [
      `duncan demo: ${basename(sample.path)} (${clean.shape.join('x')}) corrupted slice by slice with moderate motion, seed ${seed}; corrected with ${model === undefined ? 'the bundled model' : ctx.path(model)}`,
      `scored against the clean image (data range ${captionNumber(dataRange)}; in head: ${headVoxels} voxels of headMask(clean)${slices}; ↑ higher is better, ↓ lower is better):`,
      '',
      '| metric | corrupted | corrected | Δ (corrected − corrupted) |',
      '| --- | --- | --- | --- |',
      ...table.map(
        (r) =>
          `| ${label(r)} | ${formatMetric(r.corrupted, digits(r))} | ${formatMetric(r.corrected, digits(r))} | ${formatDelta(r, digits(r))} |`,
      ),
      '',
      `wrote ${Object.values(files).join(', ')}`,
    ].join('\n'),
  );
  return 0;
}

function pick(c: ReturnType<typeof compareImages>) {
  return { msssim: c.msssim, vif: c.vif, uqi: c.uqi };
}
