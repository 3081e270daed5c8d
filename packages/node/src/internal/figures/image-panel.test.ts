import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { differingPixels, pixelAt, readPng } from '../../../test/png-reader.js';
import { expectSvgTexts } from '../../../test/svg-texts.js';
import {
  captionNumber,
  hotColour,
  LABEL_COLOURS,
  type PanelImage,
  type PanelTile,
  renderImagePanel,
  sliceOf,
} from './image-panel.js';

function image(width: number, height: number, f: (x: number, y: number) => number): PanelImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[x + width * y] = f(x, y);
  return { data, width, height, flipX: false, flipY: false };
}

describe('sliceOf', () => {
  it('orients slices by the affine (right on the left, anterior up)', () => {
    // RAS (the identity): x runs to the right and y to anterior, so both are flipped for display;
    // LPS: neither.
    const data = Float32Array.from([0, 1, 2, 3]);
    const ras = sliceOf(createVolume({ data, shape: [2, 2] }), 2, 0);
    const lps = sliceOf(
      createVolume({
        data,
        shape: [2, 2],
        affine: [-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
      }),
      2,
      0,
    );
    expect([ras.flipX, ras.flipY, lps.flipX, lps.flipY]).toEqual([true, true, false, false]);
  });
});

describe('renderImagePanel', () => {
  // 16x12 tiles: enlarged 12x to 192x144.
  const w = 16;
  const h = 12;
  const ramp = image(w, h, (x, y) => x + 16 * y); // 0 .. 191
  const labels = image(w, h, (x) => Math.min(3, Math.floor(x / 4)));
  const error = image(w, h, (x) => x / 15);
  const tiles: PanelTile[] = [
    { image: ramp, kind: 'image', title: 'clean', subtitle: 'reference' },
    { image: { ...ramp, flipX: true, flipY: true }, kind: 'image', title: 'flipped' },
    { image: error, kind: 'error', title: '|error|', subtitle: '|corrupted−clean|' },
    {
      image: labels,
      kind: 'labels',
      title: 'a caption far too long to fit above a tile of this size',
    },
  ];
  const options = {
    title: 'A panel',
    subtitle: ['16×12 tiles, enlarged'],
    columns: 2,
    errorMax: 1,
    legendTitles: { error: '|error| (a.u.)' },
  };

  it('draws every tile pixel-exact where it says, oriented and coloured by its kind', async () => {
    const panel = await renderImagePanel(tiles, options);
    const png = readPng(panel.png);
    expect([png.width, png.height]).toEqual([panel.width, panel.height]);
    expect(panel.tiles.map((t) => [t.width, t.height])).toEqual(Array(4).fill([192, 144]));
    // 2 columns: the second tile right of the first, the third under the first.
    expect(panel.tiles[1]!.x).toBeGreaterThan(panel.tiles[0]!.x + 192);
    expect(panel.tiles[2]!.y).toBeGreaterThan(panel.tiles[0]!.y + 144);
    // The grey window: 0.5th to 99.5th percentile of the first image tile (numpy 'linear').
    const lo = 0.005 * 191;
    const hi = 0.995 * 191;
    const grey = (v: number) =>
      Math.max(0, Math.min(255, Math.round((255 * (v - lo)) / (hi - lo))));
    for (let k = 0; k < 4; k++) {
      const box = panel.tiles[k]!;
      for (let y = 0; y < box.height; y++)
        for (let x = 0; x < box.width; x++) {
          const sx = Math.floor(x / 12);
          const sy = Math.floor(y / 12);
          let want: readonly number[];
          if (k === 0) want = Array(3).fill(grey(sx + 16 * sy));
          else if (k === 1) want = Array(3).fill(grey(15 - sx + 16 * (11 - sy)));
          else if (k === 2) want = hotColour(sx / 15);
          else want = LABEL_COLOURS[Math.min(3, Math.floor(sx / 4))]!;
          const got = pixelAt(png, box.x + x, box.y + y);
          if (got.some((c, i) => c !== want[i]))
            expect([k, x, y, ...got]).toEqual([k, x, y, ...want]);
        }
    }
  });

  it('captions every tile, fits long captions, and has a legend per colour map', async () => {
    const panel = await renderImagePanel(tiles, options);
    expectSvgTexts(panel.svg, [
      'A panel',
      '16×12 tiles, enlarged',
      'clean',
      'reference',
      'flipped',
      '|error|',
      '|corrupted−clean|',
      'intensity (a.u.; window: 0.5th-99.5th percentile)',
      '|error| (a.u.)',
      'tissue class',
      'outside the mask',
      '1 (CSF on a T1)',
      '3 (WM)',
    ]);
    expect(panel.svg).toMatch(/>a caption far too long[^<]*…<\/text>/);
    expect(panel.warnings).toEqual([]);
    // The captions are drawn: the same panel with empty captions differs above every tile.
    const bare = await renderImagePanel(
      tiles.map((t) => ({
        ...t,
        title: '',
        ...(t.subtitle === undefined ? {} : { subtitle: '' }),
      })),
      { ...options, title: '', subtitle: [''] },
    );
    const a = readPng(panel.png);
    const b = readPng(bare.png);
    expect(differingPixels(a, b)).toBeGreaterThan(1000);
    for (const box of panel.tiles) {
      let ink = 0;
      // the caption's first line: 12 px type at the top of the 34-pixel caption band
      for (let y = box.y - 34; y < box.y - 20; y++)
        for (let x = box.x; x < box.x + 40; x++) if (pixelAt(a, x, y)[0] < 128) ink++;
      expect(ink).toBeGreaterThan(10);
    }
  });

  it('shares one signed scale, and refuses tiles of different sizes', async () => {
    const signed = image(w, h, (x) => x - 8);
    const panel = await renderImagePanel(
      [{ image: signed, kind: 'signed', title: 'artefact map' }],
      { title: 'signed', legendTitles: { signed: 'corrupted − corrected (a.u.)' } },
    );
    expect(panel.svg).toContain('>corrupted − corrected (a.u.)</text>');
    const png = readPng(panel.png);
    const box = panel.tiles[0]!;
    expect(pixelAt(png, box.x + 8 * 12, box.y)).toEqual([128, 128, 128]); // 0 is mid-grey
    await expect(
      renderImagePanel(
        [
          { image: ramp, kind: 'image', title: 'a' },
          { image: image(4, 4, () => 0), kind: 'image', title: 'b' },
        ],
        { title: 'x' },
      ),
    ).rejects.toMatchObject({ code: 'INTERNAL', message: /tiles must share one size/ });
  });

  it('maps errors black - red - yellow - white and prints caption numbers briefly', () => {
    expect(hotColour(0)).toEqual([0, 0, 0]);
    expect(hotColour(1 / 3)).toEqual([255, 0, 0]);
    expect(hotColour(2 / 3)).toEqual([255, 255, 0]);
    expect(hotColour(1)).toEqual([255, 255, 255]);
    expect(hotColour(7)).toEqual([255, 255, 255]);
    expect(hotColour(Number.NaN)).toEqual([0, 0, 0]);
    expect(captionNumber(0)).toBe('0');
    expect(captionNumber(61.734)).toBe('61.7');
    expect(captionNumber(0.012345)).toBe('0.0123');
    expect(captionNumber(1234.5)).toBe('1235');
  });
});
