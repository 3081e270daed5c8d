// The butterflies of the mixed-radix FFT (fft-plan.ts): one Stockham stage of radix 2, 3, 4, 5
// or any other prime, on contiguous or interleaved lines.

/** One stage of a Stockham plan: what {@link runStage} needs. */
export interface Stage {
  readonly p: number;
  /** Length of the sub-transform this stage splits. */
  readonly len: number;
  /** Stride (product of the radices of the earlier stages). */
  readonly stride: number;
  /** Twiddles `exp(-2 pi i j r / len)` at `[j * (p - 1) + r - 1]`, j < len / p, 1 <= r < p. */
  readonly twRe: Float64Array;
  readonly twIm: Float64Array;
  /** For the generic butterfly: `exp(-2 pi i k / p)`, k < p. */
  readonly rootRe: Float64Array;
  readonly rootIm: Float64Array;
}

const SIN_60 = Math.sqrt(3) / 2;
const C5_1 = Math.cos((2 * Math.PI) / 5);
const C5_2 = Math.cos((4 * Math.PI) / 5);
const S5_1 = Math.sin((2 * Math.PI) / 5);
const S5_2 = Math.sin((4 * Math.PI) / 5);

/**
 * One decimation-in-frequency Stockham stage: for j < m = len / p and k < stride,
 * `y[k + stride (p j + r)] = (sum_q x[k + stride (j + q m)] W_p^{q r}) W_len^{j r}`.
 */
