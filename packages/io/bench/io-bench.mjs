// Benchmark: @duncan-mri/io beside nibabel and pydicom on the same files, in the same run.
//   cd packages/io && npx tsup && npm run bench
// Colin27 (ch2.nii.gz, 181x217x181 uint8, gzip) comes from Debian's mricron-data package in
// data-cache/ (fetched by tools/reference/io-fetch-data.sh); without it that row is skipped.
// Times are medians of several runs, file reading included on both sides; Python's are taken
// inside one interpreter (start-up excluded).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readDicomSeries, readNifti } from '@duncan-mri/io';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const COLIN = join(
  ROOT,
  'data-cache',
  'x',
  'mricron-data',
  'usr',
  'share',
  'mricron',
  'templates',
  'ch2.nii.gz',
);
const SERIES = join(HERE, '..', 'test', 'fixtures', 'dicom', 'series');
const RUNS = 15;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  await fn(); // warm-up
  const out = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

const files = readdirSync(SERIES)
  .filter((f) => f.endsWith('.dcm'))
  .sort()
  .map((f) => join(SERIES, f));
const PY = `
import sys, time, json, warnings
warnings.simplefilter('ignore')
import numpy as np, nibabel as nib, pydicom
runs = ${RUNS}
def med(fn):
    fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); fn(); ts.append((time.perf_counter() - t) * 1000)
    return sorted(ts)[len(ts) // 2]
colin, files = sys.argv[1], sys.argv[2:]
out = {'nibabel': nib.__version__, 'pydicom': pydicom.__version__}
if colin != '-':
    out['nifti'] = med(lambda: nib.load(colin).get_fdata(dtype=np.float32))
def series():
    dss = [pydicom.dcmread(f) for f in files]
    iop = np.array(dss[0].ImageOrientationPatient, dtype=float)
    n = np.cross(iop[:3], iop[3:])
    dss.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, dtype=float), n)))
    return np.stack([d.pixel_array.astype(np.float32) * float(d.get('RescaleSlope', 1)) + float(d.get('RescaleIntercept', 0)) for d in dss])
out['dicom'] = med(series)
print(json.dumps(out))
`;
const py = spawnSync('/usr/bin/python3', ['-c', PY, existsSync(COLIN) ? COLIN : '-', ...files], {
  encoding: 'utf8',
});
if (py.status !== 0) {
  console.error(
    `python reference failed (is Debian's python3-nibabel/python3-pydicom installed?)\n${py.stderr}`,
  );
  process.exit(1);
}
const ref = JSON.parse(py.stdout);
const zlibInflate = (b, max) => gunzipSync(b, { maxOutputLength: max, chunkSize: 1 << 20 });
const rows = [];
if (existsSync(COLIN)) {
  const bytes = () => new Uint8Array(readFileSync(COLIN));
  const fflate = await time(() => readNifti(bytes()));
  const zlib = await time(() => readNifti(bytes(), { inflate: zlibInflate }));
  rows.push([
    'ch2.nii.gz -> float32 (fflate, default)',
    fflate,
    ref.nifti,
    `nibabel ${ref.nibabel}`,
  ]);
  rows.push([
    'ch2.nii.gz -> float32 (inflate: node:zlib)',
    zlib,
    ref.nifti,
    `nibabel ${ref.nibabel}`,
  ]);
} else {
  console.log(`skipped Colin27: ${COLIN} is absent (run tools/reference/io-fetch-data.sh)`);
}
const dicom = await time(() => readDicomSeries(files.map((f) => new Uint8Array(readFileSync(f)))));
rows.push(['20-file GE DICOM series -> volume', dicom, ref.dicom, `pydicom ${ref.pydicom}`]);
console.log(`node ${process.version}, median of ${RUNS} runs\n`);
console.log('| case | @duncan-mri/io (ms) | reference (ms) | reference | ratio io/reference |');
console.log('| --- | ---: | ---: | --- | ---: |');
for (const [name, ours, theirs, tool] of rows) {
  console.log(
    `| ${name} | ${ours.toFixed(1)} | ${theirs.toFixed(1)} | ${tool} | ${(ours / theirs).toFixed(2)} |`,
  );
}
