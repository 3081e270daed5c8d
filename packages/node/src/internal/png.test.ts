import { describe, expect, it } from 'vitest';
import { readPng } from '../../test/png-reader.js';
import { crc32, encodePng } from './png.js';

describe('encodePng', () => {
  it('matches the CRC-32 check value and round-trips grey and RGB pixels', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const grey = Uint8Array.from({ length: 5 * 3 }, (_, i) => i * 17);
    const g = readPng(encodePng({ width: 5, height: 3, channels: 1, data: grey }));
    expect([g.width, g.height, g.colourType]).toEqual([5, 3, 0]);
    expect([...g.rgba].filter((_, i) => i % 4 === 0)).toEqual([...grey]);
    const rgb = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => 255 - i);
    const c = readPng(encodePng({ width: 2, height: 2, channels: 3, data: rgb }));
    expect(c.colourType).toBe(2);
    expect([...c.rgba].filter((_, i) => i % 4 !== 3)).toEqual([...rgb]);
    expect(() => encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) })).toThrow(
      RangeError,
    );
  });
});
