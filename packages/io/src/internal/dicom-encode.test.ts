import { describe, expect, it } from 'vitest';
import { formatDs, newUid } from './dicom-encode.js';

describe('formatDs', () => {
  it('fits 16 characters and keeps the value closely', () => {
    for (const v of [
      0,
      -0,
      1,
      -4096,
      0.1,
      1 / 3,
      -2 / 3,
      123456.789012345,
      1e-12,
      -7.5e20,
      Math.PI * 1e9,
    ]) {
      const s = formatDs(v);
      expect(s.length, s).toBeLessThanOrEqual(16);
      expect(s).toMatch(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/);
      expect(Math.abs(Number(s) - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-9 + 1e-20);
    }
  });
});

describe('newUid', () => {
  it('is 2.25. and a decimal UUID of at most 64 characters, different each time', () => {
    const uids = new Set(Array.from({ length: 200 }, newUid));
    expect(uids.size).toBe(200);
    for (const uid of uids) {
      expect(uid).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
  });
});
