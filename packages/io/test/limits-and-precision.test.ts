/**
 * Value range, precision and resource limits of the readers and writers, each with crafted bytes
 * made here: scaling that overflows float32, the inflater's peak allocation, 32-bit DICOM held
 * without float64, maxFrames over an assembled series, the caller's name in string errors, the
 * writer's orientation and character set, and JPEG / JPEG 2000 headers refused before a codec can
 * spend time on them.
 */
import { deflateRawSync, gzipSync } from 'node:zlib';
import { createRng, createVolume, isMriError } from '@duncan-mri/volume';
import { afterEach, describe, expect, it } from 'vitest';
import { readDicom, readDicomSeries, readNifti, writeDicomSeries } from '../src/index.js';
import { gunzip, inflateRaw, setAllocationProbe } from '../src/internal/inflate.js';
import {
  type El,
  encapsulated,
  PIXELS,
  str,
  u16,
  uid,
  withElements,
} from './helpers/craft-dicom.js';
import { cat, gz, mutate, validNifti } from './helpers/craft-nifti.js';
import { fixture } from './helpers/fixtures.js';

interface Caught {
  code: string;
  message: string;
}
async function caught(run: () => unknown): Promise<Caught> {
  try {
    await run();
  } catch (error) {
    expect(isMriError(error), String(error)).toBe(true);
    return error as Caught;
  }
  throw new Error('expected a throw');
}

const ds = (tag: number, value: string): Record<number, El> => ({
  [tag]: { tag, vr: 'DS', value: str(value) },
});

describe('scaling that overflows float32 is refused', () => {
  it('NIfTI: scl_slope 1e38 on int16 voxels up to 150', async () => {
    const bytes = mutate(validNifti(), (v) => v.setFloat32(112, 1e38, true));
    const e = await caught(() => readNifti(bytes));
    expect(e.code).toBe('CORRUPT_FILE');
    expect(e.message).toMatch(
      /^readNifti: scl_slope and scl_inter must keep every scaled voxel within float32 .*, got -?\d+ \* 9\.99\d*e\+37 \+ 0 = .*e\+\d+ at voxel \d+$/,
    );
    // Also through gzip, and a large slope that stays in range still reads.
    expect((await caught(() => readNifti(gz(bytes)))).code).toBe('CORRUPT_FILE');
    const fine = mutate(validNifti(), (v) => v.setFloat32(112, 1e30, true));
    const { volume } = readNifti(fine);
    expect(volume.data.every(Number.isFinite)).toBe(true);
  });

  it('NIfTI: a finite scl_inter near float32 max pushes voxels over', async () => {
    const bytes = mutate(validNifti(), (v) => {
      v.setFloat32(112, 1e36, true);
      v.setFloat32(116, 3.4e38, true);
    });
    expect((await caught(() => readNifti(bytes))).message).toMatch(/scl_inter/);
  });

  it('DICOM: RescaleSlope 1e38, RescaleIntercept 1e39, and MONOCHROME1 inverted values', async () => {
    const slope = await caught(() => readDicom(withElements(ds(0x00281053, '1e38'))));
    expect(slope.code).toBe('CORRUPT_FILE');
    expect(slope.message).toMatch(
      /^readDicom: RescaleSlope and RescaleIntercept must keep every scaled voxel within float32 .*, got 7 \* 1e\+38 \+ 0 = 7e\+38 at pixel 0 of frame 0$/,
    );
    const inter = await caught(() => readDicom(withElements(ds(0x00281052, '1e39'))));
    expect(inter.message).toMatch(/got 7 \* 1 \+ 1e\+39/);
    const mono1 = withElements({
      ...ds(0x00281053, '1e38'),
      2621444: { tag: 0x00280004, vr: 'CS', value: str('MONOCHROME1') },
    });
    expect((await caught(() => readDicom(mono1))).code).toBe('CORRUPT_FILE');
    // In a series the file is named.
    const series = await caught(() =>
      readDicomSeries([withElements({}), withElements(ds(0x00281053, '1e38'))]),
    );
    expect(series.message).toMatch(/^readDicomSeries: files\[1\]: RescaleSlope/);
    // A large slope that fits still reads.
    const { volume } = await readDicom(withElements(ds(0x00281053, '1e34')));
    expect(volume.data[15]).toBeCloseTo(1507e34, -30);
  });
});

