import { TAG } from './dicom-dictionary.js';

/**
 * The attributes a derived series keeps from its source (patient, study, equipment, frame of
 * reference, acquisition context), with their VRs. All are strings, so their bytes are the same
 * in every transfer syntax and can be copied as they are.
 */
export const COPIED_ATTRIBUTES: readonly { keyword: string; tag: number; vr: string }[] = [
  { keyword: 'SpecificCharacterSet', tag: TAG.SpecificCharacterSet, vr: 'CS' },
  { keyword: 'StudyDate', tag: TAG.StudyDate, vr: 'DA' },
  { keyword: 'StudyTime', tag: TAG.StudyTime, vr: 'TM' },
  { keyword: 'AccessionNumber', tag: TAG.AccessionNumber, vr: 'SH' },
  { keyword: 'Modality', tag: TAG.Modality, vr: 'CS' },
  { keyword: 'Manufacturer', tag: TAG.Manufacturer, vr: 'LO' },
  { keyword: 'InstitutionName', tag: TAG.InstitutionName, vr: 'LO' },
  { keyword: 'ReferringPhysicianName', tag: TAG.ReferringPhysicianName, vr: 'PN' },
  { keyword: 'StudyDescription', tag: TAG.StudyDescription, vr: 'LO' },
  { keyword: 'ManufacturerModelName', tag: TAG.ManufacturerModelName, vr: 'LO' },
  { keyword: 'PatientName', tag: TAG.PatientName, vr: 'PN' },
  { keyword: 'PatientID', tag: TAG.PatientID, vr: 'LO' },
  { keyword: 'PatientBirthDate', tag: TAG.PatientBirthDate, vr: 'DA' },
  { keyword: 'PatientSex', tag: TAG.PatientSex, vr: 'CS' },
  { keyword: 'PatientAge', tag: TAG.PatientAge, vr: 'AS' },
  { keyword: 'PatientWeight', tag: TAG.PatientWeight, vr: 'DS' },
  { keyword: 'BodyPartExamined', tag: TAG.BodyPartExamined, vr: 'CS' },
  { keyword: 'ScanningSequence', tag: TAG.ScanningSequence, vr: 'CS' },
  { keyword: 'SequenceVariant', tag: TAG.SequenceVariant, vr: 'CS' },
  { keyword: 'MRAcquisitionType', tag: TAG.MRAcquisitionType, vr: 'CS' },
  { keyword: 'RepetitionTime', tag: TAG.RepetitionTime, vr: 'DS' },
  { keyword: 'EchoTime', tag: TAG.EchoTime, vr: 'DS' },
  { keyword: 'MagneticFieldStrength', tag: TAG.MagneticFieldStrength, vr: 'DS' },
  { keyword: 'ProtocolName', tag: TAG.ProtocolName, vr: 'LO' },
  { keyword: 'PatientPosition', tag: TAG.PatientPosition, vr: 'CS' },
  { keyword: 'StudyInstanceUID', tag: TAG.StudyInstanceUID, vr: 'UI' },
  { keyword: 'StudyID', tag: TAG.StudyID, vr: 'SH' },
  { keyword: 'FrameOfReferenceUID', tag: TAG.FrameOfReferenceUID, vr: 'UI' },
  { keyword: 'PositionReferenceIndicator', tag: TAG.PositionReferenceIndicator, vr: 'LO' },
];
