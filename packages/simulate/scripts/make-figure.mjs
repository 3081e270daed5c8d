// Renders every artefact at every severity preset on the real slice (Colin27, axial z = 94)
// into docs/presets.png, and prints the SSIM range (min - max over SEEDS seeds) of each preset
// against the clean slice, as the Markdown table of the README.
//
// Run from packages/simulate after `npx tsup`:  node scripts/make-figure.mjs
// Grid: one row per artefact (in ARTEFACT_NAMES order), columns clean | mild | moderate | severe;
// grey levels 0..200 mapped to black..white; each tile is the seed whose SSIM is the median of
// the SEEDS seeds (a typical case, not the best or the worst).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, gunzipSync } from 'node:zlib';
import { ssim } from '@duncan-mri/metrics';
import { ARTEFACT_NAMES, SEVERITIES, simulate } from '@duncan-mri/simulate';
import { createRng, createVolume } from '@duncan-mri/volume';

const HERE = dirname(fileURLToPath(import.meta.url));
const SEEDS = Number(process.env.SEEDS ?? 20);
const WINDOW = 200;
const GAP = 4;

const bytes = gunzipSync(readFileSync(join(HERE, '..', 'test', 'fixtures', 'ch2-z94.f32.gz')));
const data = new Float32Array(bytes.byteLength / 4);
for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(i * 4);
const [nx, ny] = [181, 217];
const clean = createVolume({ data, shape: [nx, ny], spacing: [1, 1, 1] });

const columns = 1 + SEVERITIES.length;
const width = columns * nx + (columns - 1) * GAP;
const height = ARTEFACT_NAMES.length * ny + (ARTEFACT_NAMES.length - 1) * GAP;
const pixels = new Uint8Array(width * height).fill(255);

function paste(volume, row, column) {
  const x0 = column * (nx + GAP);
  const y0 = row * (ny + GAP);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      // Radiological display: anterior at the top (flip y, as the data is RAS).
      const v = volume.data[x + nx * (ny - 1 - y)];
      pixels[(y0 + y) * width + x0 + x] = Math.max(
        0,
        Math.min(255, Math.round((v / WINDOW) * 255)),
      );
    }
  }
}

const rows = [];
for (const [row, artefact] of ARTEFACT_NAMES.entries()) {
  paste(clean, row, 0);
  const cells = [];
  for (const [s, severity] of SEVERITIES.entries()) {
    const scores = [];
    const volumes = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { volume } = simulate(clean, [{ artefact, severity }], createRng(seed));
      volumes.push(volume);
      scores.push(ssim(clean, volume, { dataRange: 255 }));
    }
    const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
    paste(volumes[order[(order.length - 1) >> 1]], row, s + 1);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    cells.push({ min: Math.min(...scores), max: Math.max(...scores), mean });
  }
  rows.push({ artefact, cells });
}

function crc32(buf) {
  let c;
  let crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, body) {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'ascii');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** The PNG predictor of filter type `f` for byte `x` with left `a`, up `b`, up-left `c`. */
function predict(f, a, b, c) {
  if (f === 1) return a;
  if (f === 2) return b;
  if (f === 3) return (a + b) >> 1;
  if (f === 4) {
    const p = a + b - c;
    const pa = Math.abs(p - a);
    const pb = Math.abs(p - b);
    const pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }
  return 0;
}

/**
 * An 8-bit grey-scale PNG (colour type 0). Each row uses the filter (none, sub, up, average,
 * Paeth) with the smallest sum of absolute residuals, the usual heuristic of PNG encoders.
 */
function encodePng(gray, w, h) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grey-scale
  const raw = Buffer.alloc((w + 1) * h);
  const candidate = Buffer.alloc(w);
  for (let y = 0; y < h; y++) {
    let best = Number.POSITIVE_INFINITY;
    for (let f = 0; f < 5; f++) {
      let cost = 0;
      for (let x = 0; x < w; x++) {
        const a = x > 0 ? gray[y * w + x - 1] : 0;
        const b = y > 0 ? gray[(y - 1) * w + x] : 0;
        const c = x > 0 && y > 0 ? gray[(y - 1) * w + x - 1] : 0;
        const r = (gray[y * w + x] - predict(f, a, b, c)) & 0xff;
        candidate[x] = r;
        cost += r < 128 ? r : 256 - r;
      }
      if (cost < best) {
        best = cost;
        raw[y * (w + 1)] = f;
        candidate.copy(raw, y * (w + 1) + 1);
      }
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const png = encodePng(pixels, width, height);
writeFileSync(join(HERE, '..', 'docs', 'presets.png'), png);

const fmt = (x) => x.toFixed(3);
console.log(
  `SSIM against the clean slice (dataRange 255), min - max (mean) over ${SEEDS} seeds:\n`,
);
console.log(`| artefact | ${SEVERITIES.join(' | ')} |`);
console.log(`| --- | ${SEVERITIES.map(() => '---').join(' | ')} |`);
for (const { artefact, cells } of rows) {
  console.log(
    `| \`${artefact}\` | ${cells.map((c) => `${fmt(c.min)} - ${fmt(c.max)} (${fmt(c.mean)})`).join(' | ')} |`,
  );
}
console.log(`\nwrote docs/presets.png (${width}x${height}, ${png.length} bytes)`);
