/** NIfTI datatype codes this library reads and writes, with their byte sizes. */
export const NIFTI_DATATYPES = {
  2: { name: 'uint8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  64: { name: 'float64', bytes: 8 },
  256: { name: 'int8', bytes: 1 },
  512: { name: 'uint16', bytes: 2 },
  768: { name: 'uint32', bytes: 4 },
  1024: { name: 'int64', bytes: 8 },
  1280: { name: 'uint64', bytes: 8 },
} as const;

/** Codes of the NIfTI datatypes that exist but are not scalar real images. */
export const UNSUPPORTED_DATATYPES: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'binary (1 bit)',
  32: 'complex64',
  128: 'RGB24',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'RGBA32',
};

export type NiftiDatatypeCode = keyof typeof NIFTI_DATATYPES;
export type NiftiDatatypeName = (typeof NIFTI_DATATYPES)[NiftiDatatypeCode]['name'];

export function datatypeInfo(code: number) {
  return (NIFTI_DATATYPES as Record<number, { name: NiftiDatatypeName; bytes: number }>)[code];
}

export function datatypeCodeOf(name: string): NiftiDatatypeCode | undefined {
  for (const [code, info] of Object.entries(NIFTI_DATATYPES)) {
    if (info.name === name) return Number(code) as NiftiDatatypeCode;
  }
  return undefined;
}

/** True when this machine stores typed arrays little-endian (every current platform). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
