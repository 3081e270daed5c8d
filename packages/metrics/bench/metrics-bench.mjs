// Benchmark of @duncan-mri/metrics against scikit-image on the same data, in the same run.
// Usage: npm run bench -w @duncan-mri/metrics   (builds first; BENCH_RUNS=n to change runs)
// Prints medians of several runs and the ratio ours / scikit-image (< 1 means faster).
// Times are single-threaded on both sides (scipy.ndimage filters are single-threaded too).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareImages, multiScaleSsim, psnr, ssim, uqi, vif } from '@duncan-mri/metrics';
import { createRng, createVolume } from '@duncan-mri/volume';

const HERE = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const PYTHON = '/usr/bin/python3';

/** A smooth random field (sum of Gaussian blobs) in [0, 255], plus a noisy copy. */
function pair(shape, seed) {
  const [nx, ny, nz] = shape;
  const rng = createRng(seed);
  const blobs = Array.from({ length: 12 }, () => [
    rng.float() * nx,
    rng.float() * ny,
    rng.float() * nz,
    4 + rng.float() * 30,
    30 + rng.float() * 100,
  ]);
  const reference = new Float32Array(nx * ny * nz);
  const test = new Float32Array(nx * ny * nz);
  // Separable blobs: exp(-(dx^2+dy^2+dz^2)/r^2) = ex * ey * ez, computed per axis.
  for (const [cx, cy, cz, r, a] of blobs) {
    const ex = Float64Array.from({ length: nx }, (_, x) => Math.exp(-((x - cx) ** 2) / (r * r)));
    const ey = Float64Array.from({ length: ny }, (_, y) => Math.exp(-((y - cy) ** 2) / (r * r)));
    const ez = Float64Array.from({ length: nz }, (_, z) =>
      nz === 1 ? 1 : Math.exp(-((z - cz) ** 2) / (r * r)),
    );
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        const f = a * ey[y] * ez[z];
        const base = nx * (y + ny * z);
        for (let x = 0; x < nx; x++) reference[base + x] += f * ex[x];
      }
    }
  }
  for (let i = 0; i < reference.length; i++) {
    reference[i] = Math.min(255, reference[i] + 10);
    test[i] = reference[i] + rng.normal(0, 8);
  }
  return {
    reference: createVolume({ data: reference, shape }),
    test: createVolume({ data: test, shape }),
  };
}

function medianMs(fn, runs) {
  for (let i = 0; i < 3; i++) fn(); // warm-up (JIT)
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const cases = [
  { name: '256x256 slice', shape: [256, 256, 1], runs: RUNS, seed: 1 },
  {
    name: '181x217x181 volume',
    shape: [181, 217, 181],
    runs: Math.max(3, Math.round(RUNS / 3)),
    seed: 2,
  },
];

const dir = mkdtempSync(join(tmpdir(), 'duncan-metrics-bench-'));
const data = new Map();
for (const c of cases) {
  const p = pair(c.shape, c.seed);
  data.set(c.name, p);
  c.reference = join(dir, `${c.seed}-reference.f32`);
  c.test = join(dir, `${c.seed}-test.f32`);
  writeFileSync(c.reference, Buffer.from(p.reference.data.buffer));
  writeFileSync(c.test, Buffer.from(p.test.data.buffer));
}

let python = null;
if (existsSync(PYTHON)) {
  const spec = JSON.stringify({
    cases: cases.map(({ name, shape, runs, reference, test }) => ({
      name,
      shape,
      runs,
      reference,
      test,
    })),
  });
  const run = spawnSync(PYTHON, [join(HERE, 'skimage-bench.py'), spec], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status === 0) python = JSON.parse(run.stdout.trim().split('\n').pop());
  else console.log(`(scikit-image not timed: ${run.stderr.trim().split('\n').pop()})`);
} else {
  console.log(`(scikit-image not timed: ${PYTHON} not found; apt-get install python3-skimage)`);
}
rmSync(dir, { recursive: true, force: true });

console.log(
  `@duncan-mri/metrics benchmark: Node ${process.version}, median of ${RUNS} runs (3-D: fewer)`,
);
if (python)
  console.log(
    `reference: scikit-image ${python.skimage}, numpy ${python.numpy} (/usr/bin/python3), float64 inputs`,
  );
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(2)).padStart(8);
for (const c of cases) {
  const { reference, test } = data.get(c.name);
  const options = { dataRange: 255 };
  const twoD = c.shape[2] === 1;
  const rows = [
    ['ssim', () => ssim(reference, test, options), 'ssim'],
    ['psnr', () => psnr(reference, test, options), 'psnr'],
    [
      `multiScaleSsim${twoD ? '' : ' (slice-wise)'}`,
      () => multiScaleSsim(reference, test, options),
    ],
    [`vif${twoD ? '' : ' (slice-wise)'}`, () => vif(reference, test, options)],
    [`uqi${twoD ? '' : ' (slice-wise)'}`, () => uqi(reference, test)],
    ['compareImages (all five)', () => compareImages(reference, test, options)],
  ];
  console.log(`\n${c.name}`);
  if (!twoD) {
    // Before any other 3-D call, so that the peak is this call's.
    const mb = (b) => (b / 2 ** 20).toFixed(0);
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    ssim(reference, test, options);
    const peakAfter = process.resourceUsage().maxRSS * 1024;
    console.log(
      `  memory: each float32 input is ${mb(reference.data.byteLength)} MB; peak RSS grew by ${mb(Math.max(0, peakAfter - peakBefore))} MB during the first 3-D ssim`,
    );
  }
  console.log(
    `  ${'metric'.padEnd(28)}${'ours ms'.padStart(8)}${'skimage ms'.padStart(12)}${'ratio'.padStart(8)}`,
  );
  let sumOfFive = 0;
  for (const [name, fn, key] of rows) {
    const runs = twoD ? c.runs : name.startsWith('ssim') || name.startsWith('psnr') ? c.runs : 1;
    const ms = medianMs(fn, runs);
    if (!name.startsWith('compareImages')) sumOfFive += ms;
    const ref = key && python ? python.cases[c.name][key] : undefined;
    const ratio = ref ? (ms / ref).toFixed(2) : '';
    console.log(
      `  ${name.padEnd(28)}${fmt(ms)}${(ref ? fmt(ref) : '').padStart(12)}${ratio.padStart(8)}`,
    );
  }
  console.log(`  ${'sum of the five calls'.padEnd(28)}${fmt(sumOfFive)}`);
  if (python) {
    const ours = ssim(reference, test, options);
    console.log(
      `  ssim agreement: ours ${ours.toFixed(12)} vs skimage ${python.cases[c.name].ssimValue.toFixed(12)}`,
    );
  }
}
