/**
 * The signed difference map of the page: corrected − corrupted, drawn with a diverging
 * blue – white – red colour map symmetric about 0 (ColorBrewer's RdBu end points), and the colour
 * bar that states its range.
 */

/** Control points of the diverging map: blue at −range, white at 0, red at +range. */
export const DIVERGING = {
  R: [33, 247, 178],
  G: [102, 247, 24],
  B: [172, 247, 43],
  A: [255, 255, 255],
  I: [0, 128, 255],
} as const;

/** The NiiVue name the page registers {@link DIVERGING} under. */
export const DIVERGING_NAME = 'duncan_diverging';

/** The colour of position `t` in [0, 1] (0 = −range, 0.5 = 0, 1 = +range) of {@link DIVERGING}. */
export function divergingColour(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0.5)) * 255;
  const k = x <= DIVERGING.I[1] ? 0 : 1;
  const f = (x - DIVERGING.I[k]) / (DIVERGING.I[k + 1]! - DIVERGING.I[k]);
  const mix = (c: readonly number[]) => Math.round(c[k]! + f * (c[k + 1]! - c[k]!));
  return [mix(DIVERGING.R), mix(DIVERGING.G), mix(DIVERGING.B)];
}

/**
 * `corrected − corrupted` voxel by voxel, and its symmetric display range: the 99.5th percentile of
 * |difference| (so that a few extreme voxels do not wash the map out; beyond it colours saturate),
 * or the largest |difference| when that percentile is 0.
 */
export function signedDifference(
  corrected: Float32Array,
  corrupted: Float32Array,
): { data: Float32Array; range: number } {
  const data = new Float32Array(corrected.length);
  for (let i = 0; i < data.length; i++) data[i] = corrected[i]! - corrupted[i]!;
  const abs = Float32Array.from(data, Math.abs).sort();
  let range = abs[Math.min(abs.length - 1, Math.floor(0.995 * abs.length))] ?? 0;
  if (!(range > 0)) range = abs[abs.length - 1] ?? 0;
  return { data, range: range > 0 ? range : 1 };
}

/** A number for the colour bar: 3 significant digits. */
export function formatRange(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) >= 100 ? value.toFixed(0) : String(Number(value.toPrecision(3)));
}

/** Paints the colour bar: {@link DIVERGING} from left (−range) to right (+range). */
export function paintColourBar(canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width, height } = canvas;
  const image = ctx.createImageData(width, height);
  for (let x = 0; x < width; x++) {
    const [r, g, b] = divergingColour(x / Math.max(1, width - 1));
    for (let y = 0; y < height; y++) {
      const i = 4 * (x + width * y);
      image.data[i] = r;
      image.data[i + 1] = g;
      image.data[i + 2] = b;
      image.data[i + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}
