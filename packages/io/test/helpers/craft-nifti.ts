/**
 * Generator of crafted bad NIfTI files (the catalogue in packages/io/test/README.md, section
 * NIfTI).
 * Each case starts from a valid 4x5x6 int16 little-endian NIfTI-1 file and breaks one thing.
 * Kept as code, not binaries, so that every case is readable and reproducible.
 */
import { gzipSync } from 'node:zlib';
import { createVolume } from '@duncan-mri/volume';
import { writeNifti } from '../../src/index.js';
import { concat } from '../../src/internal/dicom-encode.js';

export const SHAPE = [4, 5, 6] as const;

/** The voxel values of the valid base file (integers, so int16 stores them exactly). */
export function baseValues(): Float32Array {
  return Float32Array.from({ length: 120 }, (_, i) => ((i * 37) % 251) - 100);
}

/** A valid 4x5x6 int16 NIfTI-1 (vox_offset 352, 592 bytes). */
export function validNifti(): Uint8Array {
  const volume = createVolume({ data: baseValues(), shape: SHAPE, spacing: [2, 2, 3] });
  return writeNifti(volume, { datatype: 'int16', xformCode: 1 });
}

/** A copy of `bytes` changed by `edit` through a little-endian DataView. */
export function mutate(
  bytes: Uint8Array,
  edit: (view: DataView, out: Uint8Array) => void,
): Uint8Array {
  const out = bytes.slice();
  edit(new DataView(out.buffer), out);
  return out;
}

/** A big-endian copy of the base file (header fields and voxels swapped). */
export function bigEndianNifti(): Uint8Array {
  const le = validNifti();
  const out = le.slice();
  const src = new DataView(le.buffer);
  const dst = new DataView(out.buffer);
  const int32 = [0, 140, 144];
  const int16 = [40, 42, 44, 46, 48, 50, 52, 54, 68, 70, 72, 74, 120, 252, 254];
  const float32 = [
    56, 60, 64, 76, 80, 84, 88, 92, 96, 100, 104, 108, 112, 116, 124, 128, 132, 136, 256, 260, 264,
    268, 272, 276,
  ];
  for (let o = 280; o < 328; o += 4) float32.push(o);
  for (const o of int32) dst.setInt32(o, src.getInt32(o, true), false);
  for (const o of int16) dst.setInt16(o, src.getInt16(o, true), false);
  for (const o of float32) dst.setFloat32(o, src.getFloat32(o, true), false);
  for (let i = 352; i < le.length; i += 2) dst.setInt16(i, src.getInt16(i, true), false);
  return out;
}

