import { deflateRawSync } from 'node:zlib';
import { createRng, isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { cat, gz } from '../../test/helpers/craft-nifti.js';
import { GROWTH_LIMIT, gunzip, inflateRaw, setAllocationProbe } from './inflate.js';

const rng = createRng(11);
const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i % 1000 < 500 ? rng.int(256) : 7));
const error = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a throw');
};

describe('gunzip', () => {
  it('inflates one member (fast path) and many members (streaming path) to the same bytes', () => {
    expect(gunzip('t', gz(data), { maxBytes: 1e9 })).toEqual(data);
    const members = cat(
      gz(data.subarray(0, 1000)),
      gz(data.subarray(1000, 200_000)),
      gz(data.subarray(200_000)),
    );
    expect(gunzip('t', members, { maxBytes: 1e9 })).toEqual(data);
  });

  it('stops at the byte budget, in both paths', () => {
    for (const input of [gz(data), cat(gz(data.subarray(0, 10)), gz(data.subarray(10)))]) {
      const e = error(() => gunzip('t', input, { maxBytes: 100_000 }));
      expect(isMriError(e)).toBe(true);
      expect(e.code).toBe('LIMIT_EXCEEDED');
    }
  });

  it('a trailer that lies about the size cannot make the fast path allocate more', () => {
    const g = gz(data);
    new DataView(g.buffer).setUint32(g.length - 4, 10, true); // ISIZE says 10 bytes
    const e = error(() => gunzip('t', g, { maxBytes: 1e9 }));
    expect(e.code).toBe('CORRUPT_FILE');
    expect(e.message).toMatch(/ISIZE|CRC/);
  });

  it('returns a prefix without reading the whole stream', () => {
    const prefix = gunzip('t', gz(data), { maxBytes: 1e9, prefixBytes: 540 });
    expect(prefix.length).toBeGreaterThanOrEqual(540);
    expect(prefix.subarray(0, 540)).toEqual(data.subarray(0, 540));
  });
});

describe('inflateRaw', () => {
  it('inflates and enforces the budget', () => {
    const raw = new Uint8Array(deflateRawSync(data));
    expect(inflateRaw('t', raw, 1e9)).toEqual(data);
    expect(error(() => inflateRaw('t', raw, 1000)).code).toBe('LIMIT_EXCEEDED');
    expect(error(() => inflateRaw('t', raw.subarray(0, raw.length >> 1), 1e9)).code).toBe(
      'CORRUPT_FILE',
    );
  });

  it('holds no more than the output at once when it outgrows the doubling buffer (a deflate bomb)', () => {
    // A small stream that inflates past GROWTH_LIMIT: counted first, then inflated once into an
    // exact buffer. Doubling would hold the old and the new buffer, up to three times the output.
    const big = new Uint8Array(GROWTH_LIMIT + (GROWTH_LIMIT >> 2)).fill(9);
    big[12345] = 1;
    const raw = new Uint8Array(deflateRawSync(big));
    const held: number[] = [];
    setAllocationProbe((_, now) => held.push(now));
    try {
      const out = inflateRaw('t', raw, 2 ** 30);
      expect(out.length).toBe(big.length);
      expect(Buffer.from(out).equals(Buffer.from(big))).toBe(true);
    } finally {
      setAllocationProbe(undefined);
    }
    expect(Math.max(...held)).toBe(big.length);
  });
});
