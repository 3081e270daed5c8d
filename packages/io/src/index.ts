export type { DicomHeader } from './dicom-header.js';
export type { NiftiExtension, NiftiHeader } from './nifti-header.js';
export {
  type DicomReadResult,
  type ReadDicomOptions,
  readDicom,
  readDicomSeries,
} from './read-dicom.js';
export { DEFAULT_READ_LIMITS, type ReadLimits } from './read-limits.js';
export {
  type GzipInflater,
  type NiftiReadResult,
  type ReadNiftiOptions,
  readNifti,
  readNiftiPair,
} from './read-nifti.js';
export { type SniffedFormat, sniffFormat } from './sniff-format.js';
export { type WriteDicomSeriesOptions, writeDicomSeries } from './write-dicom-series.js';
export { type NiftiWriteDatatype, type WriteNiftiOptions, writeNifti } from './write-nifti.js';
