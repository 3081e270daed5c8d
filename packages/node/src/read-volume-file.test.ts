import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readNifti } from '@duncan-mri/io';
import { describe, expect, it } from 'vitest';
import {
  copyGeSeries,
  DICOM,
  expectMriError,
  GE_SERIES,
  NIFTI,
  SAMPLE,
  sha256,
  tempDir,
} from '../test/helpers.js';
import { readVolumeFile } from './read-volume-file.js';

describe('readVolumeFile', () => {
  it('reads .nii and .nii.gz as io.readNifti does, and never writes', async () => {
    const before = sha256(NIFTI('anatomical.nii'));
    const nii = await readVolumeFile(NIFTI('anatomical.nii'));
    expect(nii.format).toBe('nifti');
    expect(nii.volume.shape).toEqual([33, 41, 25]);
    expect(nii.nifti?.littleEndian).toBe(false);
    expect(nii.files).toEqual([NIFTI('anatomical.nii')]);
    expect(sha256(NIFTI('anatomical.nii'))).toBe(before);
    const gz = await readVolumeFile(SAMPLE);
    expect(gz.volume.shape).toEqual([256, 256, 4]);
    expect(gz.nifti?.datatypeName).toBe('int16');
    const direct = readNifti(new Uint8Array(readFileSync(SAMPLE))).volume;
    expect(gz.volume.data).toEqual(direct.data);
    expect(gz.volume.affine).toEqual(direct.affine);
  });

  it('reads a NIfTI pair from either half, and names a missing half', async () => {
    const fromHdr = await readVolumeFile(NIFTI('syn-pair.hdr'));
    const fromImg = await readVolumeFile(NIFTI('syn-pair.img'));
    expect(fromHdr.format).toBe('nifti-pair');
    expect(fromHdr.files).toEqual([NIFTI('syn-pair.hdr'), NIFTI('syn-pair.img')]);
    expect(fromImg.volume.data).toEqual(fromHdr.volume.data);
    const e = await expectMriError(() => readVolumeFile(NIFTI('nifti1.hdr')), {});
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toMatch(/\.img is missing: nifti1\.img/);
  });

  it('reads one DICOM file and a directory of DICOM files (one series)', async () => {
    const one = await readVolumeFile(DICOM('MR_small.dcm'));
    expect(one.format).toBe('dicom');
    expect(one.volume.shape).toEqual([64, 64, 1]);
    expect(one.series).toHaveLength(1);
    const dir = await readVolumeFile(GE_SERIES);
    expect(dir.volume.shape).toEqual([256, 256, 20]);
    expect(dir.files).toHaveLength(20);
    expect(dir.dicom?.seriesDescription).toBe('FSE PD AXIAL OBL');
    expect(dir.series[0]).toMatchObject({ index: 1, shape: [256, 256, 20], modality: 'MR' });
  });

  it('skips the DICOM files of a directory that cannot be read, naming each; strict fails on them by name', async () => {
    const dir = tempDir();
    const names = copyGeSeries(dir, 1, 4);
    writeFileSync(join(dir, 'brain_999.dcm'), 'DICM? no, a damaged file');
    // A truncated slice: its pixel data is cut off.
    const whole = readFileSync(join(GE_SERIES, names[1]!));
    writeFileSync(join(dir, names[1]!), whole.subarray(0, whole.length - 1000));
    const read = await readVolumeFile(dir);
    expect(read.volume.shape[2]).toBe(3);
    expect(read.files.map((f) => basename(f))).toEqual([names[0], names[2], names[3]]);
    const skipped = read.warnings.filter((w) => w.startsWith('skipped '));
    expect(skipped.map((w) => w.split(':')[0])).toEqual([
      `skipped ${names[1]}`,
      'skipped brain_999.dcm',
    ]);
    expect(skipped[0]).toMatch(/\[(CORRUPT_FILE|UNSUPPORTED_FORMAT)\]$/);
    // The missing slice shows as a gap.
    expect(read.warnings.join('\n')).toMatch(/uneven slice spacing/);
    const strict = await expectMriError(() => readVolumeFile(dir, { strict: true }), {});
    expect(strict.message).toMatch(
      new RegExp(`^readDicomSeries: ${names[1]!.replace('.', '\\.')}: `),
    );
    expect(strict.message).not.toMatch(/files\[/);
  });

  it('asks which series when a directory holds several, and takes a position or a UID', async () => {
    const dir = tempDir();
    copyGeSeries(dir, 10, 11);
    copyFileSync(DICOM('MR_small.dcm'), join(dir, 'small.dcm'));
    writeFileSync(join(dir, 'notes.txt'), 'not dicom');
    mkdirSync(join(dir, 'sub'));
    const e = await expectMriError(() => readVolumeFile(dir), {});
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/holds 2 series \(choose with --series <n\|uid>\): 1: .*; 2: /);
    const first = await readVolumeFile(dir, { series: 1 });
    const second = await readVolumeFile(dir, { series: 2 });
    expect([first.volume.shape[2], second.volume.shape[2]].sort()).toEqual([1, 2]);
    const uid = second.series[1]!.seriesInstanceUid!;
    expect((await readVolumeFile(dir, { series: uid })).volume.shape).toEqual(second.volume.shape);
    expect(first.warnings).toContain('skipped notes.txt: not a DICOM file');
    expect((await expectMriError(() => readVolumeFile(dir, { series: 3 }), {})).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await expectMriError(() => readVolumeFile(dir, { series: 0 }), {})).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(readdirSync(dir).sort()).toEqual([
      'brain_010.dcm',
      'brain_011.dcm',
      'notes.txt',
      'small.dcm',
      'sub',
    ]);
  });

  it('throws MriError with a clear code for bad inputs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'text.bin'), 'hello, this is not an image');
    writeFileSync(join(dir, 'empty.nii'), '');
    const cases: [string, string, RegExp][] = [
      [join(dir, 'missing.nii'), 'IO_ERROR', /path does not exist/],
      [join(dir, 'text.bin'), 'UNSUPPORTED_FORMAT', /neither a NIfTI header nor a DICOM preamble/],
      [join(dir, 'empty.nii'), 'CORRUPT_FILE', /readNifti/],
      [NIFTI('row_major.dconn.nii'), 'UNSUPPORTED_FORMAT', /readNifti/],
      [DICOM('MR_truncated.dcm'), 'CORRUPT_FILE', /readDicomSeries/],
    ];
    for (const [path, code, message] of cases) {
      const e = await expectMriError(() => readVolumeFile(path), {});
      expect([path, e.code]).toEqual([path, code]);
      expect(e.message).toMatch(message);
    }
    const empty = tempDir();
    expect((await expectMriError(() => readVolumeFile(empty), {})).code).toBe('UNSUPPORTED_FORMAT');
    expect((await expectMriError(() => readVolumeFile(''), {})).code).toBe('INVALID_ARGUMENT');
    expect((await expectMriError(() => readVolumeFile(SAMPLE, { series: -1 }), {})).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('bounds a DICOM directory by limits.maxFrames before reading it all', async () => {
    const dir = tempDir();
    copyGeSeries(dir, 10, 12);
    const e = await expectMriError(() => readVolumeFile(dir, { limits: { maxFrames: 2 } }), {});
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toMatch(/at most 2 DICOM files/);
    expect((await readVolumeFile(dir, { limits: { maxFrames: 3 } })).volume.shape[2]).toBe(3);
  });

  it('refuses a FIFO instead of blocking on it', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'scan.nii');
    execFileSync('mkfifo', [fifo]);
    const e = await expectMriError(() => readVolumeFile(fifo), {});
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toMatch(/not a regular file/);
  });

  it('stops a gzip bomb at the size its header declares', async () => {
    const { gzipSync } = await import('node:zlib');
    // A real header (anatomical.nii: 33x41x25 int16) followed by 64 MiB of zeros.
    const header = readFileSync(NIFTI('anatomical.nii'));
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(64 * 2 ** 20)]));
    const dir = tempDir();
    writeFileSync(join(dir, 'bomb.nii.gz'), bomb);
    const e = await expectMriError(() => readVolumeFile(join(dir, 'bomb.nii.gz')), {});
    expect(e.code).toBe('LIMIT_EXCEEDED');
  });
});
