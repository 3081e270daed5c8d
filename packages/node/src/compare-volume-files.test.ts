import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNifti } from '@duncan-mri/io';
import { compareImages } from '@duncan-mri/metrics';
import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { expectMriError, NIFTI, SAMPLE, tempDir } from '../test/helpers.js';
import { compareVolumeFiles } from './compare-volume-files.js';
import { readVolumeFile } from './read-volume-file.js';

describe('compareVolumeFiles', () => {
  it('equals compareImages on the volumes read, with the reference range by default', async () => {
    const dir = tempDir();
    const clean = (await readVolumeFile(SAMPLE)).volume;
    const noisy = createVolume({
      data: Float32Array.from(clean.data, (v, i) => v + ((i * 7919) % 41) - 20),
      shape: clean.shape,
      affine: clean.affine,
    });
    writeFileSync(join(dir, 'noisy.nii'), writeNifti(noisy));
    const m = await compareVolumeFiles(SAMPLE, join(dir, 'noisy.nii'));
    expect(m.dataRange).toBe(960);
    expect(m.dataRangeSource).toBe('reference');
    expect(m.slicewise).toBe(true); // 4 slices: too thin for the 3-D window
    const direct = compareImages(clean, noisy, { dataRange: 960, slicewise: true });
    expect({ ssim: m.ssim, msssim: m.msssim, vif: m.vif, uqi: m.uqi, psnr: m.psnr }).toEqual(
      direct,
    );
    const same = await compareVolumeFiles(SAMPLE, SAMPLE, { dataRange: 1000 });
    expect(same.ssim).toBe(1);
    expect(same.psnr).toBe(Number.POSITIVE_INFINITY);
    expect(same.dataRangeSource).toBe('option');
    // A mask: only voxels where it is non-zero are scored by SSIM, UQI and PSNR.
    const mask = createVolume({
      data: Float32Array.from(clean.data, (v) => (v > 100 ? 1 : 0)),
      shape: clean.shape,
      affine: clean.affine,
    });
    writeFileSync(join(dir, 'mask.nii.gz'), writeNifti(mask, { datatype: 'uint8', gzip: true }));
    const masked = await compareVolumeFiles(SAMPLE, join(dir, 'noisy.nii'), {
      mask: join(dir, 'mask.nii.gz'),
    });
    expect(masked.maskedVoxels).toBe(mask.data.reduce((a, b) => a + b, 0));
    expect(masked.psnr).not.toBe(m.psnr);
  });

  it('scores a chosen frame of 4-D inputs and refuses to pick one silently', async () => {
    const dir = tempDir();
    const bytes = readFileSync(NIFTI('functional.nii'));
    // 17x21x3 int16 voxels a frame, 20 frames: the copy differs in frame 3 only.
    const frameBytes = 17 * 21 * 3 * 2;
    const changed = Buffer.from(bytes);
    for (let i = 352 + 2 * frameBytes; i < 352 + 3 * frameBytes; i += 2) changed[i]! ^= 0x08;
    writeFileSync(join(dir, 'changed.nii'), changed);
    const e = await expectMriError(
      () => compareVolumeFiles(NIFTI('functional.nii'), join(dir, 'changed.nii')),
      {},
    );
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/^compareVolumeFiles: frame must be given when an input is 4-D/);
    const scores = [];
    for (const frame of [0, 1, 2, 3])
      scores.push(
        (await compareVolumeFiles(NIFTI('functional.nii'), join(dir, 'changed.nii'), { frame }))
          .ssim,
      );
    expect(scores.map((s) => s === 1)).toEqual([true, true, false, true]);
    // A 3-D pair has no frame to choose.
    expect((await compareVolumeFiles(SAMPLE, SAMPLE)).frame).toBeNull();
    expect(
      (await expectMriError(() => compareVolumeFiles(SAMPLE, SAMPLE, { frame: -1 }), {})).code,
    ).toBe('INVALID_ARGUMENT');
  });

  it('throws MriError for mismatched grids and flat references', async () => {
    const dir = tempDir();
    expect(
      (await expectMriError(() => compareVolumeFiles(SAMPLE, NIFTI('anatomical.nii')), {})).code,
    ).toBe('SHAPE_MISMATCH');
    expect(
      (
        await expectMriError(
          () => compareVolumeFiles(SAMPLE, SAMPLE, { mask: NIFTI('anatomical.nii') }),
          {},
        )
      ).code,
    ).toBe('SHAPE_MISMATCH');
    const flat = createVolume({ data: new Float32Array(16 * 16), shape: [16, 16] });
    writeFileSync(join(dir, 'flat.nii'), writeNifti(flat));
    const e = await expectMriError(
      () => compareVolumeFiles(join(dir, 'flat.nii'), join(dir, 'flat.nii')),
      {},
    );
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/dataRange must be given/);
    expect(
      (await expectMriError(() => compareVolumeFiles(SAMPLE, SAMPLE, { dataRange: -1 }), {})).code,
    ).toBe('INVALID_ARGUMENT');
  });
});
