import type { ReadLimits } from '../read-limits.js';
import {
  codestreamSize,
  type DecodedFrame,
  decodeJpeg2000,
  decodeJpegBaseline,
  decodeJpegLossless,
  decodeJpegLs,
  decodeRle,
  unsupportedSyntax,
} from './codecs.js';
import { COPIED_ATTRIBUTES } from './dicom-copied.js';
import { TAG, TRANSFER_SYNTAX, tagName } from './dicom-dictionary.js';
import {
  type DicomDataset,
  type DicomElement,
  dsValue,
  dsValues,
  elementBytes,
  type Fragment,
  firstItem,
  isValue,
  type ParsedDicom,
  parseDicom,
  stringValue,
  stringValues,
  usValue,
} from './dicom-parse.js';
import { corrupt, limitExceeded, unsupported } from './errors.js';
import { gunzip, isGzip } from './inflate.js';
import { HOST_LITTLE_ENDIAN } from './nifti-types.js';
import { scaledOverflow } from './scaling.js';

/** One 2-D image (a frame, or a tile of a mosaic) with its geometry, values rescaled. */
export interface DicomSlice {
  readonly file: number;
  readonly frame: number;
  readonly rows: number;
  readonly columns: number;
  readonly data: Float32Array;
  readonly position: number[] | undefined;
  readonly orientation: number[] | undefined;
  readonly pixelSpacing: [number, number] | undefined;
  readonly sliceThickness: number | undefined;
  readonly spacingBetweenSlices: number | undefined;
  readonly slope: number;
  readonly intercept: number;
}

/** A decoded file. */
export interface DicomFile {
  readonly index: number;
  /** What messages call the file (`ReadDicomOptions.names`); `files[index]` without it. */
  readonly label?: string;
  readonly parsed: ParsedDicom;
  readonly slices: DicomSlice[];
  readonly storage: 'single-frame' | 'multi-frame' | 'enhanced' | 'mosaic';
  readonly seriesInstanceUid: string | undefined;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string | undefined;
  readonly seriesDescription: string | undefined;
  readonly seriesNumber: number | undefined;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: number;
  readonly photometric: string;
  readonly windowCenter: number | undefined;
  readonly windowWidth: number | undefined;
  readonly attributes: Record<string, string>;
  readonly warnings: string[];
}

const NATIVE = new Set<string>([
  TRANSFER_SYNTAX.implicitLittle,
  TRANSFER_SYNTAX.explicitLittle,
  TRANSFER_SYNTAX.explicitBig,
  TRANSFER_SYNTAX.deflated,
]);

function required(where: string, ds: DicomDataset, tag: number, name: string): number {
  const v = usValue(where, ds, tag);
  if (v === undefined)
    throw corrupt(
      where,
      `missing ${name} ${tagName(tag)}: not an image, or the transfer syntax does not match the data`,
    );
  return v;
}

