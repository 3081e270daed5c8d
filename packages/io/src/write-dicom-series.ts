import {
  assertVolume,
  describeValue,
  invalidArgument,
  MriError,
  type Volume,
} from '@duncan-mri/volume';
import type { DicomHeader } from './dicom-header.js';
import { COPIED_ATTRIBUTES } from './internal/dicom-copied.js';
import { TAG, TRANSFER_SYNTAX } from './internal/dicom-dictionary.js';
import {
  concat,
  encodeExplicitLittle,
  encodeString,
  formatDs,
  newUid,
  type OutElement,
  type TextEncoding,
  text,
  ul,
  us,
} from './internal/dicom-encode.js';
import { assertOptions } from './internal/errors.js';

/** Options of {@link writeDicomSeries}. */
export interface WriteDicomSeriesOptions {
  /** SeriesDescription of the new series (default: the source's with " (duncan-mri)" appended). */
  readonly seriesDescription?: string;
  /** SeriesNumber of the new series (default: the source's plus 1000). */
  readonly seriesNumber?: number;
  /** DerivationDescription (default: "Artefact reduction by duncan-mri"). */
  readonly derivationDescription?: string;
}

const WHERE = 'writeDicomSeries';
const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const SINGLE_FRAME_CLASSES = new Set([
  MR_IMAGE_STORAGE,
  '1.2.840.10008.5.1.4.1.1.2',
  '1.2.840.10008.5.1.4.1.1.7',
]);
const IMPLEMENTATION_UID = '2.25.170331880046214734434546095330651396941';

/**
 * Writes `volume` as a derived DICOM series beside the series it came from (`source`, the header
 * of {@link readDicomSeries}): one Explicit VR Little Endian file per slice, with new Series
 * and SOP Instance UIDs (`2.25.` + a random UUID), ImageType `DERIVED\SECONDARY`, a
 * DerivationDescription and a SourceImageSequence pointing at each source image. Patient,
 * study, equipment and FrameOfReference attributes are kept; geometry (ImagePositionPatient,
 * ImageOrientationPatient, PixelSpacing) comes from the volume's affine (RAS -> LPS), which for
 * a corrected volume is the source's own; slice positions are the source's exact ones when the
 * volume sits where the source did (so uneven spacing survives). Pixels are stored as signed 16-bit with
 * RescaleSlope/RescaleIntercept chosen to fit the values (1/0 when they are integers in range),
 * and WindowCenter/WindowWidth set to the new range. SpecificCharacterSet is the source's, else
 * ISO_IR 192 (UTF-8); a volume whose affine shears the image plane is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const [{ volume, header }] = await readDicomSeries(files);
 * const corrected = await correct(volume);
 * const out = writeDicomSeries(corrected, header, { seriesDescription: 'T2 corrected' });
 * ```
 */
