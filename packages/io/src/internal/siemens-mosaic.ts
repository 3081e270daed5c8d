// Siemens mosaic: one stored image that holds the slices of a volume as tiles, the tile count in
// (0019,100A) or in the CSA image header (a Siemens binary format in (0029,1010)).
import { TAG } from './dicom-dictionary.js';
import type { DicomSlice } from './dicom-frame-geometry.js';
import { type DicomDataset, elementBytes, usValue } from './dicom-parse.js';
import { corrupt, unsupported } from './errors.js';
import { cross, dot } from './vectors.js';

/** Siemens mosaic: cuts the tiles into slices with their own positions. */
export function unmosaic(
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