/** Parses and decodes one DICOM file into rescaled 2-D slices with their geometry. */
export async function decodeDicomFile(
  where: string,
  bytes: Uint8Array,
  index: number,
  limits: Required<ReadLimits>,
): Promise<DicomFile> {
  // A gzip-wrapped file (e.g. `.dcm.gz`) is recognised by its magic and inflated with a budget.
  const input = isGzip(bytes) ? gunzip(where, bytes, { maxBytes: limits.maxInflatedBytes }) : bytes;
  const parsed = parseDicom(where, input, limits);
  const ds = parsed.dataset;
  const warnings = parsed.warnings.slice();
  const pixel = ds.elements.get(TAG.PixelData);
  if (!pixel) {
    if (ds.elements.has(TAG.FloatPixelData) || ds.elements.has(TAG.DoubleFloatPixelData)) {
      throw unsupported(where, 'float pixel data (7FE0,0008/0009) is not supported');
    }
    throw corrupt(where, 'no image in this file: it has no PixelData (7FE0,0010)');
  }
  if (pixel.items) {
    throw corrupt(
      where,
      'PixelData (7FE0,0010) must be OB or OW pixel values, got a sequence (SQ)',
    );
  }
  const rows = required(where, ds, TAG.Rows, 'Rows');
  const columns = required(where, ds, TAG.Columns, 'Columns');
  const bitsAllocated = required(where, ds, TAG.BitsAllocated, 'BitsAllocated');
  if (rows < 1 || columns < 1)
    throw corrupt(where, `Rows and Columns must be >= 1, got ${rows} x ${columns}`);
  const samples = usValue(where, ds, TAG.SamplesPerPixel) ?? 1;
  let photometric = stringValue(where, ds, TAG.PhotometricInterpretation);
  if (photometric === undefined) {
    warnings.push('no PhotometricInterpretation; assuming MONOCHROME2');
    photometric = 'MONOCHROME2';
  }
  if (samples !== 1 || (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2')) {
    throw unsupported(
      where,
      `only greyscale images are supported (SamplesPerPixel 1, MONOCHROME1/2), got SamplesPerPixel ${samples}, ${photometric}`,
    );
  }
  if (bitsAllocated === 1)
    throw unsupported(where, 'BitsAllocated 1 (a binary segmentation) is not an MR image');
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw corrupt(where, `BitsAllocated must be 8, 16 or 32, got ${bitsAllocated}`);
  }
  const bitsStored = usValue(where, ds, TAG.BitsStored) ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw corrupt(
      where,
      `BitsStored must be between 1 and BitsAllocated (${bitsAllocated}), got ${bitsStored}`,
    );
  }
  const highBit = usValue(where, ds, TAG.HighBit);
  if (highBit !== undefined && highBit !== bitsStored - 1)
    warnings.push(`HighBit ${highBit} is not BitsStored - 1 (${bitsStored - 1}); using BitsStored`);
  const pixelRepresentation = usValue(where, ds, TAG.PixelRepresentation) ?? 0;
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) {
    throw corrupt(where, `PixelRepresentation must be 0 or 1, got ${pixelRepresentation}`);
  }
  const frames = isValue(where, ds, TAG.NumberOfFrames) ?? 1;
  if (frames < 1) throw corrupt(where, `NumberOfFrames must be >= 1, got ${frames}`);
  if (frames > limits.maxFrames) throw limitExceeded(where, 'maxFrames', limits.maxFrames, frames);
  const pixels = rows * columns;
  if (pixels * frames > limits.maxVoxels) {
    throw limitExceeded(where, 'maxVoxels', limits.maxVoxels, `${columns}x${rows}x${frames}`);
  }
  const signed = pixelRepresentation === 1;
  const ts = parsed.transferSyntax;
  const stored = await decodePixels(where, parsed, pixel, {
    rows,
    columns,
    frames,
    bitsAllocated,
    bitsStored,
    signed,
    ts,
    warnings,
  });

  // Geometry and rescale, classic or enhanced.
  const shared = firstItem(ds, TAG.SharedFunctionalGroupsSequence);
  const perFrameItems = ds.elements.get(TAG.PerFrameFunctionalGroupsSequence)?.items;
  const enhanced = perFrameItems !== undefined;
  if (enhanced && perFrameItems.length !== frames) {
    throw corrupt(
      where,
      `PerFrameFunctionalGroupsSequence must have NumberOfFrames (${frames}) items, got ${perFrameItems.length}`,
    );
  }
  const top = {
    position: dsValues(where, ds, TAG.ImagePositionPatient),
    orientation: dsValues(where, ds, TAG.ImageOrientationPatient),
    spacing: dsValues(where, ds, TAG.PixelSpacing),
    thickness: dsValue(where, ds, TAG.SliceThickness),
    between: dsValue(where, ds, TAG.SpacingBetweenSlices),
    slope: dsValue(where, ds, TAG.RescaleSlope),
    intercept: dsValue(where, ds, TAG.RescaleIntercept),
  };
  const slices: DicomSlice[] = [];
  const invert = photometric === 'MONOCHROME1';
  const maxStored = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  const minStored = signed ? -(2 ** (bitsStored - 1)) : 0;
  for (let f = 0; f < frames; f++) {
    const item = perFrameItems?.[f];
    const pick = (seq: number) => firstItem(item, seq) ?? firstItem(shared, seq);
    const position = enhanced
      ? dsValues(where, pick(TAG.PlanePositionSequence) ?? ds, TAG.ImagePositionPatient)
      : top.position;
    const orientation = enhanced
      ? (dsValues(where, pick(TAG.PlaneOrientationSequence) ?? ds, TAG.ImageOrientationPatient) ??
        top.orientation)
      : top.orientation;
    const measures = enhanced ? pick(TAG.PixelMeasuresSequence) : undefined;
    const spacing = (measures && dsValues(where, measures, TAG.PixelSpacing)) ?? top.spacing;
    const thickness = (measures && dsValue(where, measures, TAG.SliceThickness)) ?? top.thickness;
    const between = (measures && dsValue(where, measures, TAG.SpacingBetweenSlices)) ?? top.between;
    const transform = enhanced ? pick(TAG.PixelValueTransformationSequence) : undefined;
    let slope = (transform && dsValue(where, transform, TAG.RescaleSlope)) ?? top.slope ?? 1;
    const intercept =
      (transform && dsValue(where, transform, TAG.RescaleIntercept)) ?? top.intercept ?? 0;
    if (slope === 0) {
      warnings.push('RescaleSlope 0 ignored (treated as 1)');
      slope = 1;
    }
    const raw = stored.subarray(f * pixels, (f + 1) * pixels);
    // 8- and 16-bit values are held as float32 already: rescaled in place, not copied.
    const data = raw instanceof Float32Array ? raw : new Float32Array(pixels);
    if (invert || slope !== 1 || intercept !== 0) {
      const flip = maxStored + minStored;
      for (let i = 0; i < pixels; i++) {
        const v = invert ? flip - raw[i]! : raw[i]!;
        data[i] = v * slope + intercept;
        const r = data[i]!;
        if (r === Number.POSITIVE_INFINITY || r === Number.NEGATIVE_INFINITY) {
          throw scaledOverflow(
            where,
            ['RescaleSlope', 'RescaleIntercept'],
            slope,
            intercept,
            v,
            `pixel ${i} of frame ${f}`,
          );
        }
      }
    } else if (data !== raw) {
      data.set(raw);
    }
    checkVector(where, position, 3, 'ImagePositionPatient');
    checkVector(where, orientation, 6, 'ImageOrientationPatient');
    checkVector(where, spacing, 2, 'PixelSpacing');
    slices.push({
      file: index,
      frame: f,
      rows,
      columns,
      data,
      position,
      orientation,
      pixelSpacing: spacing ? [spacing[0]!, spacing[1]!] : undefined,
      sliceThickness: thickness,
      spacingBetweenSlices: between,
      slope,
      intercept,
    });
  }
  const imageType = stringValues(where, ds, TAG.ImageType) ?? [];
  let storage: DicomFile['storage'] = enhanced
    ? 'enhanced'
    : frames > 1
      ? 'multi-frame'
      : 'single-frame';
  let out = slices;
  if (imageType.includes('MOSAIC') && frames === 1) {
    out = unmosaic(where, ds, slices[0]!, warnings);
    storage = 'mosaic';
  }
  const attributes: Record<string, string> = {};
  for (const a of COPIED_ATTRIBUTES) {
    const raw = elementBytes(ds, a.tag);
    if (raw && raw.length > 0 && raw.length <= 1024) {
      let text = '';
      for (const c of raw) text += String.fromCharCode(c);
      const value = text.replace(/[\0 ]+$/, '');
      if (value !== '') attributes[a.keyword] = value;
    }
  }
  const windowCenter = dsValues(where, ds, TAG.WindowCenter)?.[0];
  const windowWidth = dsValues(where, ds, TAG.WindowWidth)?.[0];
  return {
    index,
    parsed,
    slices: out,
    storage,
    seriesInstanceUid: stringValue(where, ds, TAG.SeriesInstanceUID),
    sopInstanceUid: stringValue(where, ds, TAG.SOPInstanceUID) ?? '',
    sopClassUid: stringValue(where, ds, TAG.SOPClassUID),
    seriesDescription: stringValue(where, ds, TAG.SeriesDescription),
    seriesNumber: safeIs(where, ds, TAG.SeriesNumber, warnings),
    bitsAllocated,
    bitsStored,
    pixelRepresentation,
    photometric,
    windowCenter,
    windowWidth,
    attributes,
    warnings,
  };
}

