// Correct every scan in a folder with one model loaded once on a pool of worker threads, one
// progress bar for the whole folder, and a CSV of per-file timings.
//
//   npm start -w @duncan-mri/example-correct-folder -- <input-folder> <output-folder>
//       [--model <dir>] [--workers N] [--csv timings.csv] [--overwrite]
//   npm test  -w @duncan-mri/example-correct-folder   (--check: tiny real inputs and a tiny model)
//
// Scans: *.nii, *.nii.gz, *.hdr (+ .img) files, and sub-folders of DICOM files (one series
// each, written back as a derived DICOM series). Without --model, the bundled default model.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkVolumeFileTarget,
  createCorrector,
  readVolumeFile,
  writeVolumeFile,
} from '@duncan-mri/node';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter(
  (a, i) => !a.startsWith('--') && !['--model', '--workers', '--csv'].includes(args[i - 1]),
);
// `npm start -w ...` runs in this folder; paths the user typed are relative to where they typed them.
const userDir = process.env.INIT_CWD ?? process.cwd();

/** Every scan in a folder: NIfTI files, NIfTI pairs (by their .hdr) and DICOM sub-folders. */
function listScans(folder) {
  const scans = [];
  for (const name of readdirSync(folder).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) scans.push({ name, path, output: name });
    else if (/\.nii(\.gz)?$/i.test(name)) scans.push({ name, path, output: name });
    else if (/\.hdr(\.gz)?$/i.test(name))
      scans.push({ name, path, output: name.replace(/\.hdr(\.gz)?$/i, '.nii.gz') });
  }
  return scans;
}

