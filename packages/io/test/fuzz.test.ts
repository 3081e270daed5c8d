/**
 * Fuzz-style robustness: every fixture is truncated at many points and has random header bytes
 * flipped (seeded, reproducible). Each read must return a volume or throw an MriError — never
 * another kind of throw, never a hang (vitest's timeout bounds it) and never an allocation past
 * the limits given here.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { readDicom, readNifti } from '../src/index.js';
import {
  deflatedDicom,
  encapsulated,
  PIXELS,
  RLE,
  rleFrame,
  validDicom,
  withElements,
} from './helpers/craft-dicom.js';
import { bigEndianNifti, gz, validNifti } from './helpers/craft-nifti.js';
import { fixture } from './helpers/fixtures.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const LIMITS = {
  maxInflatedBytes: 64 << 20,
  maxVoxels: 1 << 24,
  maxFrames: 4096,
  maxElementBytes: 32 << 20,
};

function list(sub: string, keep: (f: string) => boolean): string[] {
  return readdirSync(join(FIX, sub))
    .filter((f) => statSync(join(FIX, sub, f)).isFile() && keep(f))
    .map((f) => `${sub}/${f}`);
}

const NIFTI = list('nifti', (f) => /\.nii(\.gz)?$/.test(f));
const DICOM = [...list('dicom', (f) => /\.(dcm|gz)$/.test(f)), 'dicom/series/brain_002.dcm'];

/** The mutated inputs of one fixture: truncations, then byte flips in the first 2 KiB. */
/** Files that decode slowly (many voxels, or asm.js JPEG 2000) get fewer mutations. */
const HEAVY = /mprage|jpeg_2000|slicethickness|jpeg_ls\.dcm|Kmeans|J2K_pixelrep/;

function mutations(bytes: Uint8Array, seed: number, file: string): Uint8Array[] {
  const big = bytes.length > 200_000 || HEAVY.test(file);
  const cuts = big ? 10 : 64;
  const flips = big ? 14 : 96;
  const out: Uint8Array[] = [];
  for (let k = 0; k < cuts; k++) out.push(bytes.subarray(0, Math.floor((bytes.length * k) / cuts)));
  const rng = createRng(seed);
  const span = Math.min(bytes.length, 2048);
  for (let k = 0; k < flips; k++) {
    const copy = bytes.slice();
    const n = 1 + rng.int(4);
    for (let j = 0; j < n; j++) copy[rng.int(span)] = rng.int(256);
    out.push(copy);
  }
  return out;
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}

function check(file: string, error: unknown, stats: { ok: number; errors: number }) {
  if (error === undefined) {
    stats.ok++;
    return;
  }
  if (!isMriError(error)) {
    throw new Error(`${file}: a non-MriError escaped: ${String(error)}`, { cause: error });
  }
  // INTERNAL would mean a bug caught by the safety net: fail loudly.
  if ((error as { code: string }).code === 'INTERNAL') {
    throw new Error(`${file}: internal error: ${(error as Error).message}`, { cause: error });
  }
  stats.errors++;
}

describe('fuzz: truncations and header byte flips end in a volume or an MriError', () => {
  it.each(NIFTI.map((f) => [f]))('%s', (file) => {
    const stats = { ok: 0, errors: 0 };
    for (const bytes of mutations(fixture(file), hash(file), file)) {
      let error: unknown;
      try {
        const { volume } = readNifti(bytes, { limits: LIMITS });
        expect(volume.data.length).toBe(volume.shape[0] * volume.shape[1] * volume.shape[2]);
      } catch (e) {
        error = e;
      }
      check(file, error, stats);
    }
    expect(stats.ok + stats.errors).toBeGreaterThan(20);
  });

  it.each(DICOM.map((f) => [f]))('%s', async (file) => {
    const stats = { ok: 0, errors: 0 };
    for (const bytes of mutations(fixture(file), hash(file), file)) {
      let error: unknown;
      try {
        const { volume } = await readDicom(bytes, { limits: LIMITS });
        expect(volume.data.length).toBe(volume.shape[0] * volume.shape[1] * volume.shape[2]);
      } catch (e) {
        error = e;
      }
      check(file, error, stats);
    }
    expect(stats.ok + stats.errors).toBeGreaterThan(20);
  });

  it('the crafted seed files (NIfTI LE/BE/gzip, DICOM explicit/implicit/big/deflated/RLE)', async () => {
    const stats = { ok: 0, errors: 0 };
    const nifti = { le: validNifti(), be: bigEndianNifti(), gz: gz(validNifti()) };
    for (const [name, bytes] of Object.entries(nifti)) {
      for (const m of mutations(bytes, hash(name), name)) {
        let error: unknown;
        try {
          readNifti(m, { limits: LIMITS });
        } catch (e) {
          error = e;
        }
        check(`crafted ${name}`, error, stats);
      }
    }
    const dicom = {
      explicit: validDicom(),
      implicit: validDicom('implicit'),
      big: validDicom('big'),
      deflated: deflatedDicom(),
      rle: withElements({}, encapsulated([rleFrame(PIXELS)]), RLE),
    };
    for (const [name, bytes] of Object.entries(dicom)) {
      for (const m of mutations(bytes, hash(name), name)) {
        let error: unknown;
        try {
          await readDicom(m, { limits: LIMITS });
        } catch (e) {
          error = e;
        }
        check(`crafted ${name}`, error, stats);
      }
    }
    expect(stats.ok).toBeGreaterThan(0);
    expect(stats.errors).toBeGreaterThan(0);
  });
});