function safeIs(
  where: string,
  ds: DicomDataset,
  tag: number,
  warnings: string[],
): number | undefined {
  try {
    return isValue(where, ds, tag);
  } catch {
    warnings.push(`${tagName(tag)} is not an integer string; ignored`);
    return undefined;
  }
}

function checkVector(where: string, v: number[] | undefined, n: number, name: string): void {
  if (v !== undefined && v.length < n)
    throw corrupt(where, `${name} must have ${n} values, got ${v.length}`);
}

interface PixelSpec {
  rows: number;
  columns: number;
  frames: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  ts: string;
  warnings: string[];
}

/** What {@link decodePixels} holds stored values in: 4 bytes a voxel whatever BitsAllocated is. */
type StoredValues = Float32Array | Int32Array | Uint32Array;

/**
 * Stored values of all frames (masked to BitsStored, sign-extended), exact and 4 bytes a voxel:
 * float32 for 8- and 16-bit data, int32 / uint32 for 32-bit data (which float32 cannot hold
 * exactly; float64 would double the memory a volume at `maxVoxels` costs).
 */
async function decodePixels(
  where: string,
  parsed: ParsedDicom,
  pixel: DicomElement,
  spec: PixelSpec,
): Promise<StoredValues> {
  const { rows, columns, frames, bitsAllocated, ts } = spec;
  const bytesPerSample = bitsAllocated / 8;
  const pixels = rows * columns;
  // Allocated only once the pixel data is known to be there (a tiny file may declare 2^28 voxels).
  const allocate = (): StoredValues =>
    bitsAllocated !== 32
      ? new Float32Array(pixels * frames)
      : spec.signed
        ? new Int32Array(pixels * frames)
        : new Uint32Array(pixels * frames);
  const bytes = parsed.dataset.bytes;
  if (!pixel.fragments) {
    if (!NATIVE.has(ts)) {
      if (Object.values(TRANSFER_SYNTAX).includes(ts as never)) {
        throw corrupt(
          where,
          `transfer syntax ${ts} needs encapsulated pixel data, got a defined-length PixelData`,
        );
      }
      throw unsupported(where, `unsupported transfer syntax ${ts}`);
    }
    const expected = pixels * frames * bytesPerSample;
    if (pixel.length < expected) {
      throw corrupt(
        where,
        `PixelData truncated: ${pixel.length} bytes, Rows x Columns x NumberOfFrames x BitsAllocated/8 = ${rows} x ${columns} x ${frames} x ${bytesPerSample} = ${expected}`,
      );
    }
    if (pixel.length > expected + 1)
      spec.warnings.push(
        `PixelData has ${pixel.length - expected} bytes more than the image needs; ignored`,
      );
    const le = parsed.dataset.littleEndian;
    const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.offset, expected);
    const out = allocate();
    readSamples(view, out, 0, pixels * frames, bytesPerSample, le, spec);
    return out;
  }
  const [bot, ...fragments] = pixel.fragments;
  const frameData = splitFrames(where, bytes, bot!, fragments, frames, ts);
  const out = allocate();
  for (let f = 0; f < frames; f++) {
    const data = frameData[f]!;
    let decoded: DecodedFrame | Uint8Array;
    switch (ts) {
      case TRANSFER_SYNTAX.rle:
        decoded = decodeRle(where, data, f, pixels, bytesPerSample, 1);
        break;
      case TRANSFER_SYNTAX.jpegLsLossless:
      case TRANSFER_SYNTAX.jpegLsNearLossless:
        checkSize(where, data, f, spec, 'jpeg');
        decoded = await decodeJpegLs(where, data);
        break;
      case TRANSFER_SYNTAX.jpeg2000Lossless:
      case TRANSFER_SYNTAX.jpeg2000:
        checkSize(where, data, f, spec, 'j2k');
        decoded = await decodeJpeg2000(where, data);
        break;
      case TRANSFER_SYNTAX.jpegLossless:
      case TRANSFER_SYNTAX.jpegLosslessSv1:
        checkSize(where, data, f, spec, 'jpeg');
        decoded = await decodeJpegLossless(where, data, bytesPerSample);
        break;
      case TRANSFER_SYNTAX.jpegBaseline:
        if (bitsAllocated !== 8)
          throw corrupt(where, `JPEG baseline is 8-bit, got BitsAllocated ${bitsAllocated}`);
        checkSize(where, data, f, spec, 'jpeg');
        decoded = await decodeJpegBaseline(where, data);
        break;
      case TRANSFER_SYNTAX.jpegExtended:
        unsupportedSyntax(where, ts, '12-bit JPEG extended has no decoder here');
        break;
      default:
        throw unsupported(where, `unsupported transfer syntax ${ts}`);
    }
    let sampleBytes: Uint8Array;
    let size = bytesPerSample;
    if (decoded instanceof Uint8Array) sampleBytes = decoded;
    else {
      if (decoded.width !== columns || decoded.height !== rows || decoded.components !== 1) {
        throw corrupt(
          where,
          `frame ${f}: the codestream holds ${decoded.width}x${decoded.height}x${decoded.components}, the header says ${columns}x${rows}x1`,
        );
      }
      size = decoded.bitsPerSample > 8 ? 2 : 1;
      sampleBytes = decoded.bytes;
    }
    if (sampleBytes.length < pixels * size) {
      throw corrupt(
        where,
        `frame ${f}: decoded ${sampleBytes.length} bytes, expected ${pixels * size}`,
      );
    }
    const view = new DataView(sampleBytes.buffer, sampleBytes.byteOffset, pixels * size);
    readSamples(view, out, f * pixels, pixels, size, true, spec);
  }
  return out;
}

