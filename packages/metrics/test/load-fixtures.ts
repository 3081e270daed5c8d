import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createVolume, type Volume } from '@duncan-mri/volume';

const HERE = dirname(fileURLToPath(import.meta.url));

/** One expected value of `test/reference/metrics.json` (see its README for the fields). */
export interface Expected {
  readonly value?: number | 'Infinity' | 'NaN';
  readonly error?: string;
  readonly tool: string;
  readonly call: string;
  readonly rtol?: number;
  readonly atol?: number;
  readonly mask?: string;
}

export interface ReferenceCase {
  readonly id: string;
  readonly reference: string;
  readonly test: string;
  readonly dataRange: number;
  readonly expected: Readonly<Record<string, Expected>>;
  readonly ssimMap?: { readonly file: string; readonly shape: number[]; readonly atol: number };
}

interface ReferenceFile {
  readonly images: Record<string, { file: string; shape: number[] }>;
  readonly masks: Record<string, { file: string; shape: number[] }>;
  readonly cases: ReferenceCase[];
}

export const reference: ReferenceFile = JSON.parse(
  readFileSync(join(HERE, 'reference', 'metrics.json'), 'utf8'),
);

function readGz(file: string): Buffer {
  return gunzipSync(readFileSync(join(HERE, file)));
}

function shape3(shape: number[]): [number, number, number] {
  return [shape[0]!, shape[1]!, shape[2] ?? 1];
}

/** A float32 little-endian fixture as a Volume. */
export function loadFloat32(file: string, shape: number[]): Volume {
  const bytes = readGz(file);
  const data = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(i * 4);
  return createVolume({ data, shape: shape3(shape) });
}

const imageCache = new Map<string, Volume>();
export function image(name: string): Volume {
  let volume = imageCache.get(name);
  if (!volume) {
    const entry = reference.images[name];
    if (!entry) throw new Error(`no image ${name} in metrics.json`);
    volume = loadFloat32(entry.file, entry.shape);
    imageCache.set(name, volume);
  }
  return volume;
}

export function mask(name: string): Uint8Array {
  const entry = reference.masks[name];
  if (!entry) throw new Error(`no mask ${name} in metrics.json`);
  return new Uint8Array(readGz(entry.file));
}

/** Asserts |actual - expected| <= atol + rtol |expected|, with exact matches for Infinity and NaN. */
export function closeTo(actual: number, expected: Expected): { ok: boolean; detail: string } {
  const value = expected.value;
  if (value === 'Infinity')
    return { ok: actual === Number.POSITIVE_INFINITY, detail: `${actual} vs Infinity` };
  if (value === 'NaN') return { ok: Number.isNaN(actual), detail: `${actual} vs NaN` };
  if (typeof value !== 'number')
    return { ok: false, detail: `no numeric expectation: ${JSON.stringify(expected)}` };
  const bound = (expected.atol ?? 0) + (expected.rtol ?? 0) * Math.abs(value);
  const diff = Math.abs(actual - value);
  return {
    ok: diff <= bound,
    detail: `${actual} vs ${value} (|diff| ${diff.toExponential(2)} > ${bound.toExponential(2)})`,
  };
}
