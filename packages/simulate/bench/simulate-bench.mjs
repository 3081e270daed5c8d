// Benchmark of the motion artefact, the package's most expensive operation, against the same
// operation written with numpy (bench/motion_numpy.py, run by Debian's /usr/bin/python3 on the
// same data and the same pose schedule).
//
// Run: npx tsup && npm run bench   (from packages/simulate; or `npm run bench -w @duncan-mri/simulate`)
// Prints the median of several runs for a 256x256 slice (Colin27 z = 94 zero-padded) and a
// 181x217x181 volume (Colin27, from data-cache/ when present, else a synthetic phantom).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { motion, motionSchedule } from '@duncan-mri/simulate';
import { createVolume } from '@duncan-mri/volume';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const COLIN = join(
  HERE,
  '../../../data-cache/x/mricron-data/usr/share/mricron/templates/ch2.nii.gz',
);

/** The parameters benchmarked: drift plus one jerk, default time resolution. */
const PARAMS = {
  maxRotationDeg: 3,
  maxTranslationMm: 3,
  driftSeed: 7,
  jerks: [{ timeFraction: 0.6, rotationDeg: [1, -1, 2], translationMm: [1.5, -1, 0.5] }],
};

function slice256() {
  const bytes = gunzipSync(readFileSync(join(HERE, '..', 'test', 'fixtures', 'ch2-z94.f32.gz')));
  const data = new Float32Array(256 * 256);
  const [nx, ny] = [181, 217];
  const [ox, oy] = [(256 - nx) >> 1, (256 - ny) >> 1];
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++)
      data[ox + x + 256 * (oy + y)] = bytes.readFloatLE(4 * (x + nx * y));
  }
  return { volume: createVolume({ data, shape: [256, 256] }), source: 'Colin27 z=94, zero-padded' };
}

function volume181() {
  const shape = [181, 217, 181];
  const n = shape[0] * shape[1] * shape[2];
  if (existsSync(COLIN)) {
    const nii = gunzipSync(readFileSync(COLIN));
    const dims = [1, 2, 3].map((i) => nii.readInt16LE(40 + 2 * i));
    const datatype = nii.readInt16LE(70);
    const offset = nii.readFloatLE(108);
    if (dims.join() === shape.join() && datatype === 2) {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = nii[offset + i];
      return { volume: createVolume({ data, shape }), source: 'Colin27 ch2.nii.gz' };
    }
  }
  const data = new Float32Array(n);
  for (let z = 0, i = 0; z < shape[2]; z++) {
    for (let y = 0; y < shape[1]; y++) {
      for (let x = 0; x < shape[0]; x++, i++) {
        const r = ((x - 90) / 70) ** 2 + ((y - 108) / 90) ** 2 + ((z - 90) / 75) ** 2;
        data[i] = r < 1 ? 100 + 50 * Math.sin(x / 5) * Math.cos(y / 7) : 0;
      }
    }
  }
  return { volume: createVolume({ data, shape }), source: 'synthetic phantom (no data-cache)' };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeJs(volume, runs, warmups) {
  for (let i = 0; i < warmups; i++) motion(volume, PARAMS);
  const times = [];
  let out;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    out = motion(volume, PARAMS);
    times.push(performance.now() - start);
  }
  return { median: median(times), out };
}

function timePython(volume, runs, variant) {
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found` };
  const modules = variant === 'scipy' ? 'import numpy, scipy.ndimage' : 'import numpy';
  const check = spawnSync(PYTHON, ['-c', modules], { encoding: 'utf8' });
  if (check.status !== 0) return { skipped: `${modules} fails with /usr/bin/python3` };
  const dir = mkdtempSync(join(tmpdir(), 'simulate-bench-'));
  try {
    const input = join(dir, 'in.f32');
    const output = join(dir, 'out.f32');
    writeFileSync(
      input,
      Buffer.from(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength),
    );
    const job = {
      data: input,
      out: output,
      shape: volume.shape,
      spacing: [1, 1, 1],
      axis: 1,
      groups: motionSchedule(volume.shape, PARAMS),
      runs,
      variant,
    };
    const result = spawnSync(PYTHON, [join(HERE, 'motion_numpy.py')], {
      input: JSON.stringify(job),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    });
    if (result.status !== 0) return { skipped: `numpy run failed: ${result.stderr.slice(-500)}` };
    const parsed = JSON.parse(result.stdout);
    const bytes = readFileSync(output);
    const out = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const version = Object.entries(parsed.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return { median: parsed.median_ms, version, out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function maxRelativeDifference(a, b) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

const cases = [
  { name: '2-D 256x256', ...slice256(), runs: 15, warmups: 5, numpyRuns: 15 },
  { name: '3-D 181x217x181', ...volume181(), runs: 3, warmups: 1, numpyRuns: 2 },
];

console.log(`motion(${JSON.stringify(PARAMS)})`);
console.log(`node ${process.version}; median of several runs (ms)\n`);
console.log(
  '| case | data | poses | JS (ms) | reference | reference (ms) | JS / reference | max rel. diff |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const c of cases) {
  const poses = motionSchedule(c.volume.shape, PARAMS).length;
  const js = timeJs(c.volume, c.runs, c.warmups);
  const head = `| ${c.name} | ${c.source} | ${poses} | ${js.median.toFixed(1)}`;
  for (const variant of ['numpy', 'scipy']) {
    const label = variant === 'numpy' ? 'numpy' : 'numpy, rotation by scipy.ndimage';
    const ref = timePython(c.volume, c.numpyRuns, variant);
    if (ref.skipped) {
      console.log(`${head} | ${label} | skipped: ${ref.skipped} | | |`);
      continue;
    }
    const ratio = js.median / ref.median;
    const diff = maxRelativeDifference(js.out.data, ref.out);
    console.log(
      `${head} | ${label} (${ref.version}) | ${ref.median.toFixed(1)} | ${ratio.toFixed(2)} | ${diff.toExponential(1)} |`,
    );
  }
}
