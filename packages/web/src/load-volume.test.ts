import { gzipSync } from 'node:zlib';
import { writeNifti } from '@duncan-mri/io';
import { codeAndArgumentOf } from '@duncan-mri/test-helpers';
import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { loadVolume } from './load-volume.js';

const volume = createVolume({
  data: Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 7) % 11),
  shape: [5, 4, 3],
  spacing: [1, 1, 2.5],
});
const nii = new Uint8Array(writeNifti(volume));

// In Node (Blob, File and DecompressionStream are globals); the browser run is in test/.
describe('loadVolume', () => {
  it('reads NIfTI from bytes, ArrayBuffer, Blob and File, gzipped or not', async () => {
    const gz = new Uint8Array(gzipSync(nii));
    const sources = [
      nii,
      nii.slice().buffer,
      new Blob([nii]),
      new File([nii], 'scan.nii'),
      new Uint8Array(gz),
      new File([gz], 'scan.nii.gz'),
    ];
    for (const source of sources) {
      const r = await loadVolume(source);
      expect(r.format).toBe('nifti');
      expect(r.volume.shape).toEqual([5, 4, 3]);
      expect(Array.from(r.volume.data)).toEqual(Array.from(volume.data));
    }
    expect((await loadVolume(new File([nii], 'scan.nii'))).name).toBe('scan.nii');
  });

  it('enforces maxInflatedBytes on the native inflater', async () => {
    const gz = new Uint8Array(gzipSync(nii));
    expect(await codeAndArgumentOf(loadVolume(gz, { limits: { maxInflatedBytes: 100 } }))).toBe(
      'LIMIT_EXCEEDED limits.maxInflatedBytes',
    );
  });

  it('reports corrupt gzip through @duncan-mri/io', async () => {
    const gz = new Uint8Array(gzipSync(nii));
    const cut = gz.subarray(0, gz.length - 20);
    expect((await codeAndArgumentOf(loadVolume(cut)))?.split(' ')[0]).toBe('CORRUPT_FILE');
  });

  it.each([
    [42, {}, 'INVALID_ARGUMENT source'],
    [[], {}, 'INVALID_ARGUMENT source'],
    [nii, { format: 'png' }, 'INVALID_ARGUMENT options.format'],
    [nii, { signal: 'stop' }, 'INVALID_ARGUMENT options.signal'],
    [[nii, nii], { format: 'nifti' }, 'INVALID_ARGUMENT source'],
  ])('refuses %#', async (source, options, expected) => {
    expect(await codeAndArgumentOf(loadVolume(source as never, options as never))).toBe(expected);
  });

  it('treats other bytes as DICOM and lets @duncan-mri/io refuse them', async () => {
    const code = await codeAndArgumentOf(loadVolume(new Uint8Array(400)));
    expect(code?.split(' ')[0]).toMatch(/CORRUPT_FILE|UNSUPPORTED_FORMAT/);
  });

  it('rejects with the reason of an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadVolume(nii, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
