/**
 * Adversarial inputs beyond the bad-input catalogue (packages/io/test/README.md): each
 * crafted input must end in a correct volume or an MriError with the right code and a message
 * naming the problem. Inputs are small so that a quadratic loop or an allocation before a check
 * shows up as a slow test, not as a passing one.
 */
import { deflateRawSync } from 'node:zlib';
import { expectMriError } from '@duncan-mri/test-helpers';
import { createVolume, type Volume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_READ_LIMITS,
  type NiftiHeader,
  readDicom,
  readDicomSeries,
  readNifti,
  writeDicomSeries,
  writeNifti,
} from '../src/index.js';
import {
  baseElements,
  DEFLATED,
  deepSequence,
  type El,
  EXPLICIT_LE,
  encapsulated,
  encode,
  IMPLICIT_LE,
  imageSize,
  item,
  JPEG_LS,
  numberOfFrames,
  part10,
  pixelData,
  RLE,
  seqEnd,
  str,
  u16,
  uid,
  validDicom,
  withElements,
} from './helpers/craft-dicom.js';
import { cat, gz, mutate, validNifti } from './helpers/craft-nifti.js';
import { fixture } from './helpers/fixtures.js';

const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);

/** `unit` repeated `n` times (the helpers' spread-based cat overflows the stack for 100k parts). */
function repeat(unit: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(unit.length * n);
  for (let i = 0; i < n; i++) out.set(unit, i * unit.length);
  return out;
}

describe('NIfTI reader', () => {
  // A header, one 16-byte extension, then nothing: vox_offset points far past the end.
  const extensionThenEof = (voxOffset: number) =>
    mutate(cat(validNifti().slice(0, 352), u32(16), u32(0), new Uint8Array(8)), (v, out) => {
      out[348] = 1;
      v.setFloat32(108, voxOffset, true);
    });

  it('vox_offset beyond the end of a file with extensions is a truncated file, not a RangeError', async () => {
    await expectMriError(() => readNifti(extensionThenEof(1_000_000)), {
      code: 'CORRUPT_FILE',
      message: /truncated/,
    });
    await expectMriError(() => readNifti(gz(extensionThenEof(1_000_000))), {
      code: 'CORRUPT_FILE',
      message: /truncated/,
    });
  });
});

/**
 * A non-final fixed-Huffman deflate block: literal 0 then `k` copies of (length 258, distance 1),
 * 13 bits per 258 zero bytes; k = 8m + 6 makes the block end on a byte boundary, so copies of it
 * can be concatenated into an arbitrarily long stream.
 */
function zeroBlock(k: number): Uint8Array {
  const bytes: number[] = [];
  let acc = 0;
  let n = 0;
  const bit = (b: number) => {
    acc |= b << n;
    if (++n === 8) {
      bytes.push(acc);
      acc = 0;
      n = 0;
    }
  };
  const code = (c: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bit((c >> i) & 1);
  };
  bit(0); // BFINAL
  bit(1); // BTYPE 01 (fixed Huffman), low bit first
  bit(0);
  code(0x30, 8); // literal 0
  for (let i = 0; i < k; i++) {
    code(0xc5, 8); // length 258
    code(0, 5); // distance 1
  }
  code(0, 7); // end of block
  expect(n).toBe(0);
  return Uint8Array.from(bytes);
}

describe('gzip', () => {
  it('a bomb behind a small ISIZE is stopped early, not inflated to the end (3 MB in, 512 MB out)', async () => {
    const nifti = validNifti();
    const stored = cat(
      Uint8Array.of(0, nifti.length & 0xff, nifti.length >> 8),
      Uint8Array.of(~nifti.length & 0xff, (~nifti.length >> 8) & 0xff),
      nifti,
    );
    const finalEmptyBlock = Uint8Array.of(0x03, 0x00);
    const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
    const trailer = cat(u32(0), u32(nifti.length));
    const block = zeroBlock(8 * 1000 + 6); // 2 MB of zeros
    const bomb = cat(header, stored, repeat(block, 250), finalEmptyBlock, trailer);
    expect(bomb.length).toBeLessThan(4 * 2 ** 20);
    await expectMriError(() => readNifti(bomb), { code: 'LIMIT_EXCEEDED', message: /gzip bomb/ });
  });
});

