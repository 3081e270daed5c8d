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
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCorrector, readVolumeFile, writeVolumeFile } from '@duncan-mri/node';

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

export async function correctFolder(input, output, { model, workers, csv, overwrite = false }) {
  const scans = listScans(input);
  if (scans.length === 0)
    throw new Error(`no scans (.nii, .nii.gz, .hdr, DICOM folders) in ${input}`);
  const corrector = await createCorrector({
    ...(model === undefined ? {} : { model }),
    ...(workers === undefined ? {} : { workers }),
  });
  process.stderr.write(
    `backend: ${corrector.backend.description}; ${corrector.workers} worker thread(s)\n`,
  );
  const rows = [];
  const bar = progressBar(scans.length);
  try {
    for (const [k, scan] of scans.entries()) {
      const t0 = performance.now();
      const file = await readVolumeFile(scan.path);
      const t1 = performance.now();
      const { corrected } = await corrector.correct(file.volume, {
        onProgress: ({ done, total }) => bar.update(k + done / total, scan.name),
      });
      const t2 = performance.now();
      const written = await writeVolumeFile(join(output, scan.output), corrected, {
        source: file,
        overwrite,
      });
      const t3 = performance.now();
      rows.push({
        file: scan.name,
        format: file.format,
        shape: file.volume.shape.join('x'),
        slices: file.volume.shape[2],
        read_s: (t1 - t0) / 1000,
        correct_s: (t2 - t1) / 1000,
        write_s: (t3 - t2) / 1000,
        total_s: (t3 - t0) / 1000,
        output: relative(output, written.path),
      });
      bar.update(k + 1, scan.name);
    }
  } finally {
    bar.finish();
    await corrector.close();
  }
  const header = Object.keys(rows[0]);
  const text = [
    header.join(','),
    ...rows.map((r) =>
      header
        .map((h) =>
          typeof r[h] === 'number' && !Number.isInteger(r[h])
            ? r[h].toFixed(3)
            : JSON.stringify(r[h]).replace(/^"(.*)"$/, '$1'),
        )
        .join(','),
    ),
  ].join('\n');
  writeFileSync(csv, `${text}\n`);
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
    const csv = join(work, 'timings.csv');
    const rows = await correctFolder(input, join(work, 'out'), { model, workers: 2, csv });
    const assert = (ok, what) => {
      if (!ok) throw new Error(`check failed: ${what}`);
    };
    assert(rows.length === 3, '3 scans corrected');
    assert(
      JSON.stringify(readdirSync(join(work, 'out')).sort()) ===
        JSON.stringify(['anatomical.nii', 'ge-pd.nii.gz', 'ge-series']),
      'outputs',
    );
    assert(
      readdirSync(join(work, 'out', 'ge-series')).length === 2,
      'derived DICOM series of 2 slices',
    );
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    assert(
      lines[0] === 'file,format,shape,slices,read_s,correct_s,write_s,total_s,output',
      'CSV header',
    );
    assert(
      lines.length === 4 && lines[1].startsWith('anatomical.nii,nifti,33x41x25,25,'),
      'CSV rows',
    );
    const back = await readVolumeFile(join(work, 'out', 'ge-pd.nii.gz'));
    assert(back.volume.shape.join('x') === '256x256x4', 'shape kept');
    assert(
      Buffer.compare(before, readFileSync(join(input, 'anatomical.nii'))) === 0,
      'input untouched',
    );
    console.log(
      `correct-folder check passed: ${rows.map((r) => `${r.file} ${r.total_s.toFixed(2)} s`).join(', ')}`,
    );
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
  console.log(`corrected ${rows.length} scan(s) into ${output}; timings in ${csv}`);
}