/** One line on stderr, redrawn in place on a terminal: `scans [#####.....] 2.5/4 ETA 6s`. */
function progressBar(total) {
  const started = Date.now();
  let last = 0;
  let lastLine = '';
  const tty = process.stderr.isTTY;
  return {
    update(done, label) {
      const now = Date.now();
      if ((now - last < (tty ? 100 : 2000) && done < total) || now - started < 1000) return;
      last = now;
      const width = 24;
      const filled = Math.round((width * done) / total);
      const eta = done > 0 ? ((now - started) / 1000) * (total / done - 1) : Number.NaN;
      const line = `scans [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toFixed(1)}/${total} ETA ${Number.isFinite(eta) ? `${Math.round(eta)}s` : '--'} ${label}`;
      if (line === lastLine) return;
      lastLine = line;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    finish() {
      if (tty && Date.now() - started >= 1000) process.stderr.write('\n');
    },
  };
}

/** The CSV's columns: one row per scan, written as the run goes. */
export const CSV_COLUMNS = [
  'file',
  'status',
  'format',
  'shape',
  'slices',
  'read_s',
  'correct_s',
  'write_s',
  'total_s',
  'output',
  'error',
];

function csvField(value) {
  if (value === undefined || value === null) return '';
  const text =
    typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(3) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes the whole CSV to a temporary file beside it, then renames it into place. */
function writeCsv(csv, rows) {
  const text = [
    CSV_COLUMNS.join(','),
    ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(',')),
  ].join('\n');
  const temp = join(dirname(csv), `.${basename(csv)}.${process.pid}.tmp`);
  writeFileSync(temp, `${text}\n`);
  renameSync(temp, csv);
}

/** The code of an MriError (`CORRUPT_FILE`, `INTERNAL`, ...) or of a system error. */
const codeOf = (error) =>
  typeof error === 'object' && error !== null && typeof error.code === 'string'
    ? error.code
    : undefined;

/** One line for a failure: the message and its code, never a stack trace. */
function describeFailure(error) {
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  return code === undefined ? message : `${message} [${code}]`;
}

/**
 * Corrects every scan of `input` into `output`. One bad scan never stops the rest: each failure
 * is reported on stderr by the scan's name and in the CSV (`status` failed, `error`), which is
 * rewritten after every scan, so it is complete up to the scan in progress even if the run is
 * killed. Outputs that exist already were finished by an earlier run (writeVolumeFile writes
 * them atomically, so an existing output is a complete one) and are skipped unless
 * `overwrite`: rerunning after a failure or a kill corrects only what is missing.
 * @returns the CSV rows; `status` is `corrected`, `skipped` or `failed`.
 */
export async function correctFolder(input, output, { model, workers, csv, overwrite = false }) {
  const scans = listScans(input);
  if (scans.length === 0)
    throw new Error(`no scans (.nii, .nii.gz, .hdr, DICOM folders) in ${input}`);
  const options = {
    ...(model === undefined ? {} : { model }),
    ...(workers === undefined ? {} : { workers }),
  };
  let corrector;
  const rows = [];
  const bar = progressBar(scans.length);
  try {
    for (const [k, scan] of scans.entries()) {
      const target = join(output, scan.output);
      if (!overwrite && existsSync(target)) {
        rows.push({
          file: scan.name,
          status: 'skipped',
          output: scan.output,
          error: 'output exists',
        });
        writeCsv(csv, rows);
        bar.update(k + 1, scan.name);
        continue;
      }
      const t0 = performance.now();
      try {
        const file = await readVolumeFile(scan.path);
        for (const w of file.warnings) process.stderr.write(`warning: ${scan.name}: ${w}\n`);
        // Checked before the correction: a bad output name fails in a moment, not after it.
        checkVolumeFileTarget(target, { source: file, overwrite, shape: file.volume.shape });
        const t1 = performance.now();
        if (corrector === undefined) {
          corrector = await createCorrector(options);
          process.stderr.write(
            `backend: ${corrector.backend.description}; ${corrector.workers} worker thread(s)\n`,
          );
        }
        // NaN voxels (outside the brain of processed images) are corrected as 0 and stay NaN.
        const { corrected } = await corrector.correct(file.volume, {
          nonFinite: 'zero-and-restore',
          onProgress: ({ done, total }) => bar.update(k + done / total, scan.name),
        });
        const t2 = performance.now();
        const written = await writeVolumeFile(target, corrected, { source: file, overwrite });
        const t3 = performance.now();
        rows.push({
          file: scan.name,
          status: 'corrected',
          format: file.format,
          shape: file.volume.shape.join('x'),
          slices: file.volume.shape[2],
          read_s: (t1 - t0) / 1000,
          correct_s: (t2 - t1) / 1000,
          write_s: (t3 - t2) / 1000,
          total_s: (t3 - t0) / 1000,
          output: relative(output, written.path),
        });
      } catch (error) {
        process.stderr.write(`failed: ${scan.name}: ${describeFailure(error)}\n`);
        rows.push({
          file: scan.name,
          status: 'failed',
          total_s: (performance.now() - t0) / 1000,
          error: describeFailure(error),
        });
        // A failure inside the corrector (a worker that died) may leave its pool unusable:
        // start a fresh one for the next scan.
        if (codeOf(error) === 'INTERNAL' && corrector !== undefined) {
          await corrector.close();
          corrector = undefined;
        }
      }
      writeCsv(csv, rows);
      bar.update(k + 1, scan.name);
    }
  } finally {
    bar.finish();
    await corrector?.close();
  }
  return rows;
}

/** The built `duncan` CLI of @duncan-mri/node (used by --check to make a tiny model). */
function duncanCli() {
  return fileURLToPath(new URL('./cli.js', import.meta.resolve('@duncan-mri/node')));
}

async function check() {
  const work = mkdtempSync(join(tmpdir(), 'correct-folder-'));
  try {
    const fixtures = join(HERE, '../../packages/io/test/fixtures');
    const input = join(work, 'in');
    mkdirSync(join(input, 'ge-series'), { recursive: true });
    copyFileSync(
      join(HERE, '../../packages/node/sample/ge-pd-4-slices.nii.gz'),
      join(input, 'ge-pd.nii.gz'),
    );
    copyFileSync(join(fixtures, 'nifti/anatomical.nii'), join(input, 'anatomical.nii'));
    for (const n of ['brain_010.dcm', 'brain_011.dcm'])
      copyFileSync(join(fixtures, 'dicom/series', n), join(input, 'ge-series', n));
    writeFileSync(join(input, 'README.txt'), 'not a scan');
    const model = join(work, 'model');
    const train = spawnSync(
      process.execPath,
      [
        duncanCli(),
        'train',
        '--clean',
        join(input, 'ge-pd.nii.gz'),
        '--simulate',
        'noise:mild',
        '--out',
        model,
        '--steps',
        '1',
        '--config',
        '{"channels":4,"residualBlocks":1,"cropSize":32,"poolSize":1}',
      ],
      { encoding: 'utf8' },
    );
    if (train.status !== 0) throw new Error(`duncan train failed: ${train.stderr}`);
    const before = readFileSync(join(input, 'anatomical.nii'));
    // One bad scan (a truncated NIfTI file) and one bad file in the DICOM folder.
    writeFileSync(join(input, 'bad.nii'), before.subarray(0, 20_000));
    writeFileSync(join(input, 'ge-series', 'junk.dcm'), 'not a DICOM file');
    const assert = (ok, what) => {
      if (!ok) throw new Error(`check failed: ${what}`);
    };
    const out = join(work, 'out');
    const csv = join(work, 'rows.csv');
    // The script itself, as a user runs it: exit code, messages and the CSV.
    const run = () =>
      spawnSync(
        process.execPath,
        [
          fileURLToPath(import.meta.url),
          input,
          out,
          '--model',
          model,
          '--workers',
          '2',
          '--csv',
          csv,
        ],
        { encoding: 'utf8' },
      );
    const statuses = () =>
      readFileSync(csv, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',').slice(0, 2).join(' '));
    const first = run();
    assert(
      first.status === 1,
      `a failed scan makes the exit code 1 (got ${first.status}: ${first.stderr})`,
    );
    assert(
      /^failed: bad\.nii: readNifti: .*\[CORRUPT_FILE\]$/m.test(first.stderr),
      'failure by name',
    );
    assert(/^warning: ge-series: skipped junk\.dcm: /m.test(first.stderr), 'bad DICOM file named');
    assert(!/\n\s+at /.test(first.stderr), 'no stack trace');
    assert(
      /corrected 3, skipped 0 \(output exists\), failed 1 \(bad\.nii\)/.test(first.stdout),
      'summary',
    );
    assert(readFileSync(csv, 'utf8').split('\n')[0] === CSV_COLUMNS.join(','), 'CSV header');
    assert(
      JSON.stringify(statuses()) ===
        JSON.stringify([
          'anatomical.nii corrected',
          'bad.nii failed',
          'ge-pd.nii.gz corrected',
          'ge-series corrected',
        ]),
      `CSV rows ${statuses()}`,
    );
    assert(
      JSON.stringify(readdirSync(out).sort()) ===
        JSON.stringify(['anatomical.nii', 'ge-pd.nii.gz', 'ge-series']),
      'outputs',
    );
    assert(readdirSync(join(out, 'ge-series')).length === 2, 'derived DICOM series of 2 slices');
    const back = await readVolumeFile(join(out, 'ge-pd.nii.gz'));
    assert(back.volume.shape.join('x') === '256x256x4', 'shape kept');
    // A rerun after fixing the bad scan corrects only it.
    copyFileSync(join(fixtures, 'nifti/anatomical.nii'), join(input, 'bad.nii'));
    const second = run();
    assert(second.status === 0, `rerun exit code 0 (got ${second.status}: ${second.stderr})`);
    assert(
      JSON.stringify(statuses()) ===
        JSON.stringify([
          'anatomical.nii skipped',
          'bad.nii corrected',
          'ge-pd.nii.gz skipped',
          'ge-series skipped',
        ]),
      `rerun CSV rows ${statuses()}`,
    );
    assert(
      Buffer.compare(before, readFileSync(join(input, 'anatomical.nii'))) === 0,
      'input untouched',
    );
    // The function, in this process: the same rows.
    const rows = await correctFolder(input, out, { model, workers: 2, csv });
    assert(
      rows.every((r) => r.status === 'skipped'),
      'everything done',
    );
    console.log(`correct-folder check passed: ${statuses().join(', ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (flag('check')) {
  await check();
} else {
  if (positional.length !== 2) {
    console.error(
      'usage: node index.mjs <input-folder> <output-folder> [--model <dir>] [--workers N] [--csv timings.csv] [--overwrite]',
    );
    process.exit(2);
  }
  const [input, output] = positional.map((p) => resolve(userDir, p));
  const workers = option('workers') === undefined ? undefined : Number(option('workers'));
  const model = option('model') === undefined ? undefined : resolve(userDir, option('model'));
  const csv = resolve(userDir, option('csv') ?? join(output, 'timings.csv'));
  mkdirSync(output, { recursive: true });
  const rows = await correctFolder(input, output, {
    model,
    workers,
    csv,
    overwrite: flag('overwrite'),
  });
  const count = (status) => rows.filter((r) => r.status === status).length;
  const failed = rows.filter((r) => r.status === 'failed').map((r) => r.file);
  console.log(
    `corrected ${count('corrected')}, skipped ${count('skipped')} (output exists), failed ${failed.length}${failed.length > 0 ? ` (${failed.join(', ')})` : ''}; into ${output}; rows in ${csv}`,
  );
  // Non-zero when anything failed, so that a pipeline notices; a rerun corrects only those.
  if (failed.length > 0) process.exitCode = 1;
}
