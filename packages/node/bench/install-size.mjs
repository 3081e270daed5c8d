// What `npm install @duncan-mri/node` costs a user, measured from the tarballs a release would
// publish, and whether that install corrects the bundled sample:
//
//   npm run bench:install -w @duncan-mri/node [-- --offline] [-- --keep] [-- --max-mb 100]
//
// 1. `npm pack`s @duncan-mri/node and every @duncan-mri package it depends on (read from its
//    package.json) into a temporary folder (after `turbo run build`: the tarballs hold dist/).
// 2. `npm install`s those tarballs into an empty scratch project outside the repository, with
//    `--prefer-offline` (the npm cache first, the registry only for what it lacks; `--offline`
//    forbids the registry), as a user installing from the registry would get them.
// 3. Prints the size of node_modules (the sum of its files' sizes) and its largest packages, and
//    fails when it exceeds --max-mb (default 100) or holds the `@tensorflow/tfjs` bundle, which
//    this package does not need.
// 4. Runs the installed `duncan correct` on the installed sample (default model, default
//    backend) and fails unless it writes the corrected volume; then the installed `duncan demo`,
//    which fails unless the figures' plotting stack (Vega, resvg) and font (dist/fonts/) came
//    with the install, and checks that it wrote its panel as a PNG.
// `npm test` runs it (`test:install`): it takes about 35 s here.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, option } from '../../../scripts/command-line.mjs';
import { REPOSITORY } from '../../../scripts/data-cache.mjs';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const maxMb = Number(option('max-mb', 100));
if (!(maxMb > 0)) throw new Error(`--max-mb must be a positive number, got ${option('max-mb')}`);

// `npm run -w` passes its workspace selection down as npm_config_* variables; the scratch
// install must not inherit them.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^npm_config_(workspaces?|include_workspace_root|prefix|global|save)$/i.test(key),
  ),
);

function run(command, commandArgs, cwd) {
  const started = performance.now();
  const r = spawnSync(command, commandArgs, { cwd, env, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) {
    throw new Error(
      `${command} ${commandArgs.join(' ')} failed (exit ${r.status ?? r.signal}) in ${cwd}:\n${r.stderr}${r.stdout}`,
    );
  }
  return { stdout: r.stdout, stderr: r.stderr, seconds };
}

/** The sum of the sizes of the files under `dir` (links counted as themselves). */
function sizeOf(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(path) : lstatSync(path).size;
  }
  return total;
}

/** Each installed package (`name` or `@scope/name`) under node_modules with its size. */
function packageSizes(nodeModules) {
  const sizes = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin') continue;
    const path = join(nodeModules, entry.name);
    if (entry.name.startsWith('@')) {
      for (const inner of readdirSync(path, { withFileTypes: true })) {
        if (inner.isDirectory()) {
          sizes.push({
            name: `${entry.name}/${inner.name}`,
            bytes: sizeOf(join(path, inner.name)),
          });
        }
      }
    } else {
      sizes.push({ name: entry.name, bytes: sizeOf(path) });
    }
  }
  return sizes.sort((a, b) => b.bytes - a.bytes);
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);

const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
const workspaces = [
  manifest.name,
  ...Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@duncan-mri/')),
];
const scratch = mkdtempSync(join(tmpdir(), 'duncan-install-size-'));
let failed = false;
try {
  const tarballs = join(scratch, 'tarballs');
  mkdirSync(tarballs);
  const packed = run(
    'npm',
    ['pack', '--json', '--pack-destination', tarballs, ...workspaces.flatMap((w) => ['-w', w])],
    REPOSITORY,
  );
  const files = JSON.parse(packed.stdout).map((p) => join(tarballs, p.filename));
  if (files.length !== workspaces.length) {
    throw new Error(`npm pack made ${files.length} tarballs for ${workspaces.length} packages`);
  }

  const project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'duncan-install-size', private: true, type: 'module' }, null, 2)}\n`,
  );
  const installed = run(
    'npm',
    [
      'install',
      flag('offline') ? '--offline' : '--prefer-offline',
      '--no-audit',
      '--no-fund',
      ...files,
    ],
    project,
  );
  const nodeModules = join(project, 'node_modules');
  const total = sizeOf(nodeModules);
  const packages = packageSizes(nodeModules);
  const tensorflow = packages
    .filter((p) => p.name.startsWith('@tensorflow/'))
    .reduce((sum, p) => sum + p.bytes, 0);
  console.log(
    `npm install of ${workspaces.length} tarballs (${workspaces.join(', ')}): ${installed.seconds.toFixed(1)} s`,
  );
  console.log(
    `node_modules: ${mb(total)} MB in ${packages.length} packages (limit ${maxMb} MB); @tensorflow/*: ${mb(tensorflow)} MB`,
  );
  for (const p of packages.slice(0, 8)) console.log(`  ${mb(p.bytes).padStart(6)} MB  ${p.name}`);
  if (total > maxMb * 1e6) {
    console.error(`FAIL: node_modules is ${mb(total)} MB, over the ${maxMb} MB limit`);
    failed = true;
  }
  if (existsSync(join(nodeModules, '@tensorflow', 'tfjs'))) {
    console.error(
      'FAIL: the @tensorflow/tfjs bundle was installed; @duncan-mri/node needs only tfjs-core',
    );
    failed = true;
  }

  const output = join(project, 'corrected.nii.gz');
  const sample = join(nodeModules, '@duncan-mri', 'node', 'sample', 'ge-pd-4-slices.nii.gz');
  const corrected = run(
    join(nodeModules, '.bin', 'duncan'),
    ['correct', sample, '-o', output],
    project,
  );
  if (!existsSync(output) || lstatSync(output).size === 0) {
    console.error(`FAIL: duncan correct wrote no ${output}`);
    failed = true;
  }
  const backend = corrected.stderr.split('\n').find((line) => line.startsWith('backend:'));
  console.log(
    `duncan correct (installed) on the bundled sample: ${corrected.seconds.toFixed(1)} s, ${backend ?? 'backend not reported'}, wrote ${lstatSync(output).size} bytes`,
  );

  const demo = join(project, 'demo');
  const shown = run(
    join(nodeModules, '.bin', 'duncan'),
    ['demo', '--out', demo, '--json'],
    project,
  );
  const panel = join(demo, 'panel.png');
  const png = existsSync(panel) ? readFileSync(panel) : Buffer.alloc(0);
  if (png.subarray(1, 4).toString() !== 'PNG' || png.length < 10_000) {
    console.error(`FAIL: duncan demo wrote no panel (${panel})`);
    failed = true;
  } else {
    console.log(
      `duncan demo (installed): ${shown.seconds.toFixed(1)} s, panel.png ${png.readUInt32BE(16)}x${png.readUInt32BE(20)} (Vega and resvg from the install)`,
    );
  }
} finally {
  if (flag('keep')) console.log(`kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