function checkSize(
  where: string,
  data: Uint8Array,
  frame: number,
  spec: PixelSpec,
  kind: 'jpeg' | 'j2k',
): void {
  const info = codestreamSize(where, data, frame, kind);
  const { width, height, components, precision } = info;
  if (width !== spec.columns || height !== spec.rows) {
    throw corrupt(
      where,
      `frame ${frame}: the codestream declares ${width}x${height}, the header says ${spec.columns}x${spec.rows}; refusing to decode`,
    );
  }
  if (components !== 1) {
    throw corrupt(
      where,
      `frame ${frame}: the codestream declares ${components} components, a greyscale image has 1; refusing to decode`,
    );
  }
  // The codecs hand back 1 or 2 bytes a sample, and the samples must fit BitsAllocated.
  if (precision > 16) {
    throw unsupported(
      where,
      `frame ${frame}: codestream precision must be at most 16 bits, got ${precision}`,
    );
  }
  if (precision > spec.bitsAllocated) {
    throw corrupt(
      where,
      `frame ${frame}: codestream precision must be at most BitsAllocated (${spec.bitsAllocated}), got ${precision} bits; refusing to decode`,
    );
  }
  if (info.tiles !== undefined && info.tiles > MAX_J2K_TILES) {
    throw unsupported(
      where,
      `frame ${frame}: JPEG 2000 tile count must be at most ${MAX_J2K_TILES}, got ${info.tiles}; refusing to decode`,
    );
  }
  if (info.subsampling && (info.subsampling[0] !== 1 || info.subsampling[1] !== 1)) {
    throw corrupt(
      where,
      `frame ${frame}: JPEG 2000 component subsampling must be 1x1 for a greyscale image, got ${info.subsampling[0]}x${info.subsampling[1]}; refusing to decode`,
    );
  }
  if (spec.ts === TRANSFER_SYNTAX.jpegBaseline) {
    // Process 1 is sequential; a progressive (SOF2) stream of thousands of scans could keep
    // libjpeg-turbo busy for minutes on a few kilobytes.
    if (info.sof !== 0xc0 && info.sof !== 0xc1) {
      throw unsupported(
        where,
        `frame ${frame}: JPEG baseline frame header must be SOF0 or SOF1 (sequential), got SOF${(info.sof ?? 0) - 0xc0}; refusing to decode`,
      );
    }
    if (info.scans !== undefined && info.scans > MAX_JPEG_SCANS) {
      throw unsupported(
        where,
        `frame ${frame}: JPEG baseline scan count must be at most ${MAX_JPEG_SCANS}, got ${info.scans} SOS markers; refusing to decode`,
      );
    }
  }
}