export function runStage(
  stage: Stage,
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  genRe: Float64Array,
  genIm: Float64Array,
  batch: number,
): void {
  const { p, len, twRe, twIm } = stage;
  // A batch of interleaved transforms ([n][batch] layout) is the same stage with a wider stride.
  const s = stage.stride * batch;
  const m = len / p;
  const sm = s * m;
  if (p === 2) {
    for (let j = 0; j < m; j++) {
      const wr = twRe[j]!;
      const wi = twIm[j]!;
      const in0 = s * j;
      const out0 = s * 2 * j;
      for (let k = 0; k < s; k++) {
        const a = in0 + k;
        const b = a + sm;
        const ar = xr[a]!;
        const ai = xi[a]!;
        const br = xr[b]!;
        const bi = xi[b]!;
        const o = out0 + k;
        yr[o] = ar + br;
        yi[o] = ai + bi;
        const dr = ar - br;
        const di = ai - bi;
        yr[o + s] = dr * wr - di * wi;
        yi[o + s] = dr * wi + di * wr;
      }
    }
  } else if (p === 4) {
    for (let j = 0; j < m; j++) {
      const t = 3 * j;
      const w1r = twRe[t]!;
      const w1i = twIm[t]!;
      const w2r = twRe[t + 1]!;
      const w2i = twIm[t + 1]!;
      const w3r = twRe[t + 2]!;
      const w3i = twIm[t + 2]!;
      const in0 = s * j;
      const out0 = s * 4 * j;
      for (let k = 0; k < s; k++) {
        const i0 = in0 + k;
        const i1 = i0 + sm;
        const i2 = i1 + sm;
        const i3 = i2 + sm;
        const x0r = xr[i0]!;
        const x0i = xi[i0]!;
        const x1r = xr[i1]!;
        const x1i = xi[i1]!;
        const x2r = xr[i2]!;
        const x2i = xi[i2]!;
        const x3r = xr[i3]!;
        const x3i = xi[i3]!;
        const s02r = x0r + x2r;
        const s02i = x0i + x2i;
        const d02r = x0r - x2r;
        const d02i = x0i - x2i;
        const s13r = x1r + x3r;
        const s13i = x1i + x3i;
        const d13r = x1r - x3r;
        const d13i = x1i - x3i;
        // X1 = d02 - i d13, X3 = d02 + i d13 (forward, W_4 = -i).
        const y1r = d02r + d13i;
        const y1i = d02i - d13r;
        const y2r = s02r - s13r;
        const y2i = s02i - s13i;
        const y3r = d02r - d13i;
        const y3i = d02i + d13r;
        const o = out0 + k;
        yr[o] = s02r + s13r;
        yi[o] = s02i + s13i;
        yr[o + s] = y1r * w1r - y1i * w1i;
        yi[o + s] = y1r * w1i + y1i * w1r;
        yr[o + 2 * s] = y2r * w2r - y2i * w2i;
        yi[o + 2 * s] = y2r * w2i + y2i * w2r;
        yr[o + 3 * s] = y3r * w3r - y3i * w3i;
        yi[o + 3 * s] = y3r * w3i + y3i * w3r;
      }
    }
  } else if (p === 3) {
    for (let j = 0; j < m; j++) {
      const t = 2 * j;
      const w1r = twRe[t]!;
      const w1i = twIm[t]!;
      const w2r = twRe[t + 1]!;
      const w2i = twIm[t + 1]!;
      const in0 = s * j;
      const out0 = s * 3 * j;
      for (let k = 0; k < s; k++) {
        const i0 = in0 + k;
        const i1 = i0 + sm;
        const i2 = i1 + sm;
        const x0r = xr[i0]!;
        const x0i = xi[i0]!;
        const sr = xr[i1]! + xr[i2]!;
        const si = xi[i1]! + xi[i2]!;
        const dr = xr[i1]! - xr[i2]!;
        const di = xi[i1]! - xi[i2]!;
        const mr = x0r - 0.5 * sr;
        const mi = x0i - 0.5 * si;
        // W_3 = -1/2 - i sqrt(3)/2.
        const y1r = mr + SIN_60 * di;
        const y1i = mi - SIN_60 * dr;
        const y2r = mr - SIN_60 * di;
        const y2i = mi + SIN_60 * dr;
        const o = out0 + k;
        yr[o] = x0r + sr;
        yi[o] = x0i + si;
        yr[o + s] = y1r * w1r - y1i * w1i;
        yi[o + s] = y1r * w1i + y1i * w1r;
        yr[o + 2 * s] = y2r * w2r - y2i * w2i;
        yi[o + 2 * s] = y2r * w2i + y2i * w2r;
      }
    }
  } else if (p === 5) {
    for (let j = 0; j < m; j++) {
      const t = 4 * j;
      const w1r = twRe[t]!;
      const w1i = twIm[t]!;
      const w2r = twRe[t + 1]!;
      const w2i = twIm[t + 1]!;
      const w3r = twRe[t + 2]!;
      const w3i = twIm[t + 2]!;
      const w4r = twRe[t + 3]!;
      const w4i = twIm[t + 3]!;
      const in0 = s * j;
      const out0 = s * 5 * j;
      for (let k = 0; k < s; k++) {
        const i0 = in0 + k;
        const x0r = xr[i0]!;
        const x0i = xi[i0]!;
        const x1r = xr[i0 + sm]!;
        const x1i = xi[i0 + sm]!;
        const x2r = xr[i0 + 2 * sm]!;
        const x2i = xi[i0 + 2 * sm]!;
        const x3r = xr[i0 + 3 * sm]!;
        const x3i = xi[i0 + 3 * sm]!;
        const x4r = xr[i0 + 4 * sm]!;
        const x4i = xi[i0 + 4 * sm]!;
        const a1r = x1r + x4r;
        const a1i = x1i + x4i;
        const b1r = x1r - x4r;
        const b1i = x1i - x4i;
        const a2r = x2r + x3r;
        const a2i = x2i + x3i;
        const b2r = x2r - x3r;
        const b2i = x2i - x3i;
        const c1r = x0r + C5_1 * a1r + C5_2 * a2r;
        const c1i = x0i + C5_1 * a1i + C5_2 * a2i;
        const c2r = x0r + C5_2 * a1r + C5_1 * a2r;
        const c2i = x0i + C5_2 * a1i + C5_1 * a2i;
        // -i (S1 b1 + S2 b2) and -i (S2 b1 - S1 b2).
        const e1r = S5_1 * b1i + S5_2 * b2i;
        const e1i = -(S5_1 * b1r + S5_2 * b2r);
        const e2r = S5_2 * b1i - S5_1 * b2i;
        const e2i = -(S5_2 * b1r - S5_1 * b2r);
        const y1r = c1r + e1r;
        const y1i = c1i + e1i;
        const y4r = c1r - e1r;
        const y4i = c1i - e1i;
        const y2r = c2r + e2r;
        const y2i = c2i + e2i;
        const y3r = c2r - e2r;
        const y3i = c2i - e2i;
        const o = out0 + k;
        yr[o] = x0r + a1r + a2r;
        yi[o] = x0i + a1i + a2i;
        yr[o + s] = y1r * w1r - y1i * w1i;
        yi[o + s] = y1r * w1i + y1i * w1r;
        yr[o + 2 * s] = y2r * w2r - y2i * w2i;
        yi[o + 2 * s] = y2r * w2i + y2i * w2r;
        yr[o + 3 * s] = y3r * w3r - y3i * w3i;
        yi[o + 3 * s] = y3r * w3i + y3i * w3r;
        yr[o + 4 * s] = y4r * w4r - y4i * w4i;
        yi[o + 4 * s] = y4r * w4i + y4i * w4r;
      }
    }
  } else {
    // Generic odd radix, using the symmetry of the DFT matrix: with s_q = v_q + v_{p-q} and
    // d_q = v_q - v_{p-q}, X_r = v_0 + A_r - i B_r and X_{p-r} = v_0 + A_r + i B_r where
    // A_r = sum_q s_q cos(2 pi q r / p), B_r = sum_q d_q sin(2 pi q r / p), q, r = 1..(p-1)/2.
    const { rootRe, rootIm } = stage;
    const h = (p - 1) >> 1;
    const sumRe = genRe;
    const sumIm = genIm;
    const difRe = new Float64Array(h + 1);
    const difIm = new Float64Array(h + 1);
    for (let j = 0; j < m; j++) {
      const t = (p - 1) * j;
      const in0 = s * j;
      const out0 = s * p * j;
      for (let k = 0; k < s; k++) {
        const base = in0 + k;
        const v0r = xr[base]!;
        const v0i = xi[base]!;
        let totalRe = v0r;
        let totalIm = v0i;
        for (let q = 1; q <= h; q++) {
          const a = base + q * sm;
          const b = base + (p - q) * sm;
          const ar = xr[a]!;
          const ai = xi[a]!;
          const br = xr[b]!;
          const bi = xi[b]!;
          sumRe[q] = ar + br;
          sumIm[q] = ai + bi;
          difRe[q] = ar - br;
          difIm[q] = ai - bi;
          totalRe += ar + br;
          totalIm += ai + bi;
        }
        const o = out0 + k;
        yr[o] = totalRe;
        yi[o] = totalIm;
        for (let r = 1; r <= h; r++) {
          let aRe = 0;
          let aIm = 0;
          let bRe = 0;
          let bIm = 0;
          let idx = 0;
          for (let q = 1; q <= h; q++) {
            idx += r;
            if (idx >= p) idx -= p;
            const c = rootRe[idx]!;
            const sn = -rootIm[idx]!;
            aRe += sumRe[q]! * c;
            aIm += sumIm[q]! * c;
            bRe += difRe[q]! * sn;
            bIm += difIm[q]! * sn;
          }
          const x1r = v0r + aRe + bIm;
          const x1i = v0i + aIm - bRe;
          const x2r = v0r + aRe - bIm;
          const x2i = v0i + aIm + bRe;
          const w1r = twRe[t + r - 1]!;
          const w1i = twIm[t + r - 1]!;
          const w2r = twRe[t + p - r - 1]!;
          const w2i = twIm[t + p - r - 1]!;
          yr[o + r * s] = x1r * w1r - x1i * w1i;
          yi[o + r * s] = x1r * w1i + x1i * w1r;
          yr[o + (p - r) * s] = x2r * w2r - x2i * w2i;
          yi[o + (p - r) * s] = x2r * w2i + x2i * w2r;
        }
      }
    }
  }
}
