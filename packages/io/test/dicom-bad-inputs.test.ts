/**
 * Every DICOM case of the bad-input catalogue (packages/io/test/README.md, section DICOM) ends in
 * either a correct image or an MriError with the right code and a message that says what and
 * where.
 */
import { isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { readDicom, readDicomSeries } from '../src/index.js';
import {
  baseElements,
  deepSequence,
  deflatedDicom,
  EXPLICIT_BE,
  EXPLICIT_LE,
  encapsulated,
  encode,
  IMPLICIT_LE,
  imageSize,
  item,
  itemEnd,
  JPEG_LS,
  numberOfFrames,
  PIXELS,
  part10,
  pixelData,
  RLE,
  rleFrame,
  seqEnd,
  str,
  u16,
  uid,
  validDicom,
  withElements,
} from './helpers/craft-dicom.js';
import { cat } from './helpers/craft-nifti.js';
import { fixture } from './helpers/fixtures.js';

type Code = 'ok' | 'CORRUPT_FILE' | 'UNSUPPORTED_FORMAT' | 'LIMIT_EXCEEDED';
interface Case {
  id: string;
  what: string;
  bytes: () => Uint8Array;
  expect: Code;
  message?: RegExp;
  limits?: Record<string, number>;
  /** For 'ok': the expected voxel values (default: the base image). */
  values?: number[];
}

const garbage = new TextEncoder().encode('DEADBEEF'.repeat(7));
const ds = (overrides: Parameters<typeof baseElements>[0] = {}) => encode(baseElements(overrides));

/** The value of a sequence of undefined length in implicit VR: one undefined-length item. */
const undefinedLengthItems = () =>
  encode(
    [
      { tag: 0xfffee000, vr: '', value: new Uint8Array(0), length: 0xffffffff },
      { tag: 0x00100010, vr: 'PN', value: str('X') },
      itemEnd(),
      seqEnd(),
    ],
    'implicit',
  );

const CASES: Case[] = [
  {
    id: 'D1a',
    what: 'empty file',
    bytes: () => new Uint8Array(0),
    expect: 'CORRUPT_FILE',
    message: /not DICOM: empty file/,
  },
  {
    id: 'D1b',
    what: 'only preamble + DICM',
    bytes: () => validDicom().slice(0, 132),
    expect: 'CORRUPT_FILE',
    message: /no dataset after the DICM/,
  },
  {
    id: 'D2',
    what: 'no preamble, no meta (raw explicit dataset)',
    bytes: () => encode([...baseElements(), pixelData()]),
    expect: 'ok',
  },
  {
    id: 'D2b',
    what: 'no preamble, no meta (raw implicit dataset)',
    bytes: () => encode([...baseElements(), pixelData()], 'implicit'),
    expect: 'ok',
  },
  {
    id: 'D3a',
    what: 'truncated inside meta',
    bytes: () => validDicom().slice(0, 150),
    expect: 'CORRUPT_FILE',
    message: /truncated at byte/,
  },
  {
    id: 'D3b',
    what: 'truncated mid-tag in the dataset',
    bytes: () => validDicom().slice(0, 300),
    expect: 'CORRUPT_FILE',
    message: /truncated at byte \d+/,
  },
  {
    id: 'D4',
    what: 'truncated inside PixelData',
    bytes: () => validDicom().slice(0, -6),
    expect: 'CORRUPT_FILE',
    message: /\(7FE0,0010\) declares 32 bytes, only 26 remain/,
  },
  {
    id: 'D5',
    what: 'UT length 0xFFFFFFF0 with 10 bytes left',
    bytes: () =>
      part10(
        cat(
          ds(),
          encode([{ tag: 0x00204000, vr: 'UT', value: new Uint8Array(10), length: 0xfffffff0 }]),
        ),
      ),
    expect: 'CORRUPT_FILE',
    message: /declares 4294967280 bytes, only 10 remain/,
  },
  {
    id: 'D5b',
    what: 'element longer than maxElementBytes',
    bytes: () =>
      withElements({ 2113536: { tag: 0x00204000, vr: 'UT', value: new Uint8Array(4096) } }),
    expect: 'LIMIT_EXCEEDED',
    limits: { maxElementBytes: 1024 },
  },
  {
    id: 'D6',
    what: 'trailing garbage after PixelData',
    bytes: () => cat(validDicom(), garbage),
    expect: 'CORRUPT_FILE',
  },
  {
    id: 'D7',
    what: '1 MB of trailing zero padding',
    bytes: () => cat(validDicom(), new Uint8Array(1 << 20)),
    expect: 'ok',
  },
  {
    id: 'D7b',
    what: '5 bytes of trailing zero padding',
    bytes: () => cat(validDicom(), new Uint8Array(5)),
    expect: 'ok',
  },
  {
    id: 'D8',
    what: 'OB with undefined length (not PixelData)',
    bytes: () =>
      part10(
        cat(
          ds(),
          encode([
            { tag: 0x00091010, vr: 'OB', value: new Uint8Array(8), length: 0xffffffff },
            pixelData(),
          ]),
        ),
      ),
    expect: 'CORRUPT_FILE',
    message: /undefined length, allowed only for SQ, UN/,
  },
  {
    id: 'D9',
    what: 'undefined-length SQ without delimiter',
    bytes: () =>
      part10(
        cat(
          ds(),
          encode([
            { tag: 0x00081140, vr: 'SQ', value: new Uint8Array(0), length: 0xffffffff },
            item(new Uint8Array(0)),
          ]),
        ),
      ),
    expect: 'CORRUPT_FILE',
    message: /unterminated sequence \(0008,1140\)/,
  },
  {
    id: 'D10',
    what: 'sequences nested 5000 deep',
    bytes: () => part10(cat(ds(), encode(deepSequence(5000)))),
    expect: 'LIMIT_EXCEEDED',
    message: /maxSequenceDepth/,
  },
  {
    id: 'D11',
    what: 'SQ item longer than its sequence',
    bytes: () =>
      part10(
        cat(
          ds(),
          encode([
            { tag: 0x00081140, vr: 'SQ', value: encode([item(new Uint8Array(8), 64)]), length: 16 },
            pixelData(),
          ]),
        ),
      ),
    expect: 'CORRUPT_FILE',
    message: /item at byte \d+ declares 64 bytes, only 8 remain/,
  },
  {
    id: 'D12',
    what: 'Rows = Columns = 65535 with 32 bytes of pixels',
    bytes: () => withElements(imageSize(65535)),
    expect: 'LIMIT_EXCEEDED',
    message: /maxVoxels/,
  },
  {
    id: 'D12b',
    what: 'Rows = Columns = 1000 with 32 bytes of pixels',
    bytes: () => withElements(imageSize(1000)),
    expect: 'CORRUPT_FILE',
    message: /PixelData truncated: 32 bytes/,
  },
  {
    id: 'D13a',
    what: 'NumberOfFrames 2^31-1',
    bytes: () => withElements(numberOfFrames('2147483647')),
    expect: 'LIMIT_EXCEEDED',
    message: /maxFrames/,
  },
  {
    id: 'D13b',
    what: 'NumberOfFrames -5',
    bytes: () => withElements(numberOfFrames('-5')),
    expect: 'CORRUPT_FILE',
    message: /NumberOfFrames must be >= 1/,
  },
  {
    id: 'D13c',
    what: 'NumberOfFrames "1A"',
    bytes: () => withElements(numberOfFrames('1A')),
    expect: 'CORRUPT_FILE',
    message: /integer string, got "1A"/,
  },
  {
    id: 'D14a',
    what: 'BitsAllocated 0',
    bytes: () => withElements({ 2621696: { tag: 0x00280100, vr: 'US', value: u16(0) } }),
    expect: 'CORRUPT_FILE',
    message: /BitsAllocated must be 8, 16 or 32, got 0/,
  },
  {
    id: 'D14b',
    what: 'BitsAllocated 13',
    bytes: () => withElements({ 2621696: { tag: 0x00280100, vr: 'US', value: u16(13) } }),
    expect: 'CORRUPT_FILE',
    message: /got 13/,
  },
  {
    id: 'D14c',
    what: 'BitsStored > BitsAllocated',
    bytes: () => withElements({ 2621697: { tag: 0x00280101, vr: 'US', value: u16(17) } }),
    expect: 'CORRUPT_FILE',
    message: /BitsStored/,
  },
  {
    id: 'D14d',
    what: 'BitsStored 12 masks high bits',
    bytes: () =>
      withElements(
        { 2621697: { tag: 0x00280101, vr: 'US', value: u16(12) } },
        pixelData(PIXELS.map((v) => v | 0xf000)),
      ),
    expect: 'ok',
  },
  {
    id: 'D15a',
    what: 'PixelData odd length (one pad byte)',
    bytes: () =>
      withElements({}, { tag: 0x7fe00010, vr: 'OB', value: cat(u16(...PIXELS), Uint8Array.of(0)) }),
    expect: 'ok',
  },
  {
    id: 'D15b',
    what: 'PixelData short',
    bytes: () => withElements({}, pixelData(PIXELS.slice(0, 15))),
    expect: 'CORRUPT_FILE',
    message: /PixelData truncated: 30 bytes.*= 32/,
  },
  {
    id: 'D15c',
    what: 'PixelData longer than needed',
    bytes: () => withElements({}, pixelData([...PIXELS, 1, 2, 3, 4])),
    expect: 'ok',
  },
  {
    id: 'D16',
    what: 'no PixelData',
    bytes: () => withElements({}, null),
    expect: 'CORRUPT_FILE',
    message: /no image in this file/,
  },
  {
    id: 'D17',
    what: 'invalid VR "ZZ"',
    bytes: () => withElements({ 1577008: { tag: 0x00181030, vr: 'ZZ', value: str('abcd') } }),
    expect: 'CORRUPT_FILE',
    message: /invalid VR "ZZ"/,
  },
  {
    id: 'D18a',
    what: 'RescaleSlope "abc"',
    bytes: () => withElements({ 2625619: { tag: 0x00281053, vr: 'DS', value: str('abc') } }),
    expect: 'CORRUPT_FILE',
    message: /\(0028,1053\) must be a finite decimal string, got "abc"/,
  },
  {
    id: 'D18b',
    what: 'RescaleIntercept "1e999"',
    bytes: () => withElements({ 2625618: { tag: 0x00281052, vr: 'DS', value: str('1e999') } }),
    expect: 'CORRUPT_FILE',
    message: /1e999/,
  },
  {
    id: 'D19',
    what: 'RescaleSlope 0',
    bytes: () => withElements({ 2625619: { tag: 0x00281053, vr: 'DS', value: str('0') } }),
    expect: 'ok',
  },
  {
    id: 'D20a',
    what: 'meta group length too small',
    bytes: () => part10(encode([...baseElements(), pixelData()]), EXPLICIT_LE, 4),
    expect: 'ok',
  },
  {
    id: 'D20b',
    what: 'meta group length huge',
    bytes: () => part10(encode([...baseElements(), pixelData()]), EXPLICIT_LE, 0x7fffffff),
    expect: 'ok',
  },
  {
    id: 'D21a',
    what: 'missing TransferSyntaxUID (native data, encoding sniffed)',
    bytes: () => part10(encode([...baseElements(), pixelData()]), null),
    expect: 'ok',
  },
  {
    id: 'D21b',
    what: 'unknown TransferSyntaxUID',
    bytes: () => part10(encode([...baseElements(), pixelData()]), '1.2.3.4.5'),
    expect: 'UNSUPPORTED_FORMAT',
    message: /unsupported transfer syntax 1\.2\.3\.4\.5/,
  },
  {
    id: 'D22',
    what: 'says Explicit Big Endian, data is little endian',
    bytes: () => part10(encode([...baseElements(), pixelData()]), EXPLICIT_BE),
    expect: 'CORRUPT_FILE',
  },
  { id: 'D23', what: 'Explicit VR Big Endian', bytes: () => validDicom('big'), expect: 'ok' },
  {
    id: 'D23b',
    what: 'Implicit VR Little Endian',
    bytes: () => validDicom('implicit'),
    expect: 'ok',
  },
  {
    id: 'D24',
    what: 'Deflated Explicit VR Little Endian',
    bytes: () => deflatedDicom(),
    expect: 'ok',
  },
  {
    id: 'D25',
    what: 'deflate bomb (64 MiB private OB)',
    bytes: () => deflatedDicom(64 << 20),
    expect: 'LIMIT_EXCEEDED',
    message: /maxInflatedBytes/,
    limits: { maxInflatedBytes: 16 << 20 },
  },
  {
    id: 'D26a',
    what: 'garbage instead of a JPEG-LS codestream',
    bytes: () => withElements({}, encapsulated([garbage]), JPEG_LS),
    expect: 'CORRUPT_FILE',
    message: /frame 0: not a JPEG codestream/,
  },
  {
    id: 'D26b',
    what: 'JPEG-LS header then garbage (codec throws)',
    bytes: () =>
      withElements(
        {},
        encapsulated([
          cat(Uint8Array.of(0xff, 0xd8, 0xff, 0xf7, 0, 11, 16, 0, 4, 0, 4, 1, 1, 0x11, 0), garbage),
        ]),
        JPEG_LS,
      ),
    expect: 'CORRUPT_FILE',
    message: /charls decoder failed/,
  },
  {
    id: 'D27a',
    what: 'fragment length beyond EOF',
    bytes: () =>
      withElements({}, encapsulated([rleFrame(PIXELS)], new Uint8Array(0), false), RLE).slice(
        0,
        -10,
      ),
    expect: 'CORRUPT_FILE',
    message: /unterminated encapsulated pixel data|fragment at byte \d+ declares/,
  },
  {
    id: 'D27b',
    what: 'no sequence delimiter',
    bytes: () => withElements({}, encapsulated([rleFrame(PIXELS)], new Uint8Array(0), false), RLE),
    expect: 'CORRUPT_FILE',
    message: /unterminated encapsulated pixel data/,
  },
  {
    id: 'D28',
    what: 'codestream claims a huge image (JPEG-LS SOF 65535 x 65535)',
    bytes: () =>
      withElements(
        {},
        encapsulated([
          Uint8Array.of(0xff, 0xd8, 0xff, 0xf7, 0, 11, 16, 0xff, 0xff, 0xff, 0xff, 1, 1, 0x11, 0),
        ]),
        JPEG_LS,
      ),
    expect: 'CORRUPT_FILE',
    message: /declares 65535x65535, the header says 4x4; refusing/,
  },
  {
    id: 'D29',
    what: 'RLE header with the wrong segment count',
    bytes: () => withElements({}, encapsulated([rleFrame(PIXELS, 15)]), RLE),
    expect: 'CORRUPT_FILE',
    message: /header says 15 segments, expected 2/,
  },
  {
    id: 'D29b',
    what: 'valid RLE',
    bytes: () => withElements({}, encapsulated([rleFrame(PIXELS)]), RLE),
    expect: 'ok',
  },
  {
    id: 'D30',
    what: 'UN-encoded sequence with undefined length',
    bytes: () =>
      withElements({
        593937: {
          tag: 0x00091011,
          vr: 'UN',
          length: 0xffffffff,
          value: undefinedLengthItems(),
        },
      }),
    expect: 'ok',
  },
  {
    id: 'D30b',
    what: 'private undefined-length SQ in implicit VR',
    bytes: () =>
      part10(
        encode(
          [
            ...baseElements({
              593937: {
                tag: 0x00091011,
                vr: 'SQ',
                length: 0xffffffff,
                value: undefinedLengthItems(),
              },
            }),
            pixelData(),
          ],
          'implicit',
        ),
        IMPLICIT_LE,
      ),
    expect: 'ok',
  },
  {
    id: 'D31a',
    what: 'two frames, three fragments, no BOT',
    bytes: () =>
      withElements(
        numberOfFrames('2'),
        encapsulated([rleFrame(PIXELS), rleFrame(PIXELS), rleFrame(PIXELS)]),
        RLE,
      ),
    expect: 'CORRUPT_FILE',
    message: /cannot find frame boundaries: 3 fragments for 2 frames/,
  },
  {
    id: 'D31b',
    what: 'two frames, two fragments, no BOT',
    bytes: () =>
      withElements(numberOfFrames('2'), encapsulated([rleFrame(PIXELS), rleFrame(PIXELS)]), RLE),
    expect: 'ok',
    values: [...PIXELS, ...PIXELS],
  },
  {
    id: 'D32',
    what: 'mosaic without NumberOfImagesInMosaic',
    bytes: () =>
      withElements({
        524296: { tag: 0x00080008, vr: 'CS', value: str('ORIGINAL\\PRIMARY\\M\\MOSAIC') },
      }),
    expect: 'UNSUPPORTED_FORMAT',
    message: /mosaic without NumberOfImagesInMosaic/,
  },
  {
    id: 'D32b',
    what: 'mosaic of 4 images of 2x2',
    bytes: () =>
      withElements({
        524296: { tag: 0x00080008, vr: 'CS', value: str('ORIGINAL\\PRIMARY\\M\\MOSAIC') },
        1642506: { tag: 0x0019100a, vr: 'US', value: u16(4) },
      }),
    expect: 'ok',
    values: [7, 107, 407, 507, 207, 307, 607, 707, 807, 907, 1207, 1307, 1007, 1107, 1407, 1507],
  },
  {
    id: 'D34a',
    what: 'colour (RGB)',
    bytes: () =>
      withElements({
        2621442: { tag: 0x00280002, vr: 'US', value: u16(3) },
        2621444: { tag: 0x00280004, vr: 'CS', value: str('RGB') },
      }),
    expect: 'UNSUPPORTED_FORMAT',
    message: /only greyscale/,
  },
  {
    id: 'D34b',
    what: 'MONOCHROME1 is inverted',
    bytes: () =>
      withElements({ 2621444: { tag: 0x00280004, vr: 'CS', value: str('MONOCHROME1') } }),
    expect: 'ok',
    values: PIXELS.map((v) => 65535 - v),
  },
  {
    id: 'D34c',
    what: 'BitsAllocated 1 (segmentation)',
    bytes: () =>
      withElements({
        2621696: { tag: 0x00280100, vr: 'US', value: u16(1) },
        2621697: { tag: 0x00280101, vr: 'US', value: u16(1) },
      }),
    expect: 'UNSUPPORTED_FORMAT',
    message: /BitsAllocated 1/,
  },
  {
    id: 'D35',
    what: 'empty SliceThickness and RescaleSlope',
    bytes: () =>
      withElements({
        1572944: { tag: 0x00180050, vr: 'DS', value: new Uint8Array(0) },
        2625619: { tag: 0x00281053, vr: 'DS', value: str('  ') },
      }),
    expect: 'ok',
  },
  {
    id: 'D35b',
    what: 'decimal strings "2" and "-4096" as rescale',
    bytes: () =>
      withElements({
        2625619: { tag: 0x00281053, vr: 'DS', value: str('2') },
        2625618: { tag: 0x00281052, vr: 'DS', value: str('-4096') },
      }),
    expect: 'ok',
    values: PIXELS.map((v) => v * 2 - 4096),
  },
];

async function outcome(c: Case): Promise<unknown> {
  try {
    return await readDicom(c.bytes(), c.limits ? { limits: c.limits } : {});
  } catch (error) {
    return error;
  }
}

describe('readDicom on the bad-input catalogue', () => {
  it.each(CASES.map((c) => [`${c.id} ${c.what}`, c] as const))('%s', async (_name, c) => {
    const result = await outcome(c);
    if (c.expect === 'ok') {
      expect(isMriError(result), String((result as Error).message)).toBe(false);
      const { volume } = result as Awaited<ReturnType<typeof readDicom>>;
      const values = c.values ?? (c.id === 'D14d' ? PIXELS.map((v) => v & 0x0fff) : PIXELS);
      expect(Array.from(volume.data)).toEqual(values);
      return;
    }
    expect(isMriError(result), `${c.id} gave ${String(result)}`).toBe(true);
    expect((result as { code: string }).code).toBe(c.expect);
    expect((result as Error).message).toMatch(/^readDicom: /);
    if (c.message) expect((result as Error).message).toMatch(c.message);
  });

  it('reports warnings for lenient cases', async () => {
    const byId = new Map(CASES.map((c) => [c.id, c]));
    const warnings = async (id: string) =>
      ((await outcome(byId.get(id)!)) as { header: { warnings: string[] } }).header.warnings.join(
        '\n',
      );
    expect(await warnings('D7')).toMatch(/zero padding/);
    expect(await warnings('D15c')).toMatch(/8 bytes more than the image needs/);
    expect(await warnings('D19')).toMatch(/RescaleSlope 0 ignored/);
    expect(await warnings('D21a')).toMatch(/no TransferSyntaxUID/);
  });

  it('D7: the real GE file with 2.49 MB of trailing zeros (padding regenerated)', async () => {
    const bytes = cat(fixture('dicom/series/brain_001.dcm'), new Uint8Array(2_490_368));
    const { volume, header } = await readDicom(bytes);
    expect(volume.shape).toEqual([256, 256, 1]);
    expect(header.warnings.join()).toMatch(/2490368 bytes of trailing zero padding/);
  });

  it('real odd files end in an image or a clear MriError', async () => {
    const expected: Record<string, Code> = {
      'MR_truncated.dcm': 'CORRUPT_FILE',
      'badVR.dcm': 'CORRUPT_FILE',
      'no_meta.dcm': 'CORRUPT_FILE',
      'meta_missing_tsyntax.dcm': 'CORRUPT_FILE',
      'csa_slice_norm.dcm': 'CORRUPT_FILE',
      'priv_SQ.dcm': 'CORRUPT_FILE',
      'nested_priv_SQ.dcm': 'CORRUPT_FILE',
      'UN_sequence.dcm': 'CORRUPT_FILE',
      'JPEG2000-embedded-sequence-delimiter.dcm': 'CORRUPT_FILE',
      'JPEG-lossy.dcm': 'UNSUPPORTED_FORMAT',
      'SC_rgb_rle.dcm': 'UNSUPPORTED_FORMAT',
      'liver_1frame.dcm': 'UNSUPPORTED_FORMAT',
      // no preamble and no meta, big and little endian: sniffed and parsed to the end, no image
      'ExplVR_BigEndNoMeta.dcm': 'CORRUPT_FILE',
      'ExplVR_LitEndNoMeta.dcm': 'CORRUPT_FILE',
    };
    for (const [file, code] of Object.entries(expected)) {
      const error = await readDicom(fixture(`dicom/${file}`)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isMriError(error), file).toBe(true);
      expect((error as { code: string }).code, `${file}: ${(error as Error).message}`).toBe(code);
      if (file.includes('NoMeta'))
        expect((error as Error).message).toMatch(/no image in this file/);
    }
  });
});

describe('readDicomSeries: series-level checks (D36)', () => {
  const slice = (z: number, overrides: Parameters<typeof baseElements>[0] = {}) =>
    withElements({
      524312: { tag: 0x00080018, vr: 'UI', value: uid(`2.25.${5000 + z}`) },
      2097202: { tag: 0x00200032, vr: 'DS', value: str(`-10\\-20\\${z}`) },
      ...overrides,
    });

  it('sorts slices and reports a gap', async () => {
    const [r] = await readDicomSeries([slice(6), slice(0), slice(3), slice(12)]);
    expect(r!.volume.shape).toEqual([4, 4, 4]);
    expect(r!.header.imagePositionsPatient.map((p) => p[2])).toEqual([0, 3, 6, 12]);
    expect(r!.header.warnings.join()).toMatch(/uneven slice spacing \(gaps\)/);
    // LPS -> RAS: x and y flip sign; z step is the mean spacing 4 mm
    expect([
      r!.volume.affine[0],
      r!.volume.affine[5],
      r!.volume.affine[10],
      r!.volume.affine[3],
      r!.volume.affine[7],
    ]).toEqual([-0.75, -0.5, 4, 10, 20]);
  });

  it('refuses mixed sizes in one series', async () => {
    const big = slice(3, { 2621456: { tag: 0x00280010, vr: 'US', value: u16(2) } });
    const error = await readDicomSeries([slice(0), big]).catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe('CORRUPT_FILE');
    expect((error as Error).message).toMatch(/mixes image sizes 4x4, 4x2/);
  });

  it('refuses two images at one position', async () => {
    const error = await readDicomSeries([
      slice(0),
      slice(0, { 524312: { tag: 0x00080018, vr: 'UI', value: uid('2.25.9') } }),
    ]).catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe('UNSUPPORTED_FORMAT');
    expect((error as Error).message).toMatch(/several images per position/);
  });

  it('splits different series and orientations into separate volumes', async () => {
    const other = slice(0, { 2097166: { tag: 0x0020000e, vr: 'UI', value: uid('2.25.777') } });
    const results = await readDicomSeries([slice(0), slice(3), other]);
    expect(results.map((r) => r.volume.shape[2])).toEqual([2, 1]);
  });

  it('names the file that is bad', async () => {
    const error = await readDicomSeries([slice(0), new Uint8Array(10)]).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^readDicomSeries: files\[1\]: not DICOM/);
  });

  it('names the bad file by its name, and skips unreadable files when asked, naming each', async () => {
    const names = ['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm', 'notes.dcm'];
    const files = [slice(0), new Uint8Array(10), slice(6), slice(3).subarray(0, 200)];
    const error = await readDicomSeries(files, { names }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^readDicomSeries: IM0002\.dcm: not DICOM/);
    const skipped: string[] = [];
    const [r, ...more] = await readDicomSeries(files, {
      names,
      onUnreadable: (i, e) => skipped.push(`${names[i]} ${e.code} ${e.message}`),
    });
    expect(more).toEqual([]);
    expect(r!.volume.shape).toEqual([4, 4, 2]);
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toMatch(/^IM0002\.dcm CORRUPT_FILE readDicomSeries: IM0002\.dcm: not DICOM/);
    expect(skipped[1]).toMatch(/^notes\.dcm [A-Z_]+ readDicomSeries: notes\.dcm: /);
    // Nothing readable: the first failure, as without onUnreadable.
    const none = await readDicomSeries([new Uint8Array(10)], {
      names: ['a.dcm'],
      onUnreadable: () => {},
    }).catch((e: unknown) => e);
    expect((none as Error).message).toMatch(/^readDicomSeries: a\.dcm: not DICOM/);
    // Limits on all files together are not a file's fault: they still fail the call.
    const tooMany = await readDicomSeries([slice(0), slice(1), slice(2)], {
      limits: { maxFrames: 2 },
      onUnreadable: () => {},
    }).catch((e: unknown) => e);
    expect((tooMany as { code: string }).code).toBe('LIMIT_EXCEEDED');
    for (const bad of [{ names: ['only one'] }, { names: 'x' }, { onUnreadable: 'skip' }]) {
      const e = await readDicomSeries([slice(0), slice(3)], bad as never).catch((x: unknown) => x);
      expect((e as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('readDicom rejects bad arguments', async () => {
    for (const call of [
      () => readDicom('x' as never),
      () => readDicom(validDicom(), null as never),
      () => readDicom(validDicom(), { limits: { maxFrames: -1 } }),
      () => readDicom(validDicom(), { limits: 'big' as never }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(isMriError(error)).toBe(true);
      expect((error as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('rejects bad arguments', async () => {
    for (const bad of [[], 'x', [new Uint8Array(4), 3]]) {
      const error = await readDicomSeries(bad as never).catch((e: unknown) => e);
      expect((error as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
    const tooMany = await readDicomSeries([slice(0), slice(1)], { limits: { maxFrames: 1 } }).catch(
      (e: unknown) => e,
    );
    expect((tooMany as { code: string }).code).toBe('LIMIT_EXCEEDED');
  });
});
