import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createVolume, withData } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { copyGeSeries, expectMriError, NIFTI, SAMPLE, sha256, tempDir } from '../test/helpers.js';
import { readVolumeFile } from './read-volume-file.js';
import { checkVolumeFileTarget, writeVolumeFile } from './write-volume-file.js';

describe('writeVolumeFile', () => {
  it('writes .nii.gz and .nii that read back to the same volume, header carried over', async () => {
    const input = await readVolumeFile(NIFTI('example4d.nii.gz'));
    const dir = tempDir();
    const gz = await writeVolumeFile(join(dir, 'a', 'out.nii.gz'), input.volume, { source: input });
    expect(gz.format).toBe('nifti');
    const back = await readVolumeFile(gz.path);
    expect(back.volume.data).toEqual(input.volume.data);
    expect(back.volume.affine.map((v) => Math.fround(v))).toEqual(
      input.volume.affine.map((v) => Math.fround(v)),
    );
    expect(back.nifti?.extensions).toHaveLength(input.nifti!.extensions.length);
    expect(back.nifti?.description).toBe(input.nifti!.description);
    const plain = await writeVolumeFile(join(dir, 'out.nii'), input.volume, { datatype: 'int16' });
    expect((await readVolumeFile(plain.path)).nifti?.datatypeName).toBe('int16');
    // Nothing but the outputs: no temporary files left behind.
    expect(readdirSync(dir).sort()).toEqual(['a', 'out.nii']);
    expect(readdirSync(join(dir, 'a'))).toEqual(['out.nii.gz']);
  });

  it('refuses an existing output unless asked, and never overwrites an input', async () => {
    const dir = tempDir();
    const copy = join(dir, 'in.nii.gz');
    copyFileSync(SAMPLE, copy);
    const input = await readVolumeFile(copy);
    const before = sha256(copy);
    const out = join(dir, 'out.nii.gz');
    await writeVolumeFile(out, input.volume, { source: input });
    const exists = await expectMriError(
      () => writeVolumeFile(out, input.volume, { source: input }),
      {},
    );
    expect(exists.code).toBe('IO_ERROR');
    expect(exists.message).toMatch(/must not exist already \(pass overwrite/);
    const changed = withData(
      input.volume,
      input.volume.data.map((v) => v + 1),
    );
    await writeVolumeFile(out, changed, { source: input, overwrite: true });
    expect((await readVolumeFile(out)).volume.data[0]).toBe(input.volume.data[0]! + 1);
    for (const target of [copy, join(dir, '.', 'in.nii.gz')]) {
      const e = await expectMriError(
        () => writeVolumeFile(target, changed, { source: input, overwrite: true }),
        {},
      );
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/must not be \(or contain\) an input/);
    }
    // Through a symbolic link, and through `protect`.
    symlinkSync(copy, join(dir, 'link.nii.gz'));
    expect(
      (
        await expectMriError(
          () =>
            writeVolumeFile(join(dir, 'link.nii.gz'), changed, { source: input, overwrite: true }),
          {},
        )
      ).code,
    ).toBe('INVALID_ARGUMENT');
    expect(
      (
        await expectMriError(
          () => writeVolumeFile(out, changed, { overwrite: true, protect: [out] }),
          {},
        )
      ).code,
    ).toBe('INVALID_ARGUMENT');
    expect(sha256(copy)).toBe(before);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('writes a derived DICOM series directory for a DICOM source', async () => {
    const dir = tempDir();
    const series = join(dir, 'series');
    copyGeSeries(series, 10, 12);
    const input = await readVolumeFile(series);
    const out = await writeVolumeFile(join(dir, 'derived'), input.volume, {
      source: input,
      seriesDescription: 'test derived',
    });
    expect(out.format).toBe('dicom');
    expect(readdirSync(out.path)).toEqual(['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm']);
    const back = await readVolumeFile(out.path);
    expect(back.dicom?.seriesDescription).toBe('test derived');
    expect(back.dicom?.seriesInstanceUid).not.toBe(input.dicom?.seriesInstanceUid);
    expect(back.volume.shape).toEqual(input.volume.shape);
    for (let i = 0; i < input.volume.data.length; i += 997)
      expect(back.volume.data[i]).toBeCloseTo(input.volume.data[i]!, 3);
    // Exists -> refused; overwrite replaces the directory; the source directory is protected.
    expect(
      (await expectMriError(() => writeVolumeFile(out.path, input.volume, { source: input }), {}))
        .code,
    ).toBe('IO_ERROR');
    await writeVolumeFile(out.path, input.volume, { source: input, overwrite: true });
    expect(readdirSync(out.path)).toHaveLength(3);
    for (const target of [series, dir]) {
      const e = await expectMriError(
        () => writeVolumeFile(target, input.volume, { source: input, overwrite: true }),
        {},
      );
      expect(e.code).toBe('INVALID_ARGUMENT');
    }
    expect(readdirSync(series)).toHaveLength(3);
    expect(readdirSync(dir).sort()).toEqual(['derived', 'series']);
    // The series directory gets the mode a plain mkdir gives (not mkdtemp's 0700).
    expect(statSync(out.path).mode & 0o777).toBe(0o777 & ~process.umask());
    // A directory holding anything but a series is never replaced, even with overwrite.
    const notes = join(dir, 'notes');
    mkdirSync(join(notes, 'sub'), { recursive: true });
    writeFileSync(join(notes, 'keep.txt'), 'keep');
    const e = await expectMriError(
      () => writeVolumeFile(notes, input.volume, { source: input, overwrite: true }),
      {},
    );
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toMatch(/holds more than a DICOM series/);
    expect(readdirSync(notes).sort()).toEqual(['keep.txt', 'sub']);
  });

  it('throws MriError for bad arguments', async () => {
    const dir = tempDir();
    const volume = createVolume({ data: new Float32Array(8), shape: [2, 2, 2] });
    const cases: [() => unknown, string][] = [
      [() => writeVolumeFile(join(dir, 'x.dcm'), volume), 'INVALID_ARGUMENT'],
      [() => writeVolumeFile(join(dir, 'x'), volume), 'INVALID_ARGUMENT'],
      [() => writeVolumeFile(join(dir, 'x.hdr'), volume), 'UNSUPPORTED_FORMAT'],
      [() => writeVolumeFile('', volume), 'INVALID_ARGUMENT'],
      [() => writeVolumeFile(join(dir, 'x.nii'), { data: [1] } as never), 'INVALID_ARGUMENT'],
      [
        () => writeVolumeFile(join(dir, 'x.nii'), volume, { overwrite: 'yes' as never }),
        'INVALID_ARGUMENT',
      ],
      [
        () => writeVolumeFile(join(dir, 'x.nii'), volume, { source: {} as never }),
        'INVALID_ARGUMENT',
      ],
    ];
    for (const [fn, code] of cases) expect((await expectMriError(fn, {})).code).toBe(code);
    writeFileSync(join(dir, 'file'), 'x');
    expect(
      (await expectMriError(() => writeVolumeFile(join(dir, 'file', 'x.nii'), volume), {})).code,
    ).toBe('IO_ERROR');
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('writes valid names of 236 to 255 bytes, NIfTI and DICOM, and refuses longer ones with an MriError', async () => {
    const dir = tempDir();
    const nifti = await readVolumeFile(NIFTI('anatomical.nii'));
    const series = join(dir, 'series');
    copyGeSeries(series, 10, 11);
    const dicom = await readVolumeFile(series);
    for (const length of [236, 254, 255]) {
      const name = join(dir, `${'n'.repeat(length - 7)}.nii.gz`);
      checkVolumeFileTarget(name, { source: nifti });
      await writeVolumeFile(name, nifti.volume, { source: nifti });
      await writeVolumeFile(name, nifti.volume, { source: nifti, overwrite: true });
      const derived = join(dir, 'd'.repeat(length));
      checkVolumeFileTarget(derived, { source: dicom });
      await writeVolumeFile(derived, dicom.volume, { source: dicom });
      await writeVolumeFile(derived, dicom.volume, { source: dicom, overwrite: true });
      expect(readdirSync(derived)).toEqual(['IM0001.dcm', 'IM0002.dcm']);
    }
    for (const path of [join(dir, `${'n'.repeat(249)}.nii.gz`), join(dir, 'd'.repeat(256))]) {
      const check = await expectMriError(() => checkVolumeFileTarget(path, { source: dicom }), {});
      expect(check.message).toMatch(
        /^writeVolumeFile: path has a name too long for the file system/,
      );
      const write = await expectMriError(
        () => writeVolumeFile(path, dicom.volume, { source: dicom }),
        {},
      );
      expect(write).toMatchObject({ code: 'IO_ERROR', message: check.message });
    }
    expect(readdirSync(dir)).toHaveLength(7);
  });

  it('checkVolumeFileTarget probes the directory: a parent that is a file, too little space', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const e = await expectMriError(
      () => checkVolumeFileTarget(join(dir, 'file', 'sub', 'out.nii')),
      {},
    );
    expect(e).toMatchObject({ code: 'IO_ERROR' });
    expect(e.message).toMatch(/has a parent that is not a directory/);
    const big = await expectMriError(
      () =>
        checkVolumeFileTarget(join(dir, 'new', 'out.nii'), { shape: [2 ** 20, 2 ** 20, 2 ** 10] }),
      {},
    );
    expect(big.message).toMatch(/no space left on device \(the output needs about/);
    // Compressed outputs have no size to check; the probe's directories are removed again.
    checkVolumeFileTarget(join(dir, 'new', 'out.nii.gz'), { shape: [2 ** 20, 2 ** 20, 2 ** 10] });
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('removes the temporary files that killed runs left, on the next write into that directory', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const leftovers = [`.duncan-tmp-${dead}-0badf00d`, `.duncan-tmp-${dead}-deadbeef`];
    writeFileSync(join(dir, leftovers[0]!), new Uint8Array(4096));
    mkdirSync(join(dir, leftovers[1]!));
    writeFileSync(join(dir, leftovers[1]!, 'IM0001.dcm'), new Uint8Array(4096));
    const input = await readVolumeFile(NIFTI('anatomical.nii'));
    await writeVolumeFile(join(dir, 'out.nii'), input.volume, { source: input });
    expect(readdirSync(dir)).toEqual(['out.nii']);
  });
});