/** Most tiles a JPEG 2000 frame may have (each costs the decoder setup work and memory). */
const MAX_J2K_TILES = 4096;
/** Most scans (SOS markers) a JPEG baseline frame may have (a greyscale image needs one). */
const MAX_JPEG_SCANS = 64;

function readSamples(
  view: DataView,
  out: StoredValues,
  at: number,
  count: number,
  size: number,
  le: boolean,
  spec: PixelSpec,
): void {
  const bits = Math.min(spec.bitsStored, size * 8);
  const full = bits === size * 8;
  // Fast path: whole-word samples in the host's byte order, read through a typed array.
  if (full && (size === 1 || le === HOST_LITTLE_ENDIAN)) {
    const offset = view.byteOffset;
    const aligned = offset % size === 0;
    const buffer = (
      aligned ? view.buffer : new Uint8Array(view.buffer, offset, count * size).slice().buffer
    ) as ArrayBuffer;
    const start = aligned ? offset : 0;
    const Typed =
      size === 1
        ? spec.signed
          ? Int8Array
          : Uint8Array
        : size === 2
          ? spec.signed
            ? Int16Array
            : Uint16Array
          : spec.signed
            ? Int32Array
            : Uint32Array;
    out.set(new Typed(buffer, start, count), at);
    return;
  }
  const mask = full ? 0 : 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  for (let i = 0; i < count; i++) {
    let v: number;
    if (size === 1) v = view.getUint8(i);
    else if (size === 2) v = view.getUint16(2 * i, le);
    else v = view.getUint32(4 * i, le);
    if (!full) v = v % (mask + 1);
    if (spec.signed && v >= signBit) v -= 2 * signBit;
    out[at + i] = v;
  }
}