describe('NIfTI writer', () => {
  const flat = (n: number) => createVolume({ data: new Float32Array(n), shape: [n, 1, 1] });

  it('refuses a dimension that NIfTI-1 (int16 dims) cannot hold instead of wrapping it', async () => {
    await expectMriError(() => writeNifti(flat(40_000)), {
      code: 'INVALID_ARGUMENT',
      message: /32767.*40000/,
    });
    expect(readNifti(writeNifti(flat(32_767))).volume.shape).toEqual([32_767, 1, 1]);
  });

  it('refuses a header that is not a NiftiHeader with an MriError, not a TypeError', async () => {
    const volume = flat(4);
    await expectMriError(() => writeNifti(volume, { header: {} as NiftiHeader }), {
      code: 'INVALID_ARGUMENT',
      message: /header/,
    });
    await expectMriError(
      () =>
        writeNifti(volume, {
          header: { ...readNifti(validNifti()).header, extensions: [{ code: 6, data: 'x' }] },
        } as never),
      { code: 'INVALID_ARGUMENT', message: /extensions/ },
    );
  });

  it('keeps huge finite values when storing integers (scl_slope stays finite)', () => {
    const data = Float32Array.of(-3.4e38, 0, 3.4e38, 1);
    const volume = createVolume({ data, shape: [4, 1, 1] });
    for (const datatype of ['uint8', 'int16', 'int32'] as const) {
      const back = readNifti(writeNifti(volume, { datatype })).volume.data;
      expect(Math.abs(back[0]! / -3.4e38 - 1)).toBeLessThan(1e-2);
      expect(Math.abs(back[2]! / 3.4e38 - 1)).toBeLessThan(1e-2);
    }
  });

  it('refuses NaN and Infinity voxels for integer datatypes, keeps them for float', async () => {
    const volume = createVolume({ data: Float32Array.of(1, Number.NaN, 2, 3), shape: [4, 1, 1] });
    await expectMriError(() => writeNifti(volume, { datatype: 'int16' }), {
      code: 'INVALID_ARGUMENT',
      message: /finite.*NaN/,
    });
    expect(Number.isNaN(readNifti(writeNifti(volume)).volume.data[1])).toBe(true);
  });
});

describe('DICOM parser', () => {
  it('readDicom turns a stack overflow (user-raised nesting limit) into an MriError', async () => {
    const level = encode(deepSequence(1));
    const file = part10(cat(encode(baseElements()), repeat(level, 200_000)), EXPLICIT_LE);
    const limits = { maxSequenceDepth: 1_000_000 };
    await expectMriError(() => readDicom(file, { limits }), {
      code: 'LIMIT_EXCEEDED',
      message: /stack/,
    });
    await expectMriError(() => readDicomSeries([file], { limits }), {
      code: 'LIMIT_EXCEEDED',
      message: /stack/,
    });
  });

  it('a run of zero bytes followed by data (Implicit VR) is refused in linear time', async () => {
    const body = cat(
      encode([...baseElements(), pixelData()], 'implicit'),
      new Uint8Array(4_000_000),
      Uint8Array.of(1),
    );
    await expectMriError(() => readDicom(part10(body, IMPLICIT_LE)), {
      code: 'CORRUPT_FILE',
      message: /zero bytes.*followed by/,
    });
  });

  it('bounds the number of elements, items and fragments (a deflated file of empty items)', async () => {
    const items = 200_000;
    const sq: El = {
      tag: 0x00081140,
      vr: 'SQ',
      value: cat(repeat(encode([item(new Uint8Array(0))]), items), encode([seqEnd()])),
      length: 0xffffffff,
    };
    const body = encode([...baseElements(), sq, pixelData()]);
    const deflated = part10(new Uint8Array(deflateRawSync(body)), DEFLATED);
    expect(deflated.length).toBeLessThan(20_000);
    await expectMriError(() => readDicom(deflated, { limits: { maxElements: 10_000 } } as never), {
      code: 'LIMIT_EXCEEDED',
      message: /maxElements/,
    });
    expect(DEFAULT_READ_LIMITS.maxElements).toBeLessThanOrEqual(2 ** 21);
  });

  it('bounds duplicate-element warnings', async () => {
    const dup = Array.from({ length: 5000 }, () => ({
      tag: 0x00091010,
      vr: 'LO',
      value: str('x'),
    }));
    const { header } = await readDicom(
      part10(encode([...baseElements(), ...dup, pixelData()]), EXPLICIT_LE),
    );
    expect(header.warnings.length).toBeLessThan(200);
  });

  it('refuses a PixelData encoded as a sequence instead of reading its item bytes as pixels', async () => {
    const sq: El = {
      tag: 0x7fe00010,
      vr: 'SQ',
      value: encode([item(encode([{ tag: 0x00080060, vr: 'CS', value: str('MR'.repeat(8)) }]))]),
    };
    await expectMriError(() => readDicom(part10(encode([...baseElements(), sq]), EXPLICIT_LE)), {
      code: 'CORRUPT_FILE',
      message: /PixelData/,
    });
  });

  it('checks PixelData length before allocating the frame buffer (32-bit, 2^28 voxels declared)', async () => {
    const file = withElements({
      ...imageSize(16384),
      2621696: { tag: 0x00280100, vr: 'US', value: u16(32) },
      2621697: { tag: 0x00280101, vr: 'US', value: u16(32) },
      2621698: { tag: 0x00280102, vr: 'US', value: u16(31) },
    });
    const before = process.memoryUsage().arrayBuffers;
    await expectMriError(() => readDicom(file), {
      code: 'CORRUPT_FILE',
      message: /PixelData truncated/,
    });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });
});

