import { readNifti } from '@duncan-mri/io';
import { createVolume, isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { toNiftiBlob } from './to-nifti-blob.js';

describe('toNiftiBlob', () => {
  const volume = createVolume({
    data: Float32Array.from({ length: 24 }, (_, i) => i * 0.5),
    shape: [4, 3, 2],
    spacing: [1, 2, 3],
  });

  it('writes a NIfTI file that reads back to the same volume, gzipped or not', async () => {
    for (const gzip of [false, true]) {
      const blob = toNiftiBlob(volume, { gzip });
      expect(blob.type).toBe(gzip ? 'application/gzip' : 'application/octet-stream');
      const back = readNifti(new Uint8Array(await blob.arrayBuffer())).volume;
      expect(back.shape).toEqual(volume.shape);
      expect(Array.from(back.data)).toEqual(Array.from(volume.data));
      expect(back.affine).toEqual(volume.affine);
    }
  });

  it('refuses what is not a volume', () => {
    try {
      toNiftiBlob({ data: [1] } as never);
      expect.unreachable();
    } catch (e) {
      expect(isMriError(e) && e.code).toBe('INVALID_ARGUMENT');
    }
  });
});
