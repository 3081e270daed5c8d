// Makes sample/itk-midsag-t1.nii.gz, the T1 slice `duncan demo` runs on by default: ITK's
// BrainMidSagittalSlice.png (a real mid-sagittal T1 of a human head, 217 x 180, 8-bit; Debian
// package insighttoolkit5-examples 5.2.1, Apache-2.0), as
// packages/core/scripts/prepare-evaluation-data.mjs decodes it into the locked test image
// data-cache/evaluation/test/itk-midsag-t1.nii (rows flipped so y runs inferior to superior,
// 1 mm pixels assumed). Run from packages/node after a build and that script:
//   node scripts/make-t1-sample.mjs
//
// The voxels are the test image's; only the affine differs. The test image's affine is the
// identity; the sample's says what the slice is: a sagittal plane, voxel x running from anterior
// to posterior (the face is on the left of the PNG), y from inferior to superior, and one slice
// across the left-right axis, centred on the origin. Stored as uint8 (the PNG's values, slope 1),
// gzip, qform = sform, code 2 (aligned anatomical).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNifti, writeNifti } from '@duncan-mri/io';
import { createVolume } from '@duncan-mri/volume';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const TEST_IMAGE = join(ROOT, 'data-cache/evaluation/test/itk-midsag-t1.nii');

if (!existsSync(TEST_IMAGE)) {
  throw new Error(
    `${TEST_IMAGE} is missing: run node packages/core/scripts/prepare-evaluation-data.mjs first`,
  );
}
const test = readNifti(new Uint8Array(readFileSync(TEST_IMAGE))).volume;
const [width, height] = test.shape;
const data = Float32Array.from(test.data);

// World (RAS+, mm) = A * voxel: x_world = -k (one slice, left-right), y_world = -i (anterior to
// posterior), z_world = j (inferior to superior); voxel centres centred on the origin.
const affine = [
  [0, 0, -1, 0],
  [-1, 0, 0, (width - 1) / 2],
  [0, 1, 0, -(height - 1) / 2],
  [0, 0, 0, 1],
].flat();
const volume = createVolume({ data, shape: [width, height, 1], affine });
const bytes = writeNifti(volume, { datatype: 'uint8', gzip: true, xformCode: 2 });
const out = join(HERE, '../sample/itk-midsag-t1.nii.gz');
writeFileSync(out, bytes);
console.log(
  `${out}: ${width}x${height}, ${bytes.length} bytes, sha256 ${createHash('sha256').update(readFileSync(out)).digest('hex')}; voxels of ${TEST_IMAGE}`,
);
