import { inflateSync } from 'node:zlib';
import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { renderLossCurve, renderPanel, sliceOf } from './panel.js';
import { crc32, encodePng } from './png.js';

/** A minimal PNG reader for the tests: checks signature and every CRC, returns IHDR and pixels. */
function decodePng(png: Uint8Array) {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  const chunks: { type: string; data: Uint8Array }[] = [];
  while (at < png.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    expect(view.getUint32(at + 8 + length)).toBe(crc32(png, at + 4, at + 8 + length));
    chunks.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
  const width = ihdr.getUint32(0);
  const height = ihdr.getUint32(4);
  const channels = chunks[0]!.data[9] === 0 ? 1 : 3;
  const raw = inflateSync(chunks[1]!.data);
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, channels, pixels };
}

describe('encodePng', () => {
  it('matches the CRC-32 check value and round-trips grey and RGB pixels', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const grey = Uint8Array.from({ length: 5 * 3 }, (_, i) => i * 17);
    expect(decodePng(encodePng({ width: 5, height: 3, channels: 1, data: grey }))).toEqual({
      width: 5,
      height: 3,
      channels: 1,
      pixels: grey,
    });
    const rgb = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => 255 - i);
    expect(decodePng(encodePng({ width: 2, height: 2, channels: 3, data: rgb })).pixels).toEqual(
      rgb,
    );
    expect(() => encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) })).toThrow(
      RangeError,
    );
  });

  it('renders panels oriented by the affine (right on the left, anterior up)', () => {
    // 2x2 LPS-like voxels vs RAS: the same data shows mirrored both ways.
    const data = Float32Array.from([0, 1, 2, 3]);
    const ras = createVolume({ data, shape: [2, 2] });
    const lps = createVolume({
      data,
      shape: [2, 2],
      affine: [-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
    });
    const a = decodePng(renderPanel([sliceOf(ras, 2, 0)])).pixels;
    const b = decodePng(renderPanel([sliceOf(lps, 2, 0)])).pixels;
    expect([...a]).toEqual([...b].reverse());
    const panel = decodePng(
      renderPanel([sliceOf(ras, 2, 0), { ...sliceOf(ras, 2, 0), signed: true }]),
    );
    expect(panel.width).toBe(2 + 4 + 2);
    const curve = decodePng(renderLossCurve([{ name: 'a', values: [1, 0.5, 0.25] }]));
    expect([curve.width, curve.height, curve.channels]).toEqual([640, 360, 3]);
  });
});