describe('DICOM encapsulated pixel data', () => {
  it('splits thousands of fragments into frames in linear time (Basic Offset Table)', async () => {
    const count = 40_000;
    const bot = Uint8Array.from(cat(u32(0), u32(8)));
    const pixels = encapsulated(
      Array.from({ length: count }, () => new Uint8Array(0)),
      bot,
    );
    const file = withElements(numberOfFrames(2), pixels, RLE);
    await expectMriError(() => readDicom(file), { code: 'CORRUPT_FILE', message: /RLE frame 0/ });
  });

  it('many frames with a Basic Offset Table are split in linear time', async () => {
    const count = 20_000;
    const fragment = new Uint8Array(8);
    const bot = Uint8Array.from(cat(...Array.from({ length: count }, (_, i) => u32(16 * i))));
    const pixels = encapsulated(
      Array.from({ length: count }, () => fragment),
      bot,
    );
    const file = withElements({ ...numberOfFrames(count), ...imageSize(1) }, pixels, RLE);
    await expectMriError(() => readDicom(file), { code: 'CORRUPT_FILE', message: /RLE frame 0/ });
  });

  it('a JPEG-LS frame cannot borrow its size from a JPEG 2000 SIZ hidden in an APP segment', async () => {
    const fakeSiz = new Uint8Array(24);
    const v = new DataView(fakeSiz.buffer);
    v.setUint16(0, 0xff4f);
    v.setUint16(2, 0xff51);
    v.setUint32(8, 4);
    v.setUint32(12, 4);
    const app = cat(Uint8Array.of(0xff, 0xe0, 0, 2 + fakeSiz.length), fakeSiz);
    const sof = Uint8Array.of(0xff, 0xf7, 0, 11, 16, 0xff, 0xff, 0xff, 0xff, 1, 1, 0x11, 0);
    const codestream = cat(Uint8Array.of(0xff, 0xd8), app, sof, Uint8Array.of(0xff, 0xd9));
    const file = withElements({}, encapsulated([codestream]), JPEG_LS);
    await expectMriError(() => readDicom(file), { code: 'CORRUPT_FILE', message: /65535x65535/ });
  });

  it('refuses a codestream with several components before decoding it', async () => {
    const sof = Uint8Array.of(
      0xff,
      0xf7,
      0,
      17,
      16,
      0,
      4,
      0,
      4,
      3,
      1,
      0x11,
      0,
      2,
      0x11,
      0,
      3,
      0x11,
      0,
    );
    const codestream = cat(Uint8Array.of(0xff, 0xd8), sof, Uint8Array.of(0xff, 0xd9));
    const file = withElements({}, encapsulated([codestream]), JPEG_LS);
    await expectMriError(() => readDicom(file), { code: 'CORRUPT_FILE', message: /3 components/ });
  });
});