export function writeDicomSeries(
  volume: Volume,
  source: DicomHeader,
  options?: WriteDicomSeriesOptions,
): Uint8Array[] {
  assertVolume(volume, WHERE, 'volume');
  if (typeof source !== 'object' || source === null || !Array.isArray(source.sopInstanceUids)) {
    invalidArgument(WHERE, 'source', 'must be the header of readDicomSeries', source);
  }
  validateSource(source);
  const opts = assertOptions<WriteDicomSeriesOptions>(WHERE, options);
  const [columns, rows, slices] = volume.shape;
  if (columns !== source.columns || rows !== source.rows || slices !== source.slices) {
    throw new MriError(
      'SHAPE_MISMATCH',
      `${WHERE}: volume must have the source's shape [${source.columns}, ${source.rows}, ${source.slices}], got [${volume.shape.join(', ')}]`,
      { argument: 'volume' },
    );
  }
  if (columns > 65535 || rows > 65535) {
    invalidArgument(WHERE, 'rows and columns', 'must be <= 65535', undefined, {
      got: `${columns}x${rows}`,
      argument: 'volume',
    });
  }
  for (const [name, value] of [
    ['seriesDescription', opts.seriesDescription],
    ['derivationDescription', opts.derivationDescription],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') {
      invalidArgument(WHERE, name, 'must be a string', value);
    }
  }
  if (
    opts.seriesNumber !== undefined &&
    !(Number.isInteger(opts.seriesNumber) && Math.abs(opts.seriesNumber) < 2 ** 31)
  ) {
    invalidArgument(WHERE, 'seriesNumber', 'must be an integer', opts.seriesNumber);
  }

  // Rescale: integers that fit int16 are stored as they are; otherwise map [min, max] onto int16.
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  for (let i = 0; i < volume.data.length; i++) {
    const v = volume.data[i]!;
    if (!Number.isFinite(v)) {
      invalidArgument(WHERE, 'volume.data', 'must be finite', undefined, {
        got: `${v} at index ${i}`,
        argument: 'volume',
      });
    }
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  let slopeText = '1';
  let interText = '0';
  if (!(integral && min >= -32768 && max <= 32767)) {
    slopeText = formatDs(max > min ? (max - min) / 65534 : 1);
    interText = formatDs(min + 32767 * Number(slopeText));
  }
  const slope = Number(slopeText);
  const intercept = Number(interText);

  // Geometry from the affine, RAS -> LPS.
  const a = volume.affine;
  const lps = (r: number, c: number) => (r < 2 ? -a[4 * r + c]! : a[4 * r + c]!);
  const colNorm = Math.hypot(lps(0, 0), lps(1, 0), lps(2, 0));
  const rowNorm = Math.hypot(lps(0, 1), lps(1, 1), lps(2, 1));
  const iop = [0, 1, 2]
    .map((r) => lps(r, 0) / colNorm)
    .concat([0, 1, 2].map((r) => lps(r, 1) / rowNorm));
  const sliceStep = Math.hypot(lps(0, 2), lps(1, 2), lps(2, 2));
  // DICOM has no in-plane shear: ImageOrientationPatient holds two orthogonal unit vectors, and
  // readDicomSeries (like other readers) refuses it otherwise (same 1e-3 tolerance). Refused
  // here rather than orthonormalised, which would silently move every voxel.
  const cosine = iop[0]! * iop[3]! + iop[1]! * iop[4]! + iop[2]! * iop[5]!;
  if (!(colNorm > 0 && rowNorm > 0 && Math.abs(cosine) <= 1e-3)) {
    invalidArgument(
      WHERE,
      'volume.affine',
      'must have orthogonal first two columns (DICOM cannot store an in-plane shear)',
      undefined,
      { got: `a cosine of ${cosine} between them (resample the volume first)`, argument: 'volume' },
    );
  }

  const seriesUid = newUid();
  const description =
    opts.seriesDescription ?? `${source.seriesDescription ?? 'series'} (duncan-mri)`;
  const derivation = opts.derivationDescription ?? 'Artefact reduction by duncan-mri';
  const seriesNumber = opts.seriesNumber ?? (source.seriesNumber ?? 0) + 1000;
  const sopClass =
    source.sopClassUid && SINGLE_FRAME_CLASSES.has(source.sopClassUid)
      ? source.sopClassUid
      : MR_IMAGE_STORAGE;
  const copied: OutElement[] = [];
  for (const attr of COPIED_ATTRIBUTES) {
    const value = source.attributes[attr.keyword];
    if (value !== undefined)
      copied.push({ tag: attr.tag, vr: attr.vr, value: text(attr.vr, value) });
  }
  const { encoding, declare } = characterSet(source);
  if (declare) copied.push({ tag: TAG.SpecificCharacterSet, vr: 'CS', value: text('CS', declare) });
  // Keep the source's own slice positions (which may be unevenly spaced) when the volume sits
  // where the source did; otherwise take them from the affine.
  const fromAffine = (k: number) => [0, 1, 2].map((r) => lps(r, 2) * k + lps(r, 3));
  const sourcePositions = source.imagePositionsPatient;
  const keepSource =
    sourcePositions.length === slices &&
    sourcePositions.every(
      (p, k) =>
        p.length === 3 &&
        fromAffine(k).every((v, a) => Math.abs(v - p[a]!) <= 0.25 * Math.max(sliceStep, 1e-3)),
    );
  const pixelsPerSlice = rows * columns;
  const files: Uint8Array[] = [];
  for (let k = 0; k < slices; k++) {
    const sopUid = newUid();
    const ipp = keepSource ? [...sourcePositions[k]!] : fromAffine(k);
    const pixels = new Uint8Array(pixelsPerSlice * 2);
    const view = new DataView(pixels.buffer);
    for (let i = 0; i < pixelsPerSlice; i++) {
      const stored = Math.round((volume.data[k * pixelsPerSlice + i]! - intercept) / slope);
      view.setInt16(2 * i, Math.max(-32768, Math.min(32767, stored)), true);
    }
    const sourceUid = source.sopInstanceUids[k];
    const dataset: OutElement[] = [
      ...copied,
      { tag: TAG.ImageType, vr: 'CS', value: text('CS', 'DERIVED\\SECONDARY') },
      { tag: TAG.SOPClassUID, vr: 'UI', value: text('UI', sopClass) },
      { tag: TAG.SOPInstanceUID, vr: 'UI', value: text('UI', sopUid) },
      {
        tag: TAG.SeriesDescription,
        vr: 'LO',
        value: encodeString('LO', description.slice(0, 64), encoding),
      },
      {
        tag: TAG.DerivationDescription,
        vr: 'ST',
        value: encodeString('ST', derivation.slice(0, 1024), encoding),
      },
      { tag: TAG.SeriesInstanceUID, vr: 'UI', value: text('UI', seriesUid) },
      { tag: TAG.SeriesNumber, vr: 'IS', value: text('IS', String(seriesNumber)) },
      { tag: TAG.InstanceNumber, vr: 'IS', value: text('IS', String(k + 1)) },
      { tag: TAG.ImagePositionPatient, vr: 'DS', value: text('DS', ipp.map(formatDs).join('\\')) },
      {
        tag: TAG.ImageOrientationPatient,
        vr: 'DS',
        value: text('DS', iop.map(formatDs).join('\\')),
      },
      { tag: TAG.SamplesPerPixel, vr: 'US', value: us(1) },
      { tag: TAG.PhotometricInterpretation, vr: 'CS', value: text('CS', 'MONOCHROME2') },
      { tag: TAG.Rows, vr: 'US', value: us(rows) },
      { tag: TAG.Columns, vr: 'US', value: us(columns) },
      {
        tag: TAG.PixelSpacing,
        vr: 'DS',
        value: text('DS', `${formatDs(rowNorm)}\\${formatDs(colNorm)}`),
      },
      { tag: TAG.BitsAllocated, vr: 'US', value: us(16) },
      { tag: TAG.BitsStored, vr: 'US', value: us(16) },
      { tag: TAG.HighBit, vr: 'US', value: us(15) },
      { tag: TAG.PixelRepresentation, vr: 'US', value: us(1) },
      { tag: TAG.WindowCenter, vr: 'DS', value: text('DS', formatDs((min + max) / 2)) },
      { tag: TAG.WindowWidth, vr: 'DS', value: text('DS', formatDs(Math.max(max - min, 1))) },
      { tag: TAG.RescaleIntercept, vr: 'DS', value: text('DS', interText) },
      { tag: TAG.RescaleSlope, vr: 'DS', value: text('DS', slopeText) },
      { tag: TAG.PixelData, vr: 'OW', value: pixels },
    ];
    if (source.sliceThickness !== undefined) {
      dataset.push({
        tag: TAG.SliceThickness,
        vr: 'DS',
        value: text('DS', formatDs(source.sliceThickness)),
      });
    }
    dataset.push({
      tag: TAG.SpacingBetweenSlices,
      vr: 'DS',
      value: text('DS', formatDs(sliceStep)),
    });
    if (sourceUid) {
      dataset.push({
        tag: TAG.SourceImageSequence,
        vr: 'SQ',
        items: [
          [
            {
              tag: TAG.ReferencedSOPClassUID,
              vr: 'UI',
              value: text('UI', source.sopClassUid ?? sopClass),
            },
            { tag: TAG.ReferencedSOPInstanceUID, vr: 'UI', value: text('UI', sourceUid) },
          ],
        ],
      });
    }
    const body = encodeExplicitLittle(dataset);
    const metaBody = encodeExplicitLittle([
      { tag: TAG.MediaStorageSOPClassUID, vr: 'UI', value: text('UI', sopClass) },
      { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
      { tag: TAG.MediaStorageSOPInstanceUID, vr: 'UI', value: text('UI', sopUid) },
      { tag: TAG.TransferSyntaxUID, vr: 'UI', value: text('UI', TRANSFER_SYNTAX.explicitLittle) },
      { tag: TAG.ImplementationClassUID, vr: 'UI', value: text('UI', IMPLEMENTATION_UID) },
      { tag: TAG.ImplementationVersionName, vr: 'SH', value: text('SH', 'DUNCAN_MRI_0_1') },
    ]);
    const groupLength = encodeExplicitLittle([
      { tag: TAG.FileMetaGroupLength, vr: 'UL', value: ul(metaBody.length) },
    ]);
    const preamble = new Uint8Array(132);
    preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
    files.push(concat([preamble, groupLength, metaBody, body]));
  }
  return files;
}

/**
 * The character set of the text written: the source's SpecificCharacterSet when it has one (its
 * copied values are bytes in it, kept as they are; our descriptions are encoded to match), else
 * one is declared: ISO_IR 192 (UTF-8) when the copied values are ASCII, ISO_IR 100 (Latin-1,
 * what undeclared non-ASCII bytes nearly always are) when they are not.
 */
function characterSet(source: DicomHeader): { encoding: TextEncoding; declare?: string } {
  const own = source.attributes.SpecificCharacterSet;
  if (own !== undefined) {
    const terms = own.split('\\').map((t) => t.trim());
    if (terms.length === 1 && terms[0] === 'ISO_IR 192') return { encoding: 'utf8' };
    if (terms.length === 1 && terms[0] === 'ISO_IR 100') return { encoding: 'latin1' };
    return { encoding: 'ascii' };
  }
  const ascii = Object.values(source.attributes).every((v) =>
    Array.from(v).every((c) => c.charCodeAt(0) < 128),
  );
  return ascii
    ? { encoding: 'utf8', declare: 'ISO_IR 192' }
    : { encoding: 'latin1', declare: 'ISO_IR 100' };
}

/**
 * Checks the fields of `source` that are used, so that a hand-made or partial header ends in an
 * `INVALID_ARGUMENT` naming the field rather than a TypeError.
 */
function validateSource(source: DicomHeader): void {
  const fail = (field: string, rule: string, value: unknown): never => {
    invalidArgument(WHERE, `source.${field}`, `must be ${rule}`, undefined, {
      got: `${describeValue(value)} (pass the header of readDicomSeries)`,
      argument: 'source',
    });
  };
  for (const field of ['rows', 'columns', 'slices'] as const) {
    if (!Number.isInteger(source[field])) fail(field, 'an integer', source[field]);
  }
  const attributes = source.attributes as unknown;
  if (typeof attributes !== 'object' || attributes === null)
    fail('attributes', 'an object', attributes);
  for (const [key, value] of Object.entries(attributes as object)) {
    if (typeof value !== 'string') fail(`attributes.${key}`, 'a string', value);
  }
  source.sopInstanceUids.forEach((u, i) => {
    if (typeof u !== 'string') fail(`sopInstanceUids[${i}]`, 'a string', u);
  });
  const positions = source.imagePositionsPatient as unknown;
  if (!Array.isArray(positions)) fail('imagePositionsPatient', 'an array', positions);
  (positions as unknown[]).forEach((p, i) => {
    if (!Array.isArray(p) || !p.every((v) => typeof v === 'number' && Number.isFinite(v)))
      fail(`imagePositionsPatient[${i}]`, 'an array of finite numbers', p);
  });
  for (const field of ['seriesDescription', 'sopClassUid'] as const) {
    if (source[field] !== undefined && typeof source[field] !== 'string')
      fail(field, 'a string or undefined', source[field]);
  }
  for (const field of ['seriesNumber', 'sliceThickness'] as const) {
    const v = source[field];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v)))
      fail(field, 'a finite number or undefined', v);
  }
}