/** Splits encapsulated fragments into frames: BOT offsets, else one per fragment, else all in one. */
function splitFrames(
  where: string,
  bytes: Uint8Array,
  bot: { offset: number; length: number },
  fragments: { offset: number; length: number }[],
  frames: number,
  ts: string,
): Uint8Array[] {
  const join = (list: { offset: number; length: number }[]) => {
    if (list.length === 1)
      return bytes.subarray(list[0]!.offset, list[0]!.offset + list[0]!.length);
    const total = list.reduce((s, f) => s + f.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const f of list) {
      out.set(bytes.subarray(f.offset, f.offset + f.length), at);
      at += f.length;
    }
    return out;
  };
  if (fragments.length === 0) throw corrupt(where, 'encapsulated pixel data has no fragments');
  if (frames === 1) return [join(fragments)];
  if (bot.length > 0) {
    if (bot.length !== 4 * frames) {
      throw corrupt(
        where,
        `Basic Offset Table has ${bot.length / 4} entries, NumberOfFrames is ${frames}`,
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset + bot.offset, bot.length);
    // Offsets are measured from the first byte of the first fragment's item tag. One pass over
    // the fragments (they are in order, and so must the offsets be): linear in their number.
    const out: Uint8Array[] = [];
    let i = 0;
    let start = 0;
    for (let f = 0; f < frames; f++) {
      const begin = view.getUint32(4 * f, true);
      const end = f + 1 < frames ? view.getUint32(4 * (f + 1), true) : Number.POSITIVE_INFINITY;
      while (i < fragments.length && start < begin) start += fragments[i++]!.length + 8;
      if (start !== begin || i === fragments.length || end <= begin)
        throw corrupt(
          where,
          `Basic Offset Table entry ${f} (${begin}) does not point at a fragment`,
        );
      const list: Fragment[] = [];
      while (i < fragments.length && start < end) {
        list.push(fragments[i]!);
        start += fragments[i++]!.length + 8;
      }
      out.push(join(list));
    }
    return out;
  }
  if (fragments.length === frames) return fragments.map((f) => join([f]));
  throw corrupt(
    where,
    `cannot find frame boundaries: ${fragments.length} fragments for ${frames} frames and no Basic Offset Table (transfer syntax ${ts})`,
  );
}

/** Siemens mosaic: cuts the tiles into slices with their own positions. */
function unmosaic(
  where: string,
  ds: DicomDataset,
  slice: DicomSlice,
  warnings: string[],
): DicomSlice[] {
  const csa = readCsa(ds);
  const count = usValue(where, ds, TAG.SiemensNumberOfImagesInMosaic) ?? csa.images;
  if (count === undefined || count < 1) {
    throw unsupported(
      where,
      'Siemens mosaic without NumberOfImagesInMosaic (0019,100A or CSA header): cannot un-mosaic',
    );
  }
  const tiles = Math.ceil(Math.sqrt(count));
  const tileRows = slice.rows / tiles;
  const tileCols = slice.columns / tiles;
  if (!Number.isInteger(tileRows) || !Number.isInteger(tileCols)) {
    throw corrupt(
      where,
      `mosaic of ${count} images (${tiles}x${tiles} tiles) does not divide ${slice.columns}x${slice.rows}`,
    );
  }
  const { orientation, pixelSpacing, position } = slice;
  if (!orientation || !pixelSpacing || !position)
    throw corrupt(
      where,
      'mosaic without ImagePositionPatient, ImageOrientationPatient or PixelSpacing',
    );
  const row = orientation.slice(0, 3);
  const col = orientation.slice(3, 6);
  let normal = cross(row, col);
  if (csa.normal && dot(csa.normal, normal) < 0) normal = normal.map((v) => -v);
  const step = slice.spacingBetweenSlices ?? slice.sliceThickness ?? 1;
  if (slice.spacingBetweenSlices === undefined)
    warnings.push('mosaic slice spacing taken from SliceThickness');
  // The mosaic's IPP is the corner of the whole mosaic; move it to the corner of one tile.
  const origin = [0, 1, 2].map(
    (a) =>
      position[a]! +
      row[a]! * pixelSpacing[1] * ((slice.columns - tileCols) / 2) +
      col[a]! * pixelSpacing[0] * ((slice.rows - tileRows) / 2),
  );
  const out: DicomSlice[] = [];
  for (let k = 0; k < count; k++) {
    const tr = Math.floor(k / tiles);
    const tc = k % tiles;
    const data = new Float32Array(tileRows * tileCols);
    for (let r = 0; r < tileRows; r++) {
      const from = (tr * tileRows + r) * slice.columns + tc * tileCols;
      data.set(slice.data.subarray(from, from + tileCols), r * tileCols);
    }
    out.push({
      ...slice,
      frame: k,
      rows: tileRows,
      columns: tileCols,
      data,
      position: origin.map((o, a) => o + normal[a]! * step * k),
    });
  }
  return out;
}

/** Reads NumberOfImagesInMosaic and SliceNormalVector from a Siemens CSA2 header, bounded. */
function readCsa(ds: DicomDataset): { images?: number; normal?: number[] } {
  const raw = elementBytes(ds, TAG.SiemensCsaImageHeader);
  const result: { images?: number; normal?: number[] } = {};
  if (!raw || raw.length < 16 || String.fromCharCode(...raw.subarray(0, 4)) !== 'SV10')
    return result;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const tags = view.getUint32(8, true);
  let at = 16;
  for (let t = 0; t < Math.min(tags, 1000) && at + 84 <= raw.length; t++) {
    let name = '';
    for (let i = 0; i < 64 && raw[at + i] !== 0; i++) name += String.fromCharCode(raw[at + i]!);
    const items = view.getInt32(at + 76, true);
    at += 84;
    const values: string[] = [];
    for (let i = 0; i < Math.min(Math.max(items, 0), 1000); i++) {
      if (at + 16 > raw.length) return result;
      const length = view.getInt32(at + 4, true);
      at += 16;
      if (length < 0 || at + length > raw.length) return result;
      let s = '';
      for (let k = 0; k < length && raw[at + k] !== 0; k++) s += String.fromCharCode(raw[at + k]!);
      if (length > 0) values.push(s.trim());
      at += Math.ceil(length / 4) * 4;
    }
    if (name === 'NumberOfImagesInMosaic' && values[0] !== undefined) {
      const n = Number(values[0]);
      if (Number.isInteger(n)) result.images = n;
    }
    if (name === 'SliceNormalVector' && values.length >= 3) {
      const v = values.slice(0, 3).map(Number);
      if (v.every(Number.isFinite)) result.normal = v;
    }
  }
  return result;
}

export function cross(a: number[], b: number[]): number[] {
  return [
    a[1]! * b[2]! - a[2]! * b[1]!,
    a[2]! * b[0]! - a[0]! * b[2]!,
    a[0]! * b[1]! - a[1]! * b[0]!,
  ];
}

export function dot(a: number[], b: number[]): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}
