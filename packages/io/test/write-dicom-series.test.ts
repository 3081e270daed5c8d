import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMriError, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { readDicom, readDicomSeries, writeDicomSeries } from '../src/index.js';
import { fixture, sameValues, thrown } from './helpers/fixtures.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'dicom', 'series');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.dcm'))
  .sort();

async function source() {
  const [result] = await readDicomSeries(names.map((n) => fixture(`dicom/series/${n}`)));
  return result!;
}

describe('writeDicomSeries', () => {
  it('writes a derived series that reads back to the same values and geometry', async () => {
    const { volume, header } = await source();
    const files = writeDicomSeries(volume, header, { seriesDescription: 'PD corrected' });
    expect(files).toHaveLength(20);
    const [back] = await readDicomSeries(files);
    expect(sameValues(back!.volume.data, volume.data)).toBe(true);
    back!.volume.affine.forEach((v, i) => {
      expect(Math.abs(v - volume.affine[i]!)).toBeLessThan(1e-4);
    });
    const h = back!.header;
    expect(h.seriesInstanceUid).toMatch(/^2\.25\.\d{1,39}$/);
    expect(h.seriesInstanceUid).not.toBe(header.seriesInstanceUid);
    expect(h.studyInstanceUid).toBe(header.studyInstanceUid);
    expect(h.frameOfReferenceUid).toBe(header.frameOfReferenceUid);
    expect(h.attributes.PatientName).toBe(header.attributes.PatientName);
    expect(h.attributes.PatientID).toBe(header.attributes.PatientID);
    expect(h.seriesDescription).toBe('PD corrected');
    expect(new Set(h.sopInstanceUids).size).toBe(20);
    for (const uid of h.sopInstanceUids) expect(header.sopInstanceUids).not.toContain(uid);
    expect(h.transferSyntax).toBe('1.2.840.10008.1.2.1');
  });

  it('stores non-integer values with a computed rescale and updates the window', async () => {
    const { volume, header } = await source();
    const scaled = withData(
      volume,
      volume.data.map((v) => v * 0.37 + 12.5),
    );
    const [back] = await readDicomSeries(writeDicomSeries(scaled, header));
    let max = 0;
    for (const v of scaled.data) max = Math.max(max, Math.abs(v));
    const slope = back!.header.rescaleSlopes[0]!;
    expect(slope).not.toBe(1);
    for (let i = 0; i < scaled.data.length; i += 97) {
      expect(Math.abs(back!.volume.data[i]! - scaled.data[i]!)).toBeLessThanOrEqual(
        slope / 2 + 1e-4 * max,
      );
    }
    expect(back!.header.windowWidth).toBeGreaterThan(1);
  });

  it('has the derived-series attributes', async () => {
    const { volume, header } = await source();
    const [first] = writeDicomSeries(volume, header);
    const textOf = (bytes: Uint8Array) => String.fromCharCode(...bytes.subarray(0, 4000));
    const t = textOf(first!);
    expect(t).toContain('DERIVED\\SECONDARY');
    expect(t).toContain('Artefact reduction by duncan-mri');
    expect(t).toContain(header.sopInstanceUids[0]!);
  });

  it('writes one slice from a single file, keeping its slice spacing', async () => {
    for (const file of [
      'dicom/MR_small.dcm',
      'dicom/jpeg_ls.dcm',
      'dicom/siemens_dwi_1000.dcm.gz',
    ]) {
      const { volume, header } = await readDicom(fixture(file));
      const files = writeDicomSeries(volume, header);
      expect(files).toHaveLength(volume.shape[2]);
      const [back] = await readDicomSeries(files);
      back!.volume.affine.forEach((v, i) => {
        expect(Math.abs(v - volume.affine[i]!), `${file} affine[${i}]`).toBeLessThan(1e-6);
      });
      const step = back!.header.rescaleSlopes[0]!;
      for (let i = 0; i < volume.data.length; i += 101) {
        expect(Math.abs(back!.volume.data[i]! - volume.data[i]!)).toBeLessThanOrEqual(
          step / 2 + 1e-6,
        );
      }
    }
  });

  it('refuses bad arguments', async () => {
    const { volume, header } = await source();
    const bad = withData(
      volume,
      volume.data.map((v, i) => (i === 5 ? Number.NaN : v)),
    );
    for (const [fn, code] of [
      [() => writeDicomSeries(bad, header), 'INVALID_ARGUMENT'],
      [() => writeDicomSeries(volume, {} as never), 'INVALID_ARGUMENT'],
      [() => writeDicomSeries(volume, { ...header, slices: 3 }), 'SHAPE_MISMATCH'],
      [() => writeDicomSeries(volume, header, { seriesNumber: 1.5 }), 'INVALID_ARGUMENT'],
    ] as const) {
      const error = thrown(fn);
      expect(isMriError(error)).toBe(true);
      expect((error as { code: string }).code).toBe(code);
    }
  });
});
