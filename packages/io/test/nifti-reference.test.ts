/**
 * readNifti against nibabel 5.0.0 on real and synthetic files: shape, frame count, the best
 * affine (sform > qform > pixdim), the scaling and the scaled voxel values of frame 0.
 * Values come from tools/reference/io_nifti_reference.py (stored in test/reference/nifti.json).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readNifti, readNiftiPair } from '../src/index.js';
import { close, fixture, reference } from './helpers/fixtures.js';

interface Case {
  file: string;
  tool: string;
  call: string;
  shape: number[];
  frames: number;
  affine: number[];
  slope: number | null;
  inter: number | null;
  sformCode: number;
  qformCode: number;
  datatype: number;
  extensions: number[];
  nanCount: number;
  sum: number;
  min: number;
  max: number;
  rtol: number;
  atol_affine: number;
  values?: (number | null)[];
  samples?: [number, number | null][];
  lastFrameSum?: number;
  sha256: string;
}

const golden = reference<{ cases: Case[] }>('nifti.json');

function read(file: string, frame?: number) {
  const bytes = fixture(`nifti/${file}`);
  if (file.endsWith('.hdr')) {
    return readNiftiPair(
      bytes,
      fixture(`nifti/${file.replace(/\.hdr$/, '.img')}`),
      frame === undefined ? {} : { frame },
    );
  }
  return readNifti(bytes, frame === undefined ? {} : { frame });
}

describe('readNifti equals nibabel', () => {
  it('covers the catalogue of real files and every datatype', () => {
    const files = golden.cases.map((c) => c.file);
    for (const f of [
      'anatomical.nii',
      'functional.nii',
      'example4d.nii.gz',
      'example_nifti2.nii.gz',
      'resampled_anat_moved.nii',
      'minimal.nii',
      'KmeansTest_T1UCharRaw.nii.gz',
    ]) {
      expect(files).toContain(f);
    }
    const types = new Set(golden.cases.map((c) => c.datatype));
    for (const t of [2, 4, 8, 16, 64, 256, 512, 768, 1024, 1280])
      expect(types.has(t), `datatype ${t}`).toBe(true);
  });

  it.each(golden.cases.map((c) => [c.file, c] as const))('%s', (file, c) => {
    expect(
      createHash('sha256')
        .update(fixture(`nifti/${file}`))
        .digest('hex'),
    ).toBe(c.sha256);
    const { volume, header } = read(file);
    expect(volume.shape).toEqual(c.shape);
    expect(header.frames).toBe(c.frames);
    expect(header.datatype).toBe(c.datatype);
    expect(header.extensions.map((e) => e.code)).toEqual(c.extensions);
    for (let i = 0; i < 16; i++) {
      expect(Math.abs(volume.affine[i]! - c.affine[i]!), `affine[${i}]`).toBeLessThanOrEqual(
        c.atol_affine,
      );
    }
    expect(header.appliedSlope).toBeCloseTo(c.slope ?? 1, 12);
    expect(header.appliedInter).toBeCloseTo(c.inter ?? 0, 12);
    let sum = 0;
    let nans = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of volume.data) {
      if (Number.isNaN(v)) {
        nans++;
        continue;
      }
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(nans).toBe(c.nanCount);
    expect(close(min, c.min, c.rtol, 1e-6)).toBe(true);
    expect(close(max, c.max, c.rtol, 1e-6)).toBe(true);
    expect(close(sum, c.sum, 1e-5, 1e-3), `sum ${sum} vs ${c.sum}`).toBe(true);
    const pairs: [number, number | null][] = c.values
      ? c.values.map((v, i) => [i, v])
      : (c.samples ?? []);
    for (const [i, expected] of pairs) {
      const got = volume.data[i]!;
      if (expected === null) expect(Number.isNaN(got), `voxel ${i}`).toBe(true);
      else
        expect(close(got, expected, c.rtol, 1e-6), `voxel ${i}: ${got} vs ${expected}`).toBe(true);
    }
    if (c.lastFrameSum !== undefined) {
      const last = read(file, c.frames - 1).volume.data;
      let s = 0;
      for (const v of last) s += Number.isNaN(v) ? 0 : v;
      expect(close(s, c.lastFrameSum, 1e-5, 1e-3)).toBe(true);
    }
  });
});