describe('inflating keeps the output buffers held at once within the budget', () => {
  const rng = createRng(5);
  const data = Uint8Array.from({ length: 1_000_000 }, (_, i) => (i % 4096 < 64 ? rng.int(256) : 3));
  const maxBytes = 1_048_576;
  let held: number[] = [];
  let sizes: number[] = [];
  afterEach(() => setAllocationProbe(undefined));
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  const probe = () => {
    held = [];
    sizes = [];
    setAllocationProbe((bytes, now) => {
      sizes.push(bytes);
      held.push(now);
    });
  };
  // Two members: the single-member fast path is skipped, so the streaming path runs.
  const twoMembers = (d: Uint8Array) =>
    cat(
      new Uint8Array(gzipSync(d.subarray(0, d.length >> 1))),
      new Uint8Array(gzipSync(d.subarray(d.length >> 1))),
    );

  it('gzip near the limit: growing buffer, then one exact buffer (peak <= limit, not ~2x)', () => {
    probe();
    expect(same(gunzip('t', twoMembers(data), { maxBytes }), data)).toBe(true);
    expect(Math.max(...held)).toBeLessThanOrEqual(maxBytes);
    expect(sizes[sizes.length - 1]).toBe(data.length); // the second, exact pass
  });

  it('gzip well under the limit: one growing buffer, no second pass', () => {
    probe();
    const small = data.subarray(0, 200_000);
    expect(same(gunzip('t', twoMembers(small), { maxBytes }), small)).toBe(true);
    expect(Math.max(...held)).toBeLessThanOrEqual(maxBytes);
    expect(sizes).not.toContain(small.length);
    // Each growth: old + new buffer counted together.
    expect(held.every((h, i) => h >= sizes[i]!)).toBe(true);
  });

  it('deflate (DICOM deflated datasets) near the limit, and past it', () => {
    probe();
    const raw = new Uint8Array(deflateRawSync(data));
    expect(same(inflateRaw('t', raw, maxBytes), data)).toBe(true);
    expect(Math.max(...held)).toBeLessThanOrEqual(maxBytes);
    probe();
    const over = inflateRaw.bind(null, 't', raw, 999_999);
    expect(() => over()).toThrow(/maxInflatedBytes must be at most 999999/);
    expect(Math.max(...held)).toBeLessThanOrEqual(999_999);
  });

  it('a multi-member .nii.gz reads the same, its buffers within the header-derived budget', () => {
    const nii = validNifti();
    probe();
    const { volume } = readNifti(twoMembers(nii));
    expect(volume.data).toEqual(readNifti(nii).volume.data);
    expect(Math.max(...held)).toBeLessThanOrEqual(nii.length + 1_048_576);
  });
});

describe('32-bit DICOM is held as int32 / uint32, not float64', () => {
  const u32 = (...values: number[]) => new Uint8Array(Uint32Array.from(values).buffer);
  const i32 = (...values: number[]) => new Uint8Array(Int32Array.from(values).buffer);
  const bits32 = (signed: boolean, pixels: Uint8Array, extra: Record<number, El> = {}) =>
    withElements(
      {
        2621696: { tag: 0x00280100, vr: 'US', value: u16(32) },
        2621697: { tag: 0x00280101, vr: 'US', value: u16(32) },
        2621698: { tag: 0x00280102, vr: 'US', value: u16(31) },
        2621699: { tag: 0x00280103, vr: 'US', value: u16(signed ? 1 : 0) },
        ...extra,
      },
      { tag: 0x7fe00010, vr: 'OW', value: pixels },
    );

  it('keeps every 32-bit value exact until the rescale, then rounds once to float32', async () => {
    const values = Array.from({ length: 16 }, (_, i) => 16_777_217 + 2 * i);
    // 16777217 + 1 = 16777218 is a float32; a float32 intermediate would give 16777216 + 1.
    const { volume } = await readDicom(bits32(false, u32(...values), ds(0x00281052, '1')));
    expect(Array.from(volume.data)).toEqual(values.map((v) => Math.fround(v + 1)));
    const signed = [-2147483648, 2147483647, -1, 0, ...Array(12).fill(5)];
    const back = await readDicom(bits32(true, i32(...signed)));
    expect(Array.from(back.volume.data)).toEqual(signed.map(Math.fround));
    const unsigned = await readDicom(bits32(false, u32(4294967295, ...Array(15).fill(0))));
    expect(unsigned.volume.data[0]).toBe(Math.fround(4294967295));
  });

  it('masks and sign-extends BitsStored < 32 in the 32-bit container', async () => {
    const pixels = i32(0x00ff_ffff, 0x0080_0000, ...Array(14).fill(1));
    const { volume } = await readDicom(
      bits32(true, pixels, { 2621697: { tag: 0x00280101, vr: 'US', value: u16(24) } }),
    );
    expect([volume.data[0], volume.data[1]]).toEqual([-1, -8388608]);
  });
});

