// Writes files with the BUILT package for tools/reference/io_readback.py, which reads them back
// with nibabel and pydicom. Run from packages/io after `npx tsup`:
//   node test/reference/write-samples.mjs && /usr/bin/python3 ../../tools/reference/io_readback.py
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDicomSeries, readNifti, writeDicomSeries, writeNifti } from '@duncan-mri/io';
import { createRng, createVolume, withData } from '@duncan-mri/volume';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIX = join(HERE, '..', 'fixtures');
const OUT = join(HERE, '..', '..', '..', '..', 'data-cache', 'io-readback');
mkdirSync(OUT, { recursive: true });
const bytesOf = (p) => {
  const b = readFileSync(join(FIX, p));
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const f32 = (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
const manifest = { nifti: [], dicom: [] };

function nifti(name, volume, options) {
  const bytes = writeNifti(volume, options);
  writeFileSync(join(OUT, name), bytes);
  const back = readNifti(bytes).volume;
  writeFileSync(join(OUT, `${name}.expected.f32`), f32(back.data));
  manifest.nifti.push({
    file: name,
    shape: back.shape,
    affine: back.affine,
    options: { ...options, header: undefined },
  });
}

const anatomical = readNifti(bytesOf('nifti/anatomical.nii'));
nifti('anatomical-float32.nii', anatomical.volume, {});
nifti('anatomical-int16.nii.gz', anatomical.volume, {
  header: anatomical.header,
  datatype: 'int16',
  gzip: true,
});
const example4d = readNifti(bytesOf('nifti/example4d.nii.gz'), { frame: 1 });
nifti('example4d-frame1.nii.gz', example4d.volume, { header: example4d.header, gzip: true });
const rng = createRng(7);
const oblique = createVolume({
  data: Float32Array.from({ length: 9 * 8 * 7 }, () => rng.normal(50, 20)),
  shape: [9, 8, 7],
  affine: [0.2, -1.9, 0.1, 40, 2.1, 0.15, -0.2, -30, 0.05, 0.1, 3.2, 12, 0, 0, 0, 1],
});
nifti('oblique-float32.nii', oblique, { xformCode: 1 });
nifti('oblique-uint8.nii', oblique, { datatype: 'uint8' });
nifti('oblique-float64.nii.gz', oblique, { datatype: 'float64', gzip: true });

const seriesDir = join(FIX, 'dicom', 'series');
const files = readdirSync(seriesDir)
  .filter((f) => f.endsWith('.dcm'))
  .sort()
  .map((f) => bytesOf(`dicom/series/${f}`));
const [series] = await readDicomSeries(files);
nifti('series-from-dicom.nii.gz', series.volume, { gzip: true, xformCode: 1 });
const derived = [
  ['derived-same', series.volume],
  [
    'derived-scaled',
    withData(
      series.volume,
      series.volume.data.map((v) => v * 0.37 + 12.5),
    ),
  ],
];
for (const [name, volume] of derived) {
  const out = writeDicomSeries(volume, series.header, { seriesDescription: name });
  mkdirSync(join(OUT, name), { recursive: true });
  out.forEach((b, k) => {
    writeFileSync(join(OUT, name, `${String(k).padStart(3, '0')}.dcm`), b);
  });
  const [back] = await readDicomSeries(out);
  writeFileSync(join(OUT, `${name}.expected.f32`), f32(back.volume.data));
  manifest.dicom.push({
    dir: name,
    slices: out.length,
    rows: series.header.rows,
    columns: series.header.columns,
    sourcePositions: series.header.imagePositionsPatient,
    sourceOrientation: series.header.imageOrientationPatient,
    sourcePixelSpacing: series.header.pixelSpacing,
    sourceSopInstanceUids: series.header.sopInstanceUids,
    studyInstanceUid: series.header.studyInstanceUid,
    frameOfReferenceUid: series.header.frameOfReferenceUid,
    patientId: series.header.attributes.PatientID ?? null,
  });
}
writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 1));
console.log(
  `wrote ${manifest.nifti.length} NIfTI files and ${manifest.dicom.length} DICOM series to ${OUT}`,
);
