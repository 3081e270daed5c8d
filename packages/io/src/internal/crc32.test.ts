import { crc32 as zlibCrc32 } from 'node:zlib';
import { createRng } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it('equals zlib on the check string and random data of every length mod 4', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const rng = createRng(3);
    for (const n of [0, 1, 2, 3, 4, 5, 1023, 4096, 100_001]) {
      const bytes = Uint8Array.from({ length: n }, () => rng.int(256));
      expect(crc32(bytes), `length ${n}`).toBe(zlibCrc32(bytes));
      // continuing over two halves gives the same value
      const half = n >> 1;
      expect(crc32(bytes.subarray(half), crc32(bytes.subarray(0, half)))).toBe(zlibCrc32(bytes));
    }
  });
});
