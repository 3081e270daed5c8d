// Regenerates docs/demo-panel.png, the root README's figure: runs the built `duncan demo` (the
// T1 sample, moderate motion, seed 42) with the default model, @duncan-mri/model (or --model <dir>) into a
// temporary folder, copies its panel.png to docs/demo-panel.png and prints the demo's table.
// From the repository root, after the default model changes:
//   npm run demo:figure                       (builds @duncan-mri/node first)
// or, from packages/node after a build:
//   node scripts/make-demo-figure.mjs [--model <dir>]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const cli = join(HERE, '../dist/cli.js');
const figure = join(HERE, '../docs/demo-panel.png');
const args = process.argv.slice(2);
const at = args.indexOf('--model');
const model = at >= 0 ? ['--model', resolve(process.env.INIT_CWD ?? '.', args[at + 1])] : [];
const out = mkdtempSync(join(tmpdir(), 'duncan-demo-figure-'));
try {
  const run = spawnSync(process.execPath, [cli, 'demo', '--out', out, '--workers', '1', ...model], {
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error(`duncan demo exited with ${run.status}`);
  copyFileSync(join(out, 'panel.png'), figure);
  console.log(`\nwrote ${figure} (the files listed above were in a temporary folder, now removed)`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