describe('maxFrames bounds the slices of an assembled series', () => {
  const multiFrame = (n: number) =>
    withElements(
      {
        524312: { tag: 0x00080018, vr: 'UI', value: uid(`2.25.60${n}`) },
        2621448: { tag: 0x00280008, vr: 'IS', value: str('2') },
        2097202: { tag: 0x00200032, vr: 'DS', value: str(`0\\0\\${n}`) },
      },
      { tag: 0x7fe00010, vr: 'OW', value: u16(...PIXELS, ...PIXELS) },
    );

  it('two files of two frames each pass maxFrames 3 file by file, but not together', async () => {
    const e = await caught(() =>
      readDicomSeries([multiFrame(0), multiFrame(1)], { limits: { maxFrames: 3 } }),
    );
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toBe(
      'readDicomSeries: maxFrames must be at most 3, got 4 slices in 2 files (raise limits.maxFrames to read this file)',
    );
    const under = await caught(() =>
      readDicomSeries([multiFrame(0), multiFrame(1)], { limits: { maxFrames: 4 } }),
    );
    expect(under.code).not.toBe('LIMIT_EXCEEDED');
  });
});

describe('string errors name the caller', () => {
  const longString = () =>
    withElements({
      528446: { tag: 0x0008103e, vr: 'UT', value: str('x'.repeat(70_000)) },
    });

  it('readDicom and readDicomSeries each name themselves (and the file)', async () => {
    const single = await caught(() => readDicom(longString()));
    expect(single.message).toMatch(
      /^readDicom: .*\(0008,103E\) must be at most 65536 bytes long for a string value, got 70000$/,
    );
    const series = await caught(() => readDicomSeries([withElements({}), longString()]));
    expect(series.code).toBe('CORRUPT_FILE');
    expect(series.message).toMatch(/^readDicomSeries: files\[1\]: .*\(0008,103E\) must be/);
  });
});

describe('writeDicomSeries: orientation and character set', () => {
  const names = Array.from(
    { length: 20 },
    (_, i) => `dicom/series/brain_${String(i + 1).padStart(3, '0')}.dcm`,
  );
  const source = async () => (await readDicomSeries(names.map(fixture)))[0]!;
  const contains = (bytes: Uint8Array, part: number[]) => {
    for (let i = 0; i + part.length <= bytes.length; i++)
      if (part.every((b, k) => bytes[i + k] === b)) return true;
    return false;
  };

  it('refuses a volume whose in-plane axes are sheared (the reader would refuse the files)', async () => {
    const { volume, header } = await source();
    const a = volume.affine.slice();
    a[1] = 0.3 * a[0]!; // the y axis leans towards the x axis: an in-plane shear
    const sheared = createVolume({ data: volume.data, shape: volume.shape, affine: a });
    const e = await caught(() => writeDicomSeries(sheared, header));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(
      /^writeDicomSeries: volume\.affine must have orthogonal first two columns .*, got a cosine of -?0\.\d+ between them/,
    );
  });

  it('declares ISO_IR 192 and writes UTF-8 when the source declares nothing', async () => {
    const { volume, header } = await source();
    expect(header.attributes.SpecificCharacterSet).toBeUndefined();
    const files = writeDicomSeries(volume, header, { seriesDescription: 'PD – korrigiert ü' });
    const [back] = await readDicomSeries(files);
    expect(back!.header.attributes.SpecificCharacterSet).toBe('ISO_IR 192');
    expect(contains(files[0]!, [0xc3, 0xbc])).toBe(true); // ü in UTF-8
  });

  it("keeps the source's ISO_IR 100 and writes Latin-1 (? for what Latin-1 lacks)", async () => {
    const { volume, header } = await source();
    const latin = {
      ...header,
      attributes: { ...header.attributes, SpecificCharacterSet: 'ISO_IR 100' },
    };
    const files = writeDicomSeries(volume, latin, { seriesDescription: 'ü – x' });
    const [back] = await readDicomSeries(files);
    expect(back!.header.attributes.SpecificCharacterSet).toBe('ISO_IR 100');
    expect(back!.header.seriesDescription).toBe('\u00fc ? x');
  });
});

