// Smoke test of the BUILT package under plain Node (no vitest): ESM resolution of the
// dependencies and the asm.js codecs behave differently outside vitest.
//   cd packages/io && npx tsup && node test/built-package.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readDicom,
  readDicomSeries,
  readNifti,
  writeDicomSeries,
  writeNifti,
} from '@duncan-mri/io';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const bytes = (p) => new Uint8Array(readFileSync(join(FIX, p)));
const checks = [];
const check = (name, ok) => {
  checks.push([name, ok]);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
};

const nii = readNifti(bytes('nifti/example4d.nii.gz'), { frame: 1 });
check(
  'readNifti .nii.gz',
  nii.volume.shape.join('x') === '128x96x24' && nii.header.extensions.length === 2,
);
check(
  'writeNifti round trip',
  readNifti(writeNifti(nii.volume, { gzip: true })).volume.data.every(
    (v, i) => v === nii.volume.data[i],
  ),
);
const reference = (await readDicom(bytes('dicom/MR_small.dcm'))).volume.data;
for (const f of [
  'MR_small_RLE.dcm',
  'MR_small_jpeg_ls_lossless.dcm',
  'MR_small_jp2klossless.dcm',
  'MR_small_bigendian.dcm',
  'zipMR.gz',
]) {
  const { volume } = await readDicom(bytes(`dicom/${f}`));
  check(
    `readDicom ${f}`,
    volume.data.every((v, i) => v === reference[i]),
  );
}
for (const f of [
  'jpeg_lossless_sel1.dcm',
  'jpeg_ls.dcm',
  'jpeg_2000.dcm',
  'syn-jpeg-baseline.dcm',
  'deflated.dcm',
  'rle.dcm',
]) {
  const { volume, header } = await readDicom(bytes(`dicom/${f}`));
  check(
    `readDicom ${f} (${header.transferSyntax})`,
    volume.data.length > 0 && volume.data.some((v) => v !== 0),
  );
}
const bad = await readDicom(bytes('dicom/JPEG2000-embedded-sequence-delimiter.dcm')).catch(
  (e) => e,
);
check(
  'hostile codestream refused with MriError',
  bad?.name === 'MriError' && bad.code === 'CORRUPT_FILE',
);
const series = await readDicomSeries(
  Array.from({ length: 20 }, (_, i) =>
    bytes(`dicom/series/brain_${String(i + 1).padStart(3, '0')}.dcm`),
  ),
);
const derived = writeDicomSeries(series[0].volume, series[0].header);
check('readDicomSeries + writeDicomSeries', series.length === 1 && derived.length === 20);
const failed = checks.filter(([, ok]) => !ok);
console.log(
  failed.length === 0 ? `all ${checks.length} checks passed` : `${failed.length} checks failed`,
);
process.exit(failed.length === 0 ? 0 : 1);
