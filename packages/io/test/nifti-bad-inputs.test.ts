/**
 * Every NIfTI case of the bad-input catalogue (packages/io/test/README.md, section NIfTI) ends in
 * either a correct volume or an MriError with the right code and a message that says what is
 * wrong.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { readNifti, readNiftiPair } from '../src/index.js';
import { baseValues, niftiCases } from './helpers/craft-nifti.js';
import { fixture, thrown } from './helpers/fixtures.js';

describe('readNifti on the bad-input catalogue', () => {
  it.each(niftiCases().map((c) => [`${c.id} ${c.what}`, c] as const))('%s', (_name, c) => {
    const bytes = c.bytes();
    if (c.expect === 'ok') {
      const { volume, header } = readNifti(bytes);
      expect(volume.shape).toEqual([4, 5, 6]);
      const expected = baseValues();
      const scaled = c.id === 'N15a' || c.id === 'N15b' || c.id === 'N16a';
      for (let i = 0; i < expected.length; i++) expect(volume.data[i]).toBe(expected[i]);
      if (scaled) expect(header.appliedSlope).toBe(1);
      expect(volume.affine.every(Number.isFinite)).toBe(true);
      return;
    }
    const error = thrown(() => readNifti(bytes, c.limits ? { limits: c.limits } : {}));
    expect(isMriError(error), `${c.id} threw ${String(error)}`).toBe(true);
    expect((error as { code: string }).code).toBe(c.expect);
    expect((error as Error).message).toMatch(/^readNifti: /);
    if (c.message) expect((error as Error).message).toMatch(c.message);
  });

  it('warns instead of failing on the lenient cases', () => {
    const byId = new Map(niftiCases().map((c) => [c.id, c]));
    const warnings = (id: string) => readNifti(byId.get(id)!.bytes()).header.warnings.join('\n');
    expect(warnings('N12')).toMatch(/bitpix 8 does not match datatype 4/);
    expect(warnings('N14e')).toMatch(/not a multiple of 16/);
    expect(warnings('N15b')).toMatch(/scl_slope NaN is not finite/);
    expect(warnings('N19a')).toMatch(/qform_code 99 is not a valid code/);
    expect(warnings('N22b')).toMatch(/esize 24 is not a multiple of 16/);
    expect(warnings('N27a')).toMatch(/37 bytes of zero padding/);
  });

  it('N18: pixdim 0, negative or NaN becomes a usable voxel size', () => {
    const c = niftiCases().find((x) => x.id === 'N18')!;
    const { volume, header } = readNifti(c.bytes());
    expect(header.affineSource).toBe('pixdim');
    expect([volume.affine[0], volume.affine[5], volume.affine[10]]).toEqual([-1, 2, 1]);
  });

  it('N32: a .hdr without its .img names the missing image', () => {
    const error = thrown(() => readNiftiPair(fixture('nifti/nifti1.hdr'), new Uint8Array(0)));
    expect(isMriError(error)).toBe(true);
    expect((error as Error).message).toMatch(/img is empty.*\.img/);
    const single = thrown(() => readNifti(fixture('nifti/nifti1.hdr')));
    expect((single as Error).message).toMatch(/readNiftiPair/);
  });

  it('N31: the real CIFTI file is refused as not a volume', () => {
    const error = thrown(() => readNifti(fixture('nifti/row_major.dconn.nii')));
    expect((error as { code: string }).code).toBe('UNSUPPORTED_FORMAT');
  });

  it('rejects bad arguments with INVALID_ARGUMENT', () => {
    const bytes = fixture('nifti/functional.nii');
    for (const bad of [
      () => readNifti('x' as unknown as Uint8Array),
      () => readNifti(bytes, { frame: 20 }),
      () => readNifti(bytes, { frame: -1 }),
      () => readNifti(bytes, { frame: 0.5 }),
      () => readNifti(bytes, { limits: { maxVoxels: 0 } }),
      () => readNifti(bytes, null as unknown as object),
      () => readNifti(bytes, { inflate: 3 as unknown as () => Uint8Array }),
    ]) {
      const error = thrown(bad);
      expect(isMriError(error)).toBe(true);
      expect((error as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('wraps a throwing injected inflater and checks its output size', () => {
    const gzBytes = fixture('nifti/example4d.nii.gz');
    const e1 = thrown(() =>
      readNifti(gzBytes, {
        inflate: () => {
          throw 'boom';
        },
      }),
    );
    expect(isMriError(e1)).toBe(true);
    expect((e1 as Error).message).toMatch(/boom/);
    const e2 = thrown(() => readNifti(gzBytes, { inflate: (_b, max) => new Uint8Array(max + 1) }));
    expect((e2 as { code: string }).code).toBe('LIMIT_EXCEEDED');
    // Node's zlib with maxOutputLength: its RangeError becomes the same LIMIT_EXCEEDED
    const bomb = niftiCases()
      .find((c) => c.id === 'N29b')!
      .bytes();
    const e3 = thrown(() =>
      readNifti(bomb, { inflate: (b, max) => gunzipSync(b, { maxOutputLength: max }) }),
    );
    expect((e3 as { code: string }).code).toBe('LIMIT_EXCEEDED');
    expect((e3 as Error).message).toMatch(/its header declares/);
  });

  it('reads a pair whose .img is gzipped, and refuses an Analyze 7.5 header', () => {
    const hdr = fixture('nifti/syn-pair.hdr');
    const img = fixture('nifti/syn-pair.img');
    const plain = readNiftiPair(hdr, img);
    const zipped = readNiftiPair(hdr, new Uint8Array(gzipSync(img)));
    expect(Array.from(zipped.volume.data)).toEqual(Array.from(plain.volume.data));
    const analyze = thrown(() => readNiftiPair(fixture('nifti/analyze.hdr'), new Uint8Array(16)));
    expect((analyze as { code: string }).code).toBe('UNSUPPORTED_FORMAT');
    expect((analyze as Error).message).toMatch(/Analyze 7\.5/);
  });

  it('the same input gives the same output, and the input is not modified', () => {
    const bytes = fixture('nifti/example4d.nii.gz');
    const copy = bytes.slice();
    const a = readNifti(bytes, { frame: 1 });
    const b = readNifti(bytes, { frame: 1 });
    expect(a.volume.data).not.toBe(b.volume.data);
    expect(Array.from(a.volume.data.subarray(0, 5000))).toEqual(
      Array.from(b.volume.data.subarray(0, 5000)),
    );
    expect(bytes.every((v, i) => v === copy[i])).toBe(true);
  });
});
