// Peak memory (and time) of the whole `duncan correct` job, measured as a user runs it:
//
//   npm run bench:memory -w @duncan-mri/node [-- --sizes 256x256x16,512x512x32 --workers 2
//                                              --repeats 3]
//
// For each size it writes a float32 NIfTI (the bundled GE sample tiled to that size), then runs
// `node dist/cli.js correct <in> -o <out> --workers N` (default settings otherwise) under
// /usr/bin/time -v and prints the median wall time and the median peak resident set size of the
// whole process (the CLI and its worker threads are one process).
// 512x512x300 takes many minutes on two cores: opt in with --sizes. Never run in CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from '../../../scripts/command-line.mjs';
import { readVolumeFile, writeVolumeFile } from '../dist/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '..', 'dist', 'cli.js');
const SAMPLE = join(HERE, '..', 'sample', 'ge-pd-4-slices.nii.gz');
const sizes = option('sizes', '256x256x16,512x512x32')
  .split(',')
  .map((s) => s.split('x').map(Number));
const workers = Number(option('workers', 2));
const repeats = Number(option('repeats', 3));
const TIME = '/usr/bin/time';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The sample tiled to nx x ny x nz (a little brighter each slice), as float32 NIfTI. */
async function makeVolume(path, [nx, ny, nz]) {
  const s = (await readVolumeFile(SAMPLE)).volume;
  const [sx, sy, sz] = s.shape;
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        data[x + nx * (y + ny * z)] =
          s.data[(x % sx) + sx * ((y % sy) + sy * (z % sz))] * (1 + 0.01 * z);
  await writeVolumeFile(path, { data, shape: [nx, ny, nz], affine: s.affine });
}

/** Runs a command under /usr/bin/time -v: wall seconds and peak RSS in MB. */
function measure(command, commandArgs) {
  const r = spawnSync(TIME, ['-v', command, ...commandArgs], {
    encoding: 'utf8',
    env: { ...process.env, DUNCAN_BACKEND: '' },
  });
  const field = (name) => r.stderr.match(new RegExp(`${name}: (.*)`))?.[1];
  const rssKb = Number(field('Maximum resident set size \\(kbytes\\)'));
  const wall = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)') ?? '0:0';
  const seconds = wall
    .split(':')
    .map(Number)
    .reduce((a, b) => 60 * a + b, 0);
  return { status: r.status, seconds, rssMb: rssKb / 1024, stderr: r.stderr };
}

async function main() {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed (Debian package "time")`);
  if (!existsSync(CLI))
    throw new Error('build first: npx turbo run build --filter=@duncan-mri/node');
  const work = mkdtempSync(join(tmpdir(), 'duncan-memory-bench-'));
  try {
    console.log(`workers: ${workers}, repeats: ${repeats}`);
    for (const size of sizes) {
      const input = join(work, `in-${size.join('x')}.nii`);
      await makeVolume(input, size);
      const runs = [];
      for (let i = 0; i < repeats; i++) {
        const out = join(work, `out-${i}.nii`);
        const r = measure(process.execPath, [
          CLI,
          'correct',
          input,
          '-o',
          out,
          '--workers',
          String(workers),
          '--overwrite',
        ]);
        if (r.status !== 0)
          throw new Error(`duncan correct ${size.join('x')} failed:\n${r.stderr}`);
        runs.push(r);
        rmSync(out, { force: true });
      }
      console.log(
        `${size.join('x').padEnd(12)} peak RSS ${median(runs.map((r) => r.rssMb)).toFixed(0)} MB (runs: ${runs
          .map((r) => r.rssMb.toFixed(0))
          .join(', ')}), wall ${median(runs.map((r) => r.seconds)).toFixed(1)} s`,
      );
      rmSync(input, { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
