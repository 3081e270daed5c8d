// The five image-quality metrics (SSIM, MS-SSIM, VIF, UQI, PSNR) over pairs of files, as CSV.
//
//   npm start -w @duncan-mri/example-score-pipeline -- <reference-folder> <test-folder>
//       [--out scores.csv] [--mask mask.nii.gz] [--data-range R]
//   npm start -w @duncan-mri/example-score-pipeline -- --pairs pairs.csv [--out scores.csv]
//   npm test  -w @duncan-mri/example-score-pipeline   (--check: tiny real inputs)
//
// Folders are paired by file name (every reference that has a test of the same name); a pairs
// file has one `reference,test` per line. The data range is each reference's max - min unless
// --data-range is given; the CSV says which it used. Any file readVolumeFile reads works
// (NIfTI, NIfTI pairs, DICOM files and DICOM folders).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareVolumeFiles } from '@duncan-mri/node';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const VALUED = ['--out', '--mask', '--data-range', '--pairs'];
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1]));
const userDir = process.env.INIT_CWD ?? process.cwd();

const COLUMNS = [
  'reference',
  'test',
  'data_range',
  'data_range_from',
  'ssim',
  'msssim',
  'vif',
  'uqi',
  'psnr_db',
];

const csvField = (v) => {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(8))) : 'inf';
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

export async function scorePairs(pairs, { mask, dataRange } = {}) {
  const rows = [];
  for (const [reference, test] of pairs) {
    const m = await compareVolumeFiles(reference, test, {
      ...(mask === undefined ? {} : { mask }),
      ...(dataRange === undefined ? {} : { dataRange }),
    });
    rows.push({
      reference,
      test,
      data_range: m.dataRange,
      data_range_from: m.dataRangeSource,
      ssim: m.ssim,
      msssim: m.msssim,
      vif: m.vif,
      uqi: m.uqi,
      psnr_db: m.psnr,
    });
  }
  return rows;
}

export function toCsv(rows) {
  return `${[COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvField(r[c])).join(','))].join('\n')}\n`;
}

function pairsFromFolders(referenceDir, testDir) {
  return readdirSync(referenceDir)
    .filter((name) => !name.startsWith('.') && existsSync(join(testDir, name)))
    .sort()
    .map((name) => [join(referenceDir, name), join(testDir, name)]);
}

function pairsFromFile(path) {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && l !== 'reference,test')
    .map((l) => l.split(',').map((p) => resolve(dirname(path), p.trim())));
}

async function check() {
  const work = mkdtempSync(join(tmpdir(), 'score-pipeline-'));
  try {
    const ref = join(work, 'reference');
    const test = join(work, 'test');
    mkdirSync(ref);
    mkdirSync(test);
    const sample = join(HERE, '../../packages/node/sample/ge-pd-4-slices.nii.gz');
    const kmeans = join(HERE, '../../packages/io/test/fixtures/nifti/KmeansTest_T1UCharRaw.nii.gz');
    copyFileSync(sample, join(ref, 'ge-pd.nii.gz'));
    copyFileSync(kmeans, join(ref, 'kmeans.nii.gz'));
    copyFileSync(kmeans, join(test, 'kmeans.nii.gz')); // identical pair: SSIM 1, PSNR inf
    const cli = fileURLToPath(new URL('./cli.js', import.meta.resolve('@duncan-mri/node')));
    const sim = spawnSync(
      process.execPath,
      [
        cli,
        'simulate',
        sample,
        '-o',
        join(test, 'ge-pd.nii.gz'),
        '--artefact',
        'noise',
        '--severity',
        'moderate',
        '--seed',
        '3',
      ],
      { encoding: 'utf8' },
    );
    if (sim.status !== 0) throw new Error(`duncan simulate failed: ${sim.stderr}`);
    const rows = await scorePairs(pairsFromFolders(ref, test));
    const csv = toCsv(rows);
    const assert = (ok, what) => {
      if (!ok) throw new Error(`check failed: ${what}\n${csv}`);
    };
    assert(rows.length === 2, 'two pairs');
    const [noisy, same] = rows;
    assert(
      noisy.ssim > 0 && noisy.ssim < 1 && noisy.psnr_db > 10 && noisy.psnr_db < 60,
      'noisy pair scored',
    );
    assert(noisy.msssim !== null && noisy.vif !== null, '256x256: all five metrics');
    assert(
      noisy.data_range === 960 && noisy.data_range_from === 'reference',
      'reference data range',
    );
    assert(
      same.ssim === 1 && same.uqi === 1 && same.psnr_db === Number.POSITIVE_INFINITY,
      'identical pair',
    );
    assert(same.msssim === null, '128x128 slices: no MS-SSIM');
    assert(csv.split('\n')[0] === COLUMNS.join(','), 'CSV header');
    const pairsFile = join(work, 'pairs.csv');
    writeFileSync(pairsFile, 'reference,test\nreference/ge-pd.nii.gz,test/ge-pd.nii.gz\n');
    const fromFile = await scorePairs(pairsFromFile(pairsFile), { dataRange: 1000 });
    assert(
      fromFile.length === 1 && fromFile[0].data_range_from === 'option',
      'pairs file and --data-range',
    );
    console.log(`score-pipeline check passed:\n${csv}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (args.includes('--check')) {
  await check();
} else {
  const pairsPath = option('pairs');
  let pairs;
  if (pairsPath !== undefined) pairs = pairsFromFile(resolve(userDir, pairsPath));
  else if (positional.length === 2)
    pairs = pairsFromFolders(...positional.map((p) => resolve(userDir, p)));
  else {
    console.error(
      'usage: node index.mjs <reference-folder> <test-folder> [--out scores.csv] [--mask m.nii.gz] [--data-range R]\n       node index.mjs --pairs pairs.csv [--out scores.csv]',
    );
    process.exit(2);
  }
  if (pairs.length === 0) {
    console.error('no pairs found (files of the same name in both folders)');
    process.exit(1);
  }
  const dataRange = option('data-range') === undefined ? undefined : Number(option('data-range'));
  const mask = option('mask') === undefined ? undefined : resolve(userDir, option('mask'));
  const csv = toCsv(await scorePairs(pairs, { mask, dataRange }));
  const out = option('out');
  if (out === undefined) process.stdout.write(csv);
  else {
    writeFileSync(resolve(userDir, out), csv);
    console.error(`${pairs.length} pair(s) scored -> ${resolve(userDir, out)}`);
  }
}
