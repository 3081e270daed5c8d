import { readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { isMriError } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDicom, readNifti, sniffFormat } from '../src/index.js';
import { fixture, thrown } from './helpers/fixtures.js';

const NIFTI_DIR = new URL('./fixtures/nifti/', import.meta.url);
const DICOM_DIR = new URL('./fixtures/dicom/', import.meta.url);

/** `n` bytes whose first four hold `sizeofHdr` in the given byte order. */
function header(sizeofHdr: number, littleEndian: boolean, n = 352): Uint8Array {
  const bytes = new Uint8Array(n);
  new DataView(bytes.buffer).setInt32(0, sizeofHdr, littleEndian);
  return bytes;
}

describe('sniffFormat', () => {
  it('names every NIfTI fixture: NIfTI-1 (and Analyze) 348, NIfTI-2 540, gzip before inflating', () => {
    const expected: Record<string, string> = {
      'example_nifti2.nii.gz': 'nifti-2',
      'syn-nifti2-4d.nii.gz': 'nifti-2',
      'nifti2.hdr': 'nifti-2',
      'row_major.dconn.nii': 'nifti-2', // CIFTI-2 is stored as NIfTI-2
    };
    for (const name of readdirSync(NIFTI_DIR)) {
      const bytes = fixture(`nifti/${name}`);
      if (name.endsWith('.img')) {
        expect(sniffFormat(bytes), name).toBe('unknown');
        continue;
      }
      const inflated = name.endsWith('.gz') ? new Uint8Array(gunzipSync(bytes)) : bytes;
      expect(sniffFormat(bytes), name).toBe(
        name.endsWith('.gz') ? 'gzip' : (expected[name] ?? 'nifti-1'),
      );
      expect(sniffFormat(inflated), `${name} inflated`).toBe(expected[name] ?? 'nifti-1');
    }
  });

  it('names DICOM files with a preamble, and only those', async () => {
    let dicom = 0;
    for (const name of readdirSync(DICOM_DIR, { recursive: true }) as string[]) {
      if (!/\.(dcm|ima)$/i.test(name) && !/^series\//.test(name)) continue;
      let bytes: Uint8Array;
      try {
        bytes = fixture(`dicom/${name}`);
      } catch {
        continue; // a directory
      }
      const format = sniffFormat(bytes);
      const hasPreamble = new TextDecoder().decode(bytes.subarray(128, 132)) === 'DICM';
      expect(format, name).toBe(hasPreamble ? 'dicom' : 'unknown');
      if (hasPreamble) dicom++;
    }
    expect(dicom).toBeGreaterThan(5);
    // The readers agree with what the sniffer says of the first bytes.
    expect((await readDicom(fixture('dicom/MR_small.dcm'))).volume.shape).toEqual([64, 64, 1]);
    expect(readNifti(fixture('nifti/minimal.nii')).volume.shape.length).toBe(3);
  });

  it('reads the header size in either byte order, and needs only the first 132 bytes', () => {
    for (const littleEndian of [true, false]) {
      expect(sniffFormat(header(348, littleEndian))).toBe('nifti-1');
      expect(sniffFormat(header(540, littleEndian))).toBe('nifti-2');
      expect(sniffFormat(header(348, littleEndian, 4))).toBe('nifti-1');
    }
    const head = fixture('dicom/MR_small.dcm').subarray(0, 132);
    expect(sniffFormat(head)).toBe('dicom');
    expect(sniffFormat(head.subarray(0, 131))).toBe('unknown');
    expect(sniffFormat(Uint8Array.of(0x1f, 0x8b))).toBe('gzip');
    expect(sniffFormat(Uint8Array.of(0x1f))).toBe('unknown');
    expect(sniffFormat(new Uint8Array(0))).toBe('unknown');
  });

  it('puts the DICOM preamble first: DICM at 128 wins over a NIfTI size or gzip magic before it', () => {
    const bytes = header(348, true, 200);
    bytes.set(new TextEncoder().encode('DICM'), 128);
    expect(sniffFormat(bytes)).toBe('dicom');
    bytes.set([0x1f, 0x8b], 0);
    expect(sniffFormat(bytes)).toBe('dicom');
  });

  it('says unknown for other bytes, never throws on them, and reads no further than 132 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const format = sniffFormat(bytes);
        expect(['dicom', 'gzip', 'nifti-1', 'nifti-2', 'unknown']).toContain(format);
        if (bytes.length > 132) expect(sniffFormat(bytes.subarray(0, 132))).toBe(format);
      }),
    );
    expect(sniffFormat(new TextEncoder().encode('not a scan at all'))).toBe('unknown');
  });

  it('refuses what is not a Uint8Array with INVALID_ARGUMENT', () => {
    for (const bad of [undefined, null, 'bytes', [0x1f, 0x8b], new ArrayBuffer(4)]) {
      const error = thrown(() => sniffFormat(bad as unknown as Uint8Array));
      expect(isMriError(error) && error.code).toBe('INVALID_ARGUMENT');
    }
  });
});
