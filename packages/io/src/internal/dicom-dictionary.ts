/** Tags used by the DICOM reader and writer, as `(group << 16) | element`. */
export const TAG = {
  FileMetaGroupLength: 0x00020000,
  MediaStorageSOPClassUID: 0x00020002,
  MediaStorageSOPInstanceUID: 0x00020003,
  TransferSyntaxUID: 0x00020010,
  ImplementationClassUID: 0x00020012,
  ImplementationVersionName: 0x00020013,
  SpecificCharacterSet: 0x00080005,
  ImageType: 0x00080008,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  SeriesDate: 0x00080021,
  ContentDate: 0x00080023,
  StudyTime: 0x00080030,
  SeriesTime: 0x00080031,
  ContentTime: 0x00080033,
  AccessionNumber: 0x00080050,
  Modality: 0x00080060,
  Manufacturer: 0x00080070,
  InstitutionName: 0x00080080,
  ReferringPhysicianName: 0x00080090,
  StudyDescription: 0x00081030,
  SeriesDescription: 0x0008103e,
  ManufacturerModelName: 0x00081090,
  ReferencedSOPClassUID: 0x00081150,
  ReferencedSOPInstanceUID: 0x00081155,
  SourceImageSequence: 0x00082112,
  DerivationDescription: 0x00082111,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  PatientBirthDate: 0x00100030,
  PatientSex: 0x00100040,
  PatientAge: 0x00101010,
  PatientWeight: 0x00101030,
  BodyPartExamined: 0x00180015,
  ScanningSequence: 0x00180020,
  SequenceVariant: 0x00180021,
  MRAcquisitionType: 0x00180023,
  SliceThickness: 0x00180050,
  RepetitionTime: 0x00180080,
  EchoTime: 0x00180081,
  MagneticFieldStrength: 0x00180087,
  SpacingBetweenSlices: 0x00180088,
  ProtocolName: 0x00181030,
  PatientPosition: 0x00185100,
  SiemensNumberOfImagesInMosaic: 0x0019100a,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  StudyID: 0x00200010,
  SeriesNumber: 0x00200011,
  AcquisitionNumber: 0x00200012,
  InstanceNumber: 0x00200013,
  ImagePositionPatient: 0x00200032,
  ImageOrientationPatient: 0x00200037,
  FrameOfReferenceUID: 0x00200052,
  PositionReferenceIndicator: 0x00201040,
  SliceLocation: 0x00201041,
  FrameContentSequence: 0x00209111,
  PlanePositionSequence: 0x00209113,
  PlaneOrientationSequence: 0x00209116,
  SamplesPerPixel: 0x00280002,
  PhotometricInterpretation: 0x00280004,
  NumberOfFrames: 0x00280008,
  Rows: 0x00280010,
  Columns: 0x00280011,
  PixelSpacing: 0x00280030,
  BitsAllocated: 0x00280100,
  BitsStored: 0x00280101,
  HighBit: 0x00280102,
  PixelRepresentation: 0x00280103,
  WindowCenter: 0x00281050,
  WindowWidth: 0x00281051,
  RescaleIntercept: 0x00281052,
  RescaleSlope: 0x00281053,
  RescaleType: 0x00281054,
  PixelMeasuresSequence: 0x00289110,
  PixelValueTransformationSequence: 0x00289145,
  SiemensCsaImageHeader: 0x00291010,
  SharedFunctionalGroupsSequence: 0x52009229,
  PerFrameFunctionalGroupsSequence: 0x52009230,
  FloatPixelData: 0x7fe00008,
  DoubleFloatPixelData: 0x7fe00009,
  PixelData: 0x7fe00010,
  Item: 0xfffee000,
  ItemDelimitation: 0xfffee00d,
  SequenceDelimitation: 0xfffee0dd,
} as const;

/** VRs of the tags above that matter when the file is Implicit VR (where VRs are not stored). */
const IMPLICIT_VR: Record<number, string> = {
  [TAG.Rows]: 'US',
  [TAG.Columns]: 'US',
  [TAG.SamplesPerPixel]: 'US',
  [TAG.BitsAllocated]: 'US',
  [TAG.BitsStored]: 'US',
  [TAG.HighBit]: 'US',
  [TAG.PixelRepresentation]: 'US',
  [TAG.SiemensNumberOfImagesInMosaic]: 'US',
  [TAG.SiemensCsaImageHeader]: 'OB',
  [TAG.PixelData]: 'OW',
  [TAG.SourceImageSequence]: 'SQ',
  [TAG.FrameContentSequence]: 'SQ',
  [TAG.PlanePositionSequence]: 'SQ',
  [TAG.PlaneOrientationSequence]: 'SQ',
  [TAG.PixelMeasuresSequence]: 'SQ',
  [TAG.PixelValueTransformationSequence]: 'SQ',
  [TAG.SharedFunctionalGroupsSequence]: 'SQ',
  [TAG.PerFrameFunctionalGroupsSequence]: 'SQ',
  528704: 'SQ', // ReferencedImageSequence
  528661: 'SQ', // ReferencedSeriesSequence
  528976: 'SQ', // RelatedSeriesSequence
  533016: 'SQ', // AnatomicRegionSequence
  561298: 'SQ', // ReferencedImageEvidenceSequence
  561441: 'SQ', // ReferencedRawDataSequence
  4194933: 'SQ', // RequestAttributesSequence
  528434: 'SQ', // ProcedureCodeSequence
  4194912: 'SQ', // PerformedProtocolCodeSequence
  561685: 'SQ', // DerivationCodeSequence
};

/** The VR of `tag` in an Implicit VR file: from the small table above, else UN. */
export function implicitVr(tag: number): string {
  const known = IMPLICIT_VR[tag];
  if (known) return known;
  if ((tag & 0xffff) === 0) return 'UL'; // group length
  return 'UN';
}

/** VRs whose explicit encoding uses a 2-byte reserved field and a 4-byte length. */
export const LONG_VRS = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

/** Every VR of PS3.5: the short-length ones and {@link LONG_VRS}. */
export const VALID_VRS = new Set([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'SL',
  'SS',
  'ST',
  'TM',
  'UI',
  'UL',
  'US',
  ...LONG_VRS,
]);

/** Transfer syntaxes by UID. */
export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
} as const;

export function tagName(tag: number): string {
  const g = (tag >>> 16).toString(16).padStart(4, '0').toUpperCase();
  const e = (tag & 0xffff).toString(16).padStart(4, '0').toUpperCase();
  return `(${g},${e})`;
}
