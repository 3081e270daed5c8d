import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type EvaluationTile, LABEL_COLOURS, renderEvaluationPanel } from './evaluation-panel.js';

/** IHDR size and RGB pixels of an encodePng output (one IDAT, filter 0). */
function decode(png: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  expect(png[25]).toBe(2);
  const idatLength = view.getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    rgb.set(raw.subarray(y * (3 * width + 1) + 1, (y + 1) * (3 * width + 1)), 3 * width * y);
  return { width, height, rgb };
}

describe('renderEvaluationPanel', () => {
  it('lays tiles out in a grid, enlarged, with label colours, the mask in white and flips', () => {
    const n = 64;
    const ramp = Float32Array.from({ length: n * n }, (_, i) => i % n);
    const labels = Float32Array.from({ length: n * n }, (_, i) => (i % n < 32 ? 1 : 3));
    const tile = (data: Float32Array, kind: EvaluationTile['kind'], flipX = false) => ({
      data,
      width: n,
      height: n,
      flipX,
      flipY: false,
      kind,
    });
    const png = renderEvaluationPanel(
      [
        tile(ramp, 'image'),
        tile(labels, 'labels'),
        tile(labels, 'labels', true),
        tile(labels, 'mask'),
        tile(ramp, 'blank'),
      ],
      2,
    );
    const { width, height, rgb } = decode(png);
    // 64-pixel tiles are drawn 2x: 2 columns, 3 rows, 4-pixel gaps
    expect([width, height]).toEqual([2 * 128 + 4, 3 * 128 + 8]);
    const at = (x: number, y: number) => [
      ...rgb.subarray(3 * (y * width + x), 3 * (y * width + x) + 3),
    ];
    expect(at(0, 0)).toEqual([0, 0, 0]); // ramp: darkest at the left
    expect(at(127, 0)).toEqual([255, 255, 255]);
    expect(at(132, 0)).toEqual([...LABEL_COLOURS[1]!]); // labels: class 1 on the left
    expect(at(132 + 127, 0)).toEqual([...LABEL_COLOURS[3]!]);
    expect(at(0, 132)).toEqual([...LABEL_COLOURS[3]!]); // flipped in x
    expect(at(132, 132)).toEqual([255, 255, 255]); // mask
    expect(at(10, 264)).toEqual([0, 0, 0]); // blank
    expect(() =>
      renderEvaluationPanel([tile(ramp, 'image'), { ...tile(ramp, 'image'), width: 32 }], 2),
    ).toThrow(RangeError);
  });
});