/** A gzip file of `bytes` (Node's zlib, independent of the reader's inflater). */
export function gz(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/** Concatenates byte arrays (the writer's own `concat`, spread). */
export function cat(...parts: Uint8Array[]): Uint8Array {
  return concat(parts);
}

/** One crafted case: what it is, its bytes, and what a trustworthy reader must do. */
export interface NiftiCase {
  readonly id: string;
  readonly what: string;
  readonly bytes: () => Uint8Array;
  /** An MriError code, or 'ok' when a correct volume must come back. */
  readonly expect: 'ok' | 'CORRUPT_FILE' | 'UNSUPPORTED_FORMAT' | 'LIMIT_EXCEEDED';
  /** A fragment the error message must contain (it says what is wrong and where). */
  readonly message?: RegExp;
  readonly limits?: Record<string, number>;
}

const set16 = (o: number, v: number) => (view: DataView) => view.setInt16(o, v, true);
const setF32 = (o: number, v: number) => (view: DataView) => view.setFloat32(o, v, true);

export function niftiCases(): NiftiCase[] {
  const base = validNifti;
  return [
    {
      id: 'N1',
      what: 'empty file',
      bytes: () => new Uint8Array(0),
      expect: 'CORRUPT_FILE',
      message: /empty file/,
    },
    {
      id: 'N2',
      what: 'truncated header (100 B)',
      bytes: () => base().slice(0, 100),
      expect: 'CORRUPT_FILE',
      message: /header truncated \(100 < 348 bytes\)/,
    },
    {
      id: 'N3',
      what: 'header only, no voxels',
      bytes: () => base().slice(0, 348),
      expect: 'CORRUPT_FILE',
      message: /truncated: expected 240 bytes of voxels at vox_offset 352/,
    },
    {
      id: 'N4',
      what: 'voxels cut in half',
      bytes: () => base().slice(0, 352 + 120),
      expect: 'CORRUPT_FILE',
      message: /file has 472/,
    },
    {
      id: 'N5a',
      what: 'sizeof_hdr 0',
      bytes: () => mutate(base(), (v) => v.setInt32(0, 0, true)),
      expect: 'CORRUPT_FILE',
      message: /sizeof_hdr must be 348/,
    },
    {
      id: 'N5b',
      what: 'sizeof_hdr 123',
      bytes: () => mutate(base(), (v) => v.setInt32(0, 123, true)),
      expect: 'CORRUPT_FILE',
      message: /got 123/,
    },
    {
      id: 'N6a',
      what: 'bad magic',
      bytes: () => mutate(base(), (_, o) => o.set([0x78, 0x79, 0x7a, 0], 344)),
      expect: 'CORRUPT_FILE',
      message: /magic must be/,
    },
    {
      id: 'N6b',
      what: 'ni1 magic in a single file',
      bytes: () => mutate(base(), (_, o) => o.set([0x6e, 0x69, 0x31, 0], 344)),
      expect: 'CORRUPT_FILE',
      message: /readNiftiPair/,
    },
    {
      id: 'N7a',
      what: 'dim[0] = 0',
      bytes: () => mutate(base(), set16(40, 0)),
      expect: 'CORRUPT_FILE',
      message: /dim\[0\] must be between 1 and 7, got 0/,
    },
    {
      id: 'N7b',
      what: 'dim[0] = 8',
      bytes: () => mutate(base(), set16(40, 8)),
      expect: 'CORRUPT_FILE',
      message: /got 8/,
    },
    {
      id: 'N7c',
      what: 'dim[0] = -1',
      bytes: () => mutate(base(), set16(40, -1)),
      expect: 'CORRUPT_FILE',
      message: /got -1/,
    },
    {
      id: 'N8a',
      what: 'negative dim[2]',
      bytes: () => mutate(base(), set16(44, -5)),
      expect: 'CORRUPT_FILE',
      message: /dim\[2\] must be >= 1/,
    },
    {
      id: 'N8b',
      what: 'zero dim[3]',
      bytes: () => mutate(base(), set16(46, 0)),
      expect: 'CORRUPT_FILE',
      message: /dim\[3\] must be >= 1/,
    },
    {
      id: 'N8c',
      what: 'garbage dims beyond dim[0] are ignored',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(48, -3, true);
          v.setInt16(50, 0, true);
        }),
      expect: 'ok',
    },
    {
      id: 'N9a',
      what: 'huge dims in a tiny file',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(40, 4, true);
          for (let i = 1; i <= 4; i++) v.setInt16(40 + 2 * i, 32767, true);
          v.setInt16(70, 16, true);
          v.setInt16(72, 32, true);
        }),
      expect: 'LIMIT_EXCEEDED',
      message: /maxVoxels/,
    },
    {
      id: 'N9b',
      what: 'huge dims in a tiny .nii.gz',
      bytes: () =>
        gz(
          mutate(base(), (v) => {
            v.setInt16(40, 4, true);
            for (let i = 1; i <= 4; i++) v.setInt16(40 + 2 * i, 32767, true);
          }),
        ),
      expect: 'LIMIT_EXCEEDED',
    },
    {
      id: 'N9c',
      what: 'big dims within limits but file too short',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(42, 1000, true);
          v.setInt16(44, 1000, true);
        }),
      expect: 'CORRUPT_FILE',
      message: /truncated/,
    },
    {
      id: 'N11a',
      what: 'datatype 0',
      bytes: () => mutate(base(), set16(70, 0)),
      expect: 'UNSUPPORTED_FORMAT',
      message: /datatype 0/,
    },
    {
      id: 'N11b',
      what: 'datatype 1 (binary)',
      bytes: () => mutate(base(), set16(70, 1)),
      expect: 'UNSUPPORTED_FORMAT',
      message: /datatype 1 \(binary/,
    },
    {
      id: 'N11c',
      what: 'datatype 1536 (float128)',
      bytes: () => mutate(base(), set16(70, 1536)),
      expect: 'UNSUPPORTED_FORMAT',
      message: /1536 \(float128\)/,
    },
    {
      id: 'N11d',
      what: 'datatype 9999',
      bytes: () => mutate(base(), set16(70, 9999)),
      expect: 'UNSUPPORTED_FORMAT',
      message: /datatype 9999/,
    },
    {
      id: 'N12',
      what: 'bitpix 8 with int16',
      bytes: () => mutate(base(), set16(72, 8)),
      expect: 'ok',
    },
    {
      id: 'N13',
      what: 'vox_offset 0 in .nii',
      bytes: () => mutate(base(), setF32(108, 0)),
      expect: 'CORRUPT_FILE',
      message: /vox_offset must be a whole number >= 352/,
    },
    {
      id: 'N14a',
      what: 'vox_offset 100',
      bytes: () => mutate(base(), setF32(108, 100)),
      expect: 'CORRUPT_FILE',
      message: /vox_offset/,
    },
    {
      id: 'N14b',
      what: 'vox_offset negative',
      bytes: () => mutate(base(), setF32(108, -352)),
      expect: 'CORRUPT_FILE',
      message: /vox_offset/,
    },
    {
      id: 'N14c',
      what: 'vox_offset NaN',
      bytes: () => mutate(base(), setF32(108, Number.NaN)),
      expect: 'CORRUPT_FILE',
      message: /got NaN/,
    },
    {
      id: 'N14d',
      what: 'vox_offset beyond EOF',
      bytes: () => mutate(base(), setF32(108, 100_000)),
      expect: 'CORRUPT_FILE',
      message: /truncated/,
    },
    {
      id: 'N14e',
      what: 'vox_offset 360 (not a multiple of 16) with the data there',
      bytes: () =>
        cat(mutate(base().slice(0, 352), setF32(108, 360)), new Uint8Array(8), base().slice(352)),
      expect: 'ok',
    },
    {
      id: 'N14f',
      what: 'vox_offset 352.5',
      bytes: () => mutate(base(), setF32(108, 352.5)),
      expect: 'CORRUPT_FILE',
      message: /whole number/,
    },
    {
      id: 'N15a',
      what: 'scl_slope 0',
      bytes: () =>
        mutate(base(), (v) => {
          v.setFloat32(112, 0, true);
          v.setFloat32(116, 99, true);
        }),
      expect: 'ok',
    },
    {
      id: 'N15b',
      what: 'scl_slope NaN',
      bytes: () => mutate(base(), setF32(112, Number.NaN)),
      expect: 'ok',
    },
    {
      id: 'N16a',
      what: 'scl_slope Inf',
      bytes: () => mutate(base(), setF32(112, Number.POSITIVE_INFINITY)),
      expect: 'ok',
    },
    {
      id: 'N16b',
      what: 'scl_inter Inf with a valid slope',
      bytes: () =>
        mutate(base(), (v) => {
          v.setFloat32(112, 2, true);
          v.setFloat32(116, Number.POSITIVE_INFINITY, true);
        }),
      expect: 'CORRUPT_FILE',
      message: /scl_inter must be finite/,
    },
    {
      id: 'N16c',
      what: 'scl_inter NaN with a valid slope',
      bytes: () =>
        mutate(base(), (v) => {
          v.setFloat32(112, 2, true);
          v.setFloat32(116, Number.NaN, true);
        }),
      expect: 'CORRUPT_FILE',
      message: /scl_inter/,
    },
    {
      id: 'N18',
      what: 'pixdim 0, negative, NaN with no xform',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(252, 0, true);
          v.setInt16(254, 0, true);
          v.setFloat32(80, 0, true);
          v.setFloat32(84, -2, true);
          v.setFloat32(88, Number.NaN, true);
        }),
      expect: 'ok',
    },
    {
      id: 'N19a',
      what: 'qform_code 99 and sform_code 0',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(252, 99, true);
          v.setInt16(254, 0, true);
        }),
      expect: 'ok',
    },
    {
      id: 'N19b',
      what: 'NaN quaternion, sform 0',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(254, 0, true);
          v.setFloat32(256, Number.NaN, true);
        }),
      expect: 'ok',
    },
    {
      id: 'N19c',
      what: '|b,c,d| > 1, sform 0',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(254, 0, true);
          v.setFloat32(256, 0.9, true);
          v.setFloat32(260, 0.9, true);
        }),
      expect: 'ok',
    },
    {
      id: 'N20',
      what: 'extension flag set but no room for one',
      bytes: () =>
        mutate(base(), (_, o) => {
          o[348] = 1;
        }),
      expect: 'ok',
    },
    {
      id: 'N21a',
      what: 'extension esize 0',
      bytes: () => extended((v) => v.setInt32(352, 0, true)),
      expect: 'CORRUPT_FILE',
      message: /esize must be >= 16/,
    },
    {
      id: 'N21b',
      what: 'extension esize negative',
      bytes: () => extended((v) => v.setInt32(352, -16, true)),
      expect: 'CORRUPT_FILE',
      message: /esize/,
    },
    {
      id: 'N22a',
      what: 'extension esize huge',
      bytes: () => extended((v) => v.setInt32(352, 0x7ffffff0, true)),
      expect: 'CORRUPT_FILE',
      message: /end by vox_offset/,
    },
    {
      id: 'N22b',
      what: 'extension esize 24 (not a multiple of 16)',
      bytes: () => extended((v) => v.setInt32(352, 24, true)),
      expect: 'ok',
    },
    { id: 'N23', what: 'big-endian file', bytes: bigEndianNifti, expect: 'ok' },
    {
      id: 'N24',
      what: 'gzip stream truncated',
      bytes: () => {
        const g = gz(base());
        return g.slice(0, g.length - 30);
      },
      expect: 'CORRUPT_FILE',
      message: /gzip/,
    },
    {
      id: 'N25a',
      what: 'gzip bad CRC',
      bytes: () => {
        const g = gz(base());
        g[g.length - 6]! ^= 0xff;
        return g;
      },
      expect: 'CORRUPT_FILE',
      message: /CRC-32 mismatch/,
    },
    {
      id: 'N25b',
      what: 'gzip bad ISIZE',
      bytes: () => {
        const g = gz(base());
        g[g.length - 2]! ^= 0x01;
        return g;
      },
      expect: 'CORRUPT_FILE',
      message: /ISIZE/,
    },
    {
      id: 'N26',
      what: 'gzip in two members',
      bytes: () => {
        const b = base();
        return cat(gz(b.slice(0, 192)), gz(b.slice(192)));
      },
      expect: 'ok',
    },
    {
      id: 'N26b',
      what: 'gzip in three members, bad CRC in the first',
      bytes: () => {
        const b = base();
        const first = gz(b.slice(0, 100));
        first[first.length - 8]! ^= 1;
        return cat(first, gz(b.slice(100, 400)), gz(b.slice(400)));
      },
      expect: 'CORRUPT_FILE',
      message: /CRC-32 mismatch/,
    },
    {
      id: 'N27a',
      what: 'gzip with trailing zero padding',
      bytes: () => cat(gz(base()), new Uint8Array(37)),
      expect: 'ok',
    },
    {
      id: 'N27b',
      what: 'gzip with trailing garbage',
      bytes: () => cat(gz(base()), new TextEncoder().encode('DEADBEEF'.repeat(7))),
      expect: 'CORRUPT_FILE',
      message: /trailing data/,
    },
    {
      id: 'N28',
      what: 'gzipped file whatever its name (sniffed)',
      bytes: () => gz(base()),
      expect: 'ok',
    },
    {
      id: 'N29a',
      what: 'gzip bomb: honest header larger than maxInflatedBytes',
      bytes: () =>
        gz(
          mutate(base(), (v) => {
            v.setInt16(42, 512, true);
            v.setInt16(44, 512, true);
            v.setInt16(46, 512, true);
            v.setInt16(70, 2, true);
          }),
        ),
      expect: 'LIMIT_EXCEEDED',
      message: /maxInflatedBytes/,
      limits: { maxInflatedBytes: 16 * 2 ** 20 },
    },
    {
      id: 'N29b',
      what: 'gzip bomb: small header, 64 MiB of zeros after it',
      bytes: () => gz(cat(base(), new Uint8Array(64 * 2 ** 20))),
      expect: 'LIMIT_EXCEEDED',
      message: /inflates past the 592 bytes its header declares/,
    },
    {
      id: 'N30a',
      what: 'RGB24 (datatype 128)',
      bytes: () => mutate(base(), set16(70, 128)),
      expect: 'UNSUPPORTED_FORMAT',
      message: /RGB24/,
    },
    {
      id: 'N30b',
      what: '5-D vector image',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(40, 5, true);
          v.setInt16(48, 1, true);
          v.setInt16(50, 3, true);
        }),
      expect: 'UNSUPPORTED_FORMAT',
      message: /not a scalar image/,
    },
    {
      id: 'N31',
      what: 'CIFTI intent',
      bytes: () => mutate(base(), set16(68, 3001)),
      expect: 'UNSUPPORTED_FORMAT',
      message: /CIFTI/,
    },
    {
      id: 'N33',
      what: '4-D with t = 1',
      bytes: () =>
        mutate(base(), (v) => {
          v.setInt16(40, 4, true);
          v.setInt16(48, 1, true);
          v.setFloat32(92, 2000, true);
        }),
      expect: 'ok',
    },
  ];
}

/** The base file with one 32-byte extension (vox_offset 384), edited by `edit`. */
function extended(edit: (view: DataView) => void): Uint8Array {
  const b = validNifti();
  const out = cat(b.slice(0, 352), new Uint8Array(32), b.slice(352));
  const view = new DataView(out.buffer);
  out[348] = 1;
  view.setFloat32(108, 384, true);
  view.setInt32(352, 32, true);
  view.setInt32(356, 6, true);
  edit(view);
  return out;
}