describe('DICOM codecs', () => {
  /** `file` with its last encapsulated fragment cut to `keep` of its length (lengths kept consistent). */
  function cutLastFragment(file: Uint8Array, keep: number): Uint8Array {
    const view = new DataView(file.buffer, file.byteOffset, file.length);
    const isTag = (i: number, e: number) =>
      view.getUint16(i, true) === 0xfffe && view.getUint16(i + 2, true) === e;
    let end = file.length - 8;
    while (!isTag(end, 0xe0dd)) end--;
    let start = end - 8;
    while (!(isTag(start, 0xe000) && start + 8 + view.getUint32(start + 4, true) === end)) start--;
    const length = Math.floor(((end - start - 8) * keep) / 2) * 2;
    const out = cat(file.subarray(0, start + 8 + length), encode([seqEnd()]));
    new DataView(out.buffer).setUint32(start + 4, length, true);
    return out;
  }

  it('a truncated JPEG lossless codestream is refused, not decoded into a half-wrong image', async () => {
    const file = fixture('dicom/jpeg_lossless_sel1.dcm');
    await expectMriError(() => readDicom(cutLastFragment(file, 0.5)), {
      code: 'CORRUPT_FILE',
      message: /JPEG lossless codestream truncated/,
    });
  });
});

describe('DICOM series assembly', () => {
  const at = (position: string, instance: string, extra: Record<number, El | null> = {}) =>
    withElements({
      2097202: { tag: 0x00200032, vr: 'DS', value: str(position) },
      524312: { tag: 0x00080018, vr: 'UI', value: uid(instance) },
      ...extra,
    });

  it('a sparse files array is refused as an argument, not a crash', async () => {
    const files = [validDicom()];
    files.length = 2;
    await expectMriError(() => readDicomSeries(files), {
      code: 'INVALID_ARGUMENT',
      message: /files\[1\]/,
    });
  });

  it('refuses slices that do not advance along the slice normal (in-plane shift only)', async () => {
    await expectMriError(
      () => readDicomSeries([at('0\\0\\0', '2.25.1'), at('1\\0\\0', '2.25.2')]),
      { code: 'CORRUPT_FILE', message: /slice normal/ },
    );
    await expectMriError(
      () => readDicomSeries([at('0\\0\\0', '2.25.1'), at('1\\0\\1e-9', '2.25.2')]),
      { code: 'CORRUPT_FILE', message: /slice normal/ },
    );
  });

  it('a single slice with SliceThickness 0 gets 1 mm with a warning, not a singular affine', async () => {
    const { volume, header } = await readDicom(
      withElements({ 1572944: { tag: 0x00180050, vr: 'DS', value: str('0') } }),
    );
    expect(volume.affine[10]).toBe(1);
    expect(header.warnings.join(' ')).toMatch(/SliceThickness 0/);
  });

  it('refuses zero or negative PixelSpacing', async () => {
    for (const s of ['0\\0', '-1\\1']) {
      await expectMriError(
        () => readDicom(withElements({ 2621488: { tag: 0x00280030, vr: 'DS', value: str(s) } })),
        { code: 'CORRUPT_FILE', message: /PixelSpacing/ },
      );
    }
  });

  it('refuses ImageOrientationPatient vectors that are not unit length', async () => {
    await expectMriError(
      () =>
        readDicom(
          withElements({
            2097207: { tag: 0x00200037, vr: 'DS', value: str('2\\0\\0\\0\\0.5\\0') },
          }),
        ),
      { code: 'CORRUPT_FILE', message: /ImageOrientationPatient/ },
    );
  });

  it('a SeriesInstanceUID holding the group-key separator does not confuse grouping', async () => {
    const series = (u: string) => ({ 2097166: { tag: 0x0020000e, vr: 'UI', value: uid(u) } });
    // Joined with '|', series "1|2x2" once read as series "1" of size 2x2: "mixes image sizes".
    const results = await readDicomSeries([
      withElements(series('1')),
      withElements(series('1|2x2')),
    ]);
    expect(results.map((r) => r.header.seriesInstanceUid).sort()).toEqual(['1', '1|2x2']);
  });
});

describe('DICOM writer', () => {
  it('refuses a source header with missing fields with an MriError, not a TypeError', async () => {
    const { volume, header } = await readDicom(validDicom());
    await expectMriError(
      () => writeDicomSeries(volume, { ...header, attributes: undefined } as never),
      { code: 'INVALID_ARGUMENT', message: /source/ },
    );
    await expectMriError(
      () => writeDicomSeries(volume, { ...header, imagePositionsPatient: undefined } as never),
      { code: 'INVALID_ARGUMENT', message: /source/ },
    );
  });

  it('refuses a volume whose shape disagrees with the source', async () => {
    const { header } = await readDicom(validDicom());
    const other: Volume = createVolume({ data: new Float32Array(4 * 4 * 2), shape: [4, 4, 2] });
    await expectMriError(() => writeDicomSeries(other, header), {
      code: 'SHAPE_MISMATCH',
      message: /shape/,
    });
  });
});
