/**
 * Files this package writes are read back by nibabel and pydicom to the same data and geometry:
 * tools/reference/io_readback.py checked the files of test/reference/write-samples.mjs and stored
 * its verdicts in test/reference/readback.json. The NIfTI writer is deterministic, so this test
 * rebuilds those files and checks that their bytes are the ones nibabel checked.
 */
import { createHash } from 'node:crypto';
import { createRng, createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { readDicomSeries, readNifti, type WriteNiftiOptions, writeNifti } from '../src/index.js';
import { fixture, reference } from './helpers/fixtures.js';

interface Readback {
  nifti: {
    file: string;
    sha256: string;
    ok: boolean;
    affineMaxAbsError: number;
    dataMaxRelError: number;
  }[];
  dicom: { series: string; files: number; ok: boolean; problems: string[] }[];
}

const readback = reference<Readback>('readback.json');

async function samples(): Promise<Record<string, Uint8Array>> {
  const anatomical = readNifti(fixture('nifti/anatomical.nii'));
  const example4d = readNifti(fixture('nifti/example4d.nii.gz'), { frame: 1 });
  const rng = createRng(7);
  const oblique = createVolume({
    data: Float32Array.from({ length: 9 * 8 * 7 }, () => rng.normal(50, 20)),
    shape: [9, 8, 7],
    affine: [0.2, -1.9, 0.1, 40, 2.1, 0.15, -0.2, -30, 0.05, 0.1, 3.2, 12, 0, 0, 0, 1],
  });
  const w = (v: Parameters<typeof writeNifti>[0], o: WriteNiftiOptions) => writeNifti(v, o);
  const names = Array.from(
    { length: 20 },
    (_, i) => `dicom/series/brain_${String(i + 1).padStart(3, '0')}.dcm`,
  );
  const [series] = await readDicomSeries(names.map(fixture));
  return {
    'series-from-dicom.nii.gz': w(series!.volume, { gzip: true, xformCode: 1 }),
    'anatomical-float32.nii': w(anatomical.volume, {}),
    'anatomical-int16.nii.gz': w(anatomical.volume, {
      header: anatomical.header,
      datatype: 'int16',
      gzip: true,
    }),
    'example4d-frame1.nii.gz': w(example4d.volume, { header: example4d.header, gzip: true }),
    'oblique-float32.nii': w(oblique, { xformCode: 1 }),
    'oblique-uint8.nii': w(oblique, { datatype: 'uint8' }),
    'oblique-float64.nii.gz': w(oblique, { datatype: 'float64', gzip: true }),
  };
}

describe('nibabel and pydicom read back what io writes', () => {
  it('nibabel: every NIfTI sample passed (one converted from the DICOM series), and the writer still produces those exact bytes', async () => {
    const made = await samples();
    expect(readback.nifti.map((r) => r.file).sort()).toEqual(Object.keys(made).sort());
    for (const r of readback.nifti) {
      expect(r.ok, `${r.file}: affine ${r.affineMaxAbsError}, data ${r.dataMaxRelError}`).toBe(
        true,
      );
      expect(createHash('sha256').update(made[r.file]!).digest('hex'), r.file).toBe(r.sha256);
    }
  });

  it('pydicom: the derived series passed (pixels, positions, orientation, spacing, UIDs, references)', () => {
    expect(readback.dicom.length).toBeGreaterThanOrEqual(2);
    for (const r of readback.dicom) {
      expect(r.problems).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.files).toBe(20);
    }
  });
});