describe('JPEG and JPEG 2000 headers are checked before decoding', () => {
  const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
  const J2K = '1.2.840.10008.1.2.4.90';
  const eightBit: Record<number, El> = {
    2621696: { tag: 0x00280100, vr: 'US', value: u16(8) },
    2621697: { tag: 0x00280101, vr: 'US', value: u16(8) },
    2621698: { tag: 0x00280102, vr: 'US', value: u16(7) },
  };
  const sof = (marker: number) => [0xff, marker, 0, 11, 8, 0, 4, 0, 4, 1, 1, 0x11, 0];
  const sos = [0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0x12, 0x34];
  const jpeg = (marker: number, scans: number) =>
    Uint8Array.from([0xff, 0xd8, ...sof(marker), ...Array(scans).fill(sos).flat(), 0xff, 0xd9]);
  const readJpeg = (codestream: Uint8Array) =>
    readDicom(withElements(eightBit, encapsulated([codestream]), JPEG_BASELINE));

  it('JPEG baseline: progressive (SOF2) and more than 64 scans are refused', async () => {
    const progressive = await caught(() => readJpeg(jpeg(0xc2, 1)));
    expect(progressive.code).toBe('UNSUPPORTED_FORMAT');
    expect(progressive.message).toMatch(
      /^readDicom: frame 0: JPEG baseline frame header must be SOF0 or SOF1 \(sequential\), got SOF2/,
    );
    const scans = await caught(() => readJpeg(jpeg(0xc0, 65)));
    expect(scans.code).toBe('UNSUPPORTED_FORMAT');
    expect(scans.message).toMatch(/scan count must be at most 64, got 65 SOS markers/);
    // 64 scans pass the check (and then the codec judges the bogus entropy data).
    const ok = await caught(() => readJpeg(jpeg(0xc0, 64)));
    expect(ok.message).not.toMatch(/scan count/);
  });

  const siz = (o: {
    size?: number;
    tile?: number;
    tileOrigin?: number;
    ssiz?: number;
    sub?: number;
  }) => {
    const size = o.size ?? 4;
    const body = new DataView(new ArrayBuffer(41));
    body.setUint16(0, 41);
    body.setUint32(4, size);
    body.setUint32(8, size);
    body.setUint32(20, o.tile ?? size);
    body.setUint32(24, o.tile ?? size);
    body.setUint32(28, o.tileOrigin ?? 0);
    body.setUint32(32, o.tileOrigin ?? 0);
    body.setUint16(36, 1);
    body.setUint8(38, o.ssiz ?? 15);
    body.setUint8(39, o.sub ?? 1);
    body.setUint8(40, o.sub ?? 1);
    return cat(
      Uint8Array.of(0xff, 0x4f, 0xff, 0x51),
      new Uint8Array(body.buffer),
      new Uint8Array(8),
    );
  };
  const readJ2k = (codestream: Uint8Array, size = 4, extra: Record<number, El> = {}) =>
    readDicom(
      withElements(
        {
          2621456: { tag: 0x00280010, vr: 'US', value: u16(size) },
          2621457: { tag: 0x00280011, vr: 'US', value: u16(size) },
          ...extra,
        },
        encapsulated([codestream]),
        J2K,
      ),
    );

  it('JPEG 2000: tile count, tile grid, precision and subsampling of the SIZ marker', async () => {
    const tiles = await caught(() => readJ2k(siz({ size: 100, tile: 1 }), 100));
    expect(tiles.code).toBe('UNSUPPORTED_FORMAT');
    expect(tiles.message).toMatch(/JPEG 2000 tile count must be at most 4096, got 10000/);
    const grid = await caught(() => readJ2k(siz({ tile: 0 })));
    expect(grid.code).toBe('CORRUPT_FILE');
    expect(grid.message).toMatch(/SIZ tile grid must be non-empty/);
    const origin = await caught(() => readJ2k(siz({ tileOrigin: 2 })));
    expect(origin.message).toMatch(/SIZ tile grid must be non-empty and cover the image origin/);
    const deep = await caught(() => readJ2k(siz({ ssiz: 31 })));
    expect(deep.code).toBe('UNSUPPORTED_FORMAT');
    expect(deep.message).toMatch(/codestream precision must be at most 16 bits, got 32/);
    const wide = await caught(() => readJ2k(siz({ ssiz: 15 }), 4, eightBit));
    expect(wide.code).toBe('CORRUPT_FILE');
    expect(wide.message).toMatch(/precision must be at most BitsAllocated \(8\), got 16 bits/);
    const sub = await caught(() => readJ2k(siz({ sub: 2 })));
    expect(sub.message).toMatch(/subsampling must be 1x1 for a greyscale image, got 2x2/);
  });
});
