import type { ReadLimits } from '../read-limits.js';
import { COPIED_ATTRIBUTES } from './dicom-copied.js';
import { TAG, tagName } from './dicom-dictionary.js';
import { checkFrameGeometry, type DicomSlice, frameGeometries } from './dicom-frame-geometry.js';
import {
  type DicomDataset,
  dsValues,
  elementBytes,
  isValue,
  type ParsedDicom,
  parseDicom,
  stringValue,
  stringValues,
  usValue,
} from './dicom-parse.js';
import { decodePixels } from './dicom-pixels.js';
import { corrupt, limitExceeded, unsupported } from './errors.js';
import { gunzip, isGzip } from './inflate.js';
import { scaledOverflow } from './scaling.js';
import { unmosaic } from './siemens-mosaic.js';

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
  const geometry = frameGeometries(where, ds, frames);
  const enhanced = geometry.enhanced;
  const slices: DicomSlice[] = [];
  const invert = photometric === 'MONOCHROME1';
  const maxStored = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  const minStored = signed ? -(2 ** (bitsStored - 1)) : 0;
  for (let f = 0; f < frames; f++) {
    const g = geometry.frame(f);
    let slope = g.slope;
    const intercept = g.intercept;
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
    checkFrameGeometry(where, g);
    const spacing = g.pixelSpacing;
    slices.push({
      file: index,
      frame: f,
      rows,
      columns,
      data,
      position: g.position,
      orientation: g.orientation,
      pixelSpacing: spacing ? [spacing[0]!, spacing[1]!] : undefined,
      sliceThickness: g.sliceThickness,
      spacingBetweenSlices: g.spacingBetweenSlices,
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
