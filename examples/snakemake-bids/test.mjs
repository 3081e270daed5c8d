// What CI runs (`npm test -w @duncan-mri/example-snakemake-bids`): the Snakefile with the local
// executor (2 cores) on the tiny BIDS fixture (packages/node/test/fixtures/bids-tiny, 3
// participants, 6 images), then checks the derivatives, that a second `snakemake` has nothing to
// do, that forcing the jobs again makes `duncan bids` skip every finished image, and (with
// Snakemake 7, as Debian ships it) that the Slurm profile is accepted in a dry run.
// Needs `snakemake` on PATH (Debian: apt-get install snakemake; .ci/run installs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(HERE, '../../packages/node/test/fixtures/bids-tiny');
// The CLI of the installed @duncan-mri/node (its bin, dist/cli.js, beside the entry point).
const CLI = join(dirname(fileURLToPath(import.meta.resolve('@duncan-mri/node'))), 'cli.js');
const IMAGES = [
  'sub-01/anat/sub-01_PDw',
  'sub-01/anat/sub-01_T1w',
  'sub-02/anat/sub-02_PDw',
  'sub-02/anat/sub-02_T1w',
  'sub-03/anat/sub-03_run-1_T1w',
  'sub-03/anat/sub-03_run-2_T1w',
];

const version = spawnSync('snakemake', ['--version'], { encoding: 'utf8' });
if (version.error !== undefined || version.status !== 0) {
  console.error(
    'snakemake is not installed: apt-get install snakemake (Debian), or pip install snakemake',
  );
  process.exit(1);
}
const major = Number(version.stdout.trim().split('.')[0]);

const work = mkdtempSync(join(tmpdir(), 'duncan-snakemake-'));
const out = join(work, 'derivatives', 'duncan');
const config = [
  `bids_dir=${FIXTURE}`,
  `output_dir=${out}`,
  `work_dir=${join(work, 'smk')}`,
  `duncan=${process.execPath} ${CLI}`,
];
function snakemake(args) {
  const started = performance.now();
  const r = spawnSync(
    'snakemake',
    ['--snakefile', join(HERE, 'Snakefile'), '--directory', work, '--config', ...config, ...args],
    { encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) console.error(r.stdout, r.stderr);
  return { ...r, seconds, text: `${r.stdout}${r.stderr}` };
}
let passed = 0;
const check = (name, fn) => {
  fn();
  passed++;
  console.log(`ok - ${name}`);
};

const first = snakemake(['--cores', '2']);
check('the workflow runs: one participant job per subject, then the group level', () => {
  assert.equal(first.status, 0);
  assert.match(first.text, /5 of 5 steps \(100%\) done/); // 3 participants, group, all
  for (const p of ['01', '02', '03'])
    assert.ok(existsSync(join(work, 'smk', 'done', `sub-${p}.done`)), `marker of sub-${p}`);
});
check('BIDS-Derivatives: description, images, maps and sidecars', () => {
  const description = JSON.parse(readFileSync(join(out, 'dataset_description.json'), 'utf8'));
  assert.equal(description.DatasetType, 'derivative');
  assert.equal(description.GeneratedBy[0].Name, 'duncan-mri');
  assert.match(description.GeneratedBy[0].Description, /config sha256 [0-9a-f]{64}/);
  for (const image of IMAGES) {
    const [folder, stem] = [dirname(image), image.slice(image.lastIndexOf('/') + 1)];
    const suffix = stem.slice(stem.lastIndexOf('_'));
    const base = join(out, folder, stem.slice(0, stem.lastIndexOf('_')));
    for (const desc of ['duncan', 'artefact']) {
      assert.ok(existsSync(`${base}_desc-${desc}${suffix}.nii.gz`), `${image} ${desc}`);
      const sidecar = JSON.parse(readFileSync(`${base}_desc-${desc}${suffix}.json`, 'utf8'));
      assert.equal(sidecar.SkullStripped, false);
      assert.equal(sidecar.Sources[0], `bids:raw:${image}.nii.gz`);
    }
  }
  // One log per participant job: three runs of duncan bids wrote into one dataset.
  assert.equal(readdirSync(join(out, 'logs')).length, 3);
});
check('the group summary: one row per image, and the figure', () => {
  const rows = readFileSync(join(out, 'group', 'summary.tsv'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(rows.length, 1 + IMAGES.length);
  assert.match(rows[0], /^participant_id\tsession_id\tsuffix\t.*\tmean_abs_change\t/);
  const png = readFileSync(join(out, 'group', 'summary.png'));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
});
const second = snakemake(['--cores', '2']);
check('a second snakemake has nothing to do', () => {
  assert.equal(second.status, 0);
  assert.match(second.text, /Nothing to be done/);
});
const forced = snakemake(['--cores', '2', '--forcerun', 'participant']);
check('forced again, every participant job skips its finished images', () => {
  assert.equal(forced.status, 0);
  for (const p of ['01', '02'])
    assert.match(
      readFileSync(join(work, 'smk', 'logs', `sub-${p}.log`), 'utf8'),
      /0 corrected, 2 skipped \(already done\), 0 failed/,
    );
});
if (major === 7) {
  // Snakemake 7 names the executor differently (see the profile's header): dry-run a copy.
  const profile = join(work, 'profile-v7');
  mkdirSync(profile);
  const text = readFileSync(join(HERE, 'profiles/slurm/config.yaml'), 'utf8');
  assert.match(text, /^executor: slurm$/m);
  writeFileSync(join(profile, 'config.yaml'), text.replace(/^executor: slurm$/m, 'slurm: true'));
  // (A dry run counts 1 core unless told; a Slurm run does not cap threads by this machine's.)
  const dry = snakemake([
    '--dry-run',
    '--cores',
    '8',
    '--profile',
    profile,
    '--forcerun',
    'participant',
  ]);
  check('the Slurm profile is accepted (dry run, Snakemake 7): its threads and resources', () => {
    assert.equal(dry.status, 0);
    assert.match(dry.text, /participant --participant-label 01 --workers 4 /);
    assert.match(
      dry.text,
      /mem_mb=5800.*slurm_account=your_account, slurm_partition=your_partition, runtime=60/,
    );
  });
} else {
  console.log(`skip - the Slurm profile dry run (Snakemake ${major}: needs the Slurm plugin)`);
}
console.log(
  `snakemake ${version.stdout.trim()}: first run ${first.seconds.toFixed(1)} s, second ${second.seconds.toFixed(1)} s, forced ${forced.seconds.toFixed(1)} s`,
);
console.log(`${passed} passed, 0 failed`);
