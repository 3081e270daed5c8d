import { join } from 'node:path';
import { compareImages, type ImageComparison } from '@duncan-mri/metrics';
import { type RecipeStep, simulate } from '@duncan-mri/simulate';
import { createRng, createVolume, withData } from '@duncan-mri/volume';
import { createCorrector } from '../create-corrector.js';
import { packageFile, SAMPLE_FILE } from '../internal/package-paths.js';
import { renderPanel, sliceOf } from '../internal/panel.js';
import { readVolumeFile } from '../read-volume-file.js';
import { writeVolumeFile } from '../write-volume-file.js';
import { intOption, parseCommand, positional } from './args.js';
import { createContext, formatMetric, toJson } from './context.js';
import { writeFileAtomic } from './files.js';

/** The corruption of the demo: what the default model was trained to remove. */
export const DEMO_RECIPE: readonly RecipeStep[] = [
  { artefact: 'motion', severity: 'moderate' },
  { artefact: 'ghosting', severity: 'moderate' },
  { artefact: 'noise', severity: 'mild' },
];

export async function demoCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, {
    out: { type: 'string' },
    model: { type: 'string' },
    seed: { type: 'string' },
    workers: { type: 'string' },
    json: { type: 'boolean' },
    progress: { type: 'boolean' },
  });
  if (values.help) return 'help';
  positional(positionals, 0, '');
  const ctx = createContext(values);
  const out = ctx.path((values.out as string | undefined) ?? 'demo-output');
  const seed = intOption(values, 'seed', 42, 0)!;
  const workers = intOption(values, 'workers', undefined, 0, 256);
  const model = values.model as string | undefined;

  const sample = await readVolumeFile(packageFile(SAMPLE_FILE));
  const clean = sample.volume;
  // Each slice is corrupted in 2-D (as the default model's training and evaluation data are).
  const [nx, ny, nz] = clean.shape;
  const rng = createRng(seed);
  const data = new Float32Array(clean.data.length);
  const applied = [];
  for (let z = 0; z < nz; z++) {
    const slice = createVolume({
      data: clean.data.subarray(nx * ny * z, nx * ny * (z + 1)),
      shape: [nx, ny],
    });
    const result = simulate(slice, DEMO_RECIPE, rng);
    data.set(result.volume.data, nx * ny * z);
    applied.push(result.applied);
  }
  const corrupted = withData(clean, data);
  const corrector = await createCorrector({
    ...(model === undefined ? {} : { model: ctx.path(model) }),
    ...(workers === undefined ? {} : { workers }),
  });
  let result: Awaited<ReturnType<typeof corrector.correct>>;
  try {
    ctx.note(
      `backend: ${corrector.backend.description}; ${Math.min(corrector.workers, clean.shape[2]) || 'no'} worker thread(s)`,
    );
    const bar = ctx.progress('correct', clean.shape[2]);
    result = await corrector.correct(corrupted, {
      onProgress: ({ done }) => bar.update(done, 'slices'),
    });
    bar.finish();
  } finally {
    await corrector.close();
  }
  const { corrected, artefactMap } = result;
  const protect = [sample.path];
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
  const z = Math.floor(clean.shape[2] / 2);
  const png = renderPanel([
    sliceOf(clean, 2, z),
    sliceOf(corrupted, 2, z),
    sliceOf(corrected, 2, z),
    { ...sliceOf(artefactMap, 2, z), signed: true },
  ]);
  files.panel = join(out, 'panel.png');
  writeFileAtomic(files.panel, png, true);

  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of clean.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const dataRange = hi - lo;
  const options = { dataRange, slicewise: true };
  const before: ImageComparison = compareImages(clean, corrupted, options);
  const after: ImageComparison = compareImages(clean, corrected, options);
  const report = {
    command: 'demo',
    sample: sample.path,
    shape: clean.shape,
    seed,
    recipe: DEMO_RECIPE,
    applied,
    model: model === undefined ? 'bundled' : ctx.path(model),
    dataRange,
    corrupted: before,
    corrected: after,
    files,
  };
  files.metrics = join(out, 'metrics.json');
  writeFileAtomic(files.metrics, `${toJson(report)}\n`, true);
  if (ctx.json) {
    ctx.out(toJson(report));
    return 0;
  }
  const rows: [string, keyof ImageComparison, number][] = [
    ['SSIM', 'ssim', 4],
    ['MS-SSIM', 'msssim', 4],
    ['VIF', 'vif', 4],
    ['UQI', 'uqi', 4],
    ['PSNR (dB)', 'psnr', 2],
  ];
  ctx.out(
    [
      `duncan demo: ${clean.shape.join('x')} sample corrupted slice by slice with ${DEMO_RECIPE.map((s) => `${s.artefact} (${s.severity})`).join(', ')}, seed ${seed}`,
      `metrics against the clean sample (data range ${dataRange}, SSIM slice-wise):`,
      '',
      '| metric | corrupted | corrected |',
      '| --- | --- | --- |',
      ...rows.map(
        ([label, key, digits]) =>
          `| ${label} | ${formatMetric(before[key], digits)} | ${formatMetric(after[key], digits)} |`,
      ),
      '',
      `wrote ${Object.values(files).join(', ')}`,
    ].join('\n'),
  );
  return 0;
}
