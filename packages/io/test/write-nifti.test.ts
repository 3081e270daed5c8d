import { createRng, createVolume, isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { readDicomSeries, readNifti, writeNifti } from '../src/index.js';
import { fixture, sameValues, thrown } from './helpers/fixtures.js';

const OBLIQUE = [-1.9, 0.2, 0.1, 90, 0.15, 2.4, -0.3, -120, 0.05, 0.35, 2.9, -70, 0, 0, 0, 1];

function randomVolume(seed: number) {
  const rng = createRng(seed);
  const data = Float32Array.from({ length: 7 * 6 * 5 }, () => rng.normal(100, 30));
  return createVolume({ data, shape: [7, 6, 5], affine: OBLIQUE });
}

function maxAffineError(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

describe('writeNifti', () => {
  it('float32 round trip is exact, gzipped or not', () => {
    const volume = randomVolume(1);
    for (const gzip of [false, true]) {
      const bytes = writeNifti(volume, { gzip });
      expect(bytes[0] === 0x1f).toBe(gzip);
      const back = readNifti(bytes);
      expect(back.volume.data).toEqual(volume.data);
      expect(maxAffineError(back.volume.affine, volume.affine)).toBeLessThan(1e-5);
      expect(back.header.voxOffset).toBe(352);
      expect(back.header.qformCode).toBe(back.header.sformCode);
      // the qform encodes the same affine (up to float32 and the nearest-rotation fit)
      expect(maxAffineError(back.header.qform!, volume.affine)).toBeLessThan(0.1);
    }
  });

  it('qform equals sform for a rigid affine with a flip', () => {
    const affine = [0, 0, 1.5, -10, -2, 0, 0, 20, 0, 3, 0, 5, 0, 0, 0, 1];
    const volume = createVolume({ data: new Float32Array(24), shape: [2, 3, 4], affine });
    const { header } = readNifti(writeNifti(volume));
    expect(maxAffineError(header.qform!, affine)).toBeLessThan(1e-5);
    expect(maxAffineError(header.sform!, affine)).toBeLessThan(1e-6);
  });

  it.each(['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'float64'] as const)(
    'integer and float64 datatypes: %s with computed scaling',
    (datatype) => {
      const volume = randomVolume(2);
      const back = readNifti(writeNifti(volume, { datatype }));
      expect(back.header.datatypeName).toBe(datatype);
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of volume.data) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const step = datatype === 'float64' ? 0 : back.header.appliedSlope;
      for (let i = 0; i < volume.data.length; i++) {
        expect(Math.abs(back.volume.data[i]! - volume.data[i]!)).toBeLessThanOrEqual(
          step / 2 + 1e-4 * (max - min),
        );
      }
    },
  );

  it('stores integer-valued data without scaling', () => {
    const volume = createVolume({
      data: Float32Array.from({ length: 8 }, (_, i) => i * 1000 - 3000),
      shape: [2, 2, 2],
    });
    const back = readNifti(writeNifti(volume, { datatype: 'int16' }));
    expect(back.header.sclSlope).toBe(1);
    expect(back.volume.data).toEqual(volume.data);
  });

  it('read -> write keeps description, intent, units, TR and extensions', () => {
    const { volume, header } = readNifti(fixture('nifti/example4d.nii.gz'));
    const back = readNifti(writeNifti(volume, { header, datatype: 'int16' }));
    expect(back.header.description).toBe(header.description);
    expect(back.header.xyztUnits).toBe(header.xyztUnits);
    expect(back.header.pixdim[4]).toBe(header.pixdim[4]);
    expect(back.header.intentCode).toBe(header.intentCode);
    expect(back.header.extensions.map((e) => e.code)).toEqual(header.extensions.map((e) => e.code));
    for (const [i, e] of header.extensions.entries()) {
      expect(back.header.extensions[i]!.data.subarray(0, e.data.length)).toEqual(e.data);
    }
    expect(back.header.voxOffset).toBeGreaterThan(352);
    expect(back.header.voxOffset % 16).toBe(0);
    expect(back.header.sformCode).toBe(header.sformCode);
    expect(back.volume.data).toEqual(volume.data);
  });

  it('refuses non-finite values for integer types and bad options', () => {
    const volume = createVolume({ data: [1, Number.NaN, 3, 4], shape: [2, 2] });
    for (const bad of [
      () => writeNifti(volume, { datatype: 'int16' }),
      () => writeNifti(volume, { datatype: 'int64' as 'int16' }),
      () => writeNifti({} as never),
      () => writeNifti(volume, { xformCode: 9 as 1 }),
    ]) {
      const error = thrown(bad);
      expect(isMriError(error)).toBe(true);
      expect((error as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
    // float32 keeps NaN
    expect(Number.isNaN(readNifti(writeNifti(volume)).volume.data[1]!)).toBe(true);
  });

  it('does not mutate its input', () => {
    const volume = randomVolume(3);
    const copy = volume.data.slice();
    writeNifti(volume, { datatype: 'uint8', gzip: true });
    expect(volume.data).toEqual(copy);
  });

  it('converts a DICOM series to NIfTI with the same voxels and RAS affine', async () => {
    const names = Array.from(
      { length: 20 },
      (_, i) => `dicom/series/brain_${String(i + 1).padStart(3, '0')}.dcm`,
    );
    const [first] = await readDicomSeries(names.map(fixture));
    const volume = first!.volume;
    const back = readNifti(writeNifti(volume, { gzip: true, xformCode: 1 }));
    expect(sameValues(back.volume.data, volume.data)).toBe(true);
    expect(maxAffineError(back.volume.affine, volume.affine)).toBeLessThan(1e-4);
    expect(back.header.sformCode).toBe(1);
  });

  it('reading does not modify the input bytes', () => {
    const bytes = fixture('nifti/anatomical.nii');
    const copy = bytes.slice();
    readNifti(bytes);
    expect(bytes.every((b, i) => b === copy[i])).toBe(true);
  });
});
