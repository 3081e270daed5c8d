// Build step of the demo: puts a model in public/model/ (served as /model/ next to the page).
// The trained default model, @duncan-mri/model (packages/model/, resolved as an installed
// package would be), when its files exist, else an untrained model made here with a fixed seed,
// labelled as such in the page.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const demo = join(here, '..');
const out = join(demo, 'public/model');
const trained = dirname(createRequire(import.meta.url).resolve('@duncan-mri/model/package.json'));
const files = ['manifest.json', 'weights.bin'];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let info;
if (files.every((f) => existsSync(join(trained, f)))) {
  for (const f of files) copyFileSync(join(trained, f), join(out, f));
  info = {
    untrained: false,
    label: 'default model (@duncan-mri/model)',
    source: 'packages/model/',
  };
} else {
  execFileSync(
    process.execPath,
    [
      '--import',
      join(here, 'register-tfjs-resolve.mjs'),
      join(here, 'make-untrained-model.mjs'),
      out,
    ],
    { stdio: 'inherit' },
  );
  info = {
    untrained: true,
    label: 'untrained demo model',
    source:
      'generated at build time: createModel({ channels: 8, residualBlocks: 1 }, { seed: 20261129 })',
  };
}
writeFileSync(join(out, 'model-info.json'), `${JSON.stringify(info, null, 2)}\n`);
console.log(`browser-demo: public/model/ holds the ${info.label} (${info.source})`);
