/**
 * Perlin noise for the bias field and the motion trajectories, unchecked (the callers validate
 * their parameters). Classic gradient noise (Perlin 1985) with the improved quintic fade curve and the 12 cube-edge
 * gradients of "Improving noise" (Perlin 2002); the permutation comes from a seeded Rng.
 */

/** `6t^5 - 15t^4 + 10t^3`: C2-continuous, zero first and second derivatives at 0 and 1. */
export function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

function lerp(t: number, a: number, b: number): number {
  return a + t * (b - a);
}

/** 1-D gradients: 16 slopes evenly spaced in [-1, 1]. */
function grad1(hash: number, x: number): number {
  return ((hash & 15) / 7.5 - 1) * x;
}

/** 2-D gradients: the 8 directions (+-1, 0), (0, +-1), (+-1, +-1). */
function grad2(hash: number, x: number, y: number): number {
  switch (hash & 7) {
    case 0:
      return x;
    case 1:
      return -x;
    case 2:
      return y;
    case 3:
      return -y;
    case 4:
      return x + y;
    case 5:
      return x - y;
    case 6:
      return -x + y;
    default:
      return -x - y;
  }
}

/** 3-D gradients: the 12 cube edges of Perlin (2002), padded to 16 as in his reference code. */
function grad3(hash: number, x: number, y: number, z: number): number {
  const h = hash & 15;
  const u = h < 8 ? x : y;
  const v = h < 4 ? y : h === 12 || h === 14 ? x : z;
  return ((h & 1) === 0 ? u : -u) + ((h & 2) === 0 ? v : -v);
}

export function noise1(p: Uint8Array, x: number): number {
  const fx = Math.floor(x);
  const xi = fx & 255;
  const f = x - fx;
  const u = fade(f);
  return lerp(u, grad1(p[xi]!, f), grad1(p[xi + 1]!, f - 1));
}

export function noise2(p: Uint8Array, x: number, y: number): number {
  const fx = Math.floor(x);
  const fy = Math.floor(y);
  const xi = fx & 255;
  const yi = fy & 255;
  const dx = x - fx;
  const dy = y - fy;
  const u = fade(dx);
  const v = fade(dy);
  const a = p[xi]! + yi;
  const b = p[xi + 1]! + yi;
  return lerp(
    v,
    lerp(u, grad2(p[a]!, dx, dy), grad2(p[b]!, dx - 1, dy)),
    lerp(u, grad2(p[a + 1]!, dx, dy - 1), grad2(p[b + 1]!, dx - 1, dy - 1)),
  );
}

export function noise3(p: Uint8Array, x: number, y: number, z: number): number {
  const fx = Math.floor(x);
  const fy = Math.floor(y);
  const fz = Math.floor(z);
  const xi = fx & 255;
  const yi = fy & 255;
  const zi = fz & 255;
  const dx = x - fx;
  const dy = y - fy;
  const dz = z - fz;
  const u = fade(dx);
  const v = fade(dy);
  const w = fade(dz);
  const a = p[xi]! + yi;
  const aa = p[a]! + zi;
  const ab = p[a + 1]! + zi;
  const b = p[xi + 1]! + yi;
  const ba = p[b]! + zi;
  const bb = p[b + 1]! + zi;
  return lerp(
    w,
    lerp(
      v,
      lerp(u, grad3(p[aa]!, dx, dy, dz), grad3(p[ba]!, dx - 1, dy, dz)),
      lerp(u, grad3(p[ab]!, dx, dy - 1, dz), grad3(p[bb]!, dx - 1, dy - 1, dz)),
    ),
    lerp(
      v,
      lerp(u, grad3(p[aa + 1]!, dx, dy, dz - 1), grad3(p[ba + 1]!, dx - 1, dy, dz - 1)),
      lerp(u, grad3(p[ab + 1]!, dx, dy - 1, dz - 1), grad3(p[bb + 1]!, dx - 1, dy - 1, dz - 1)),
    ),
  );
}

/** Fractal sum `sum_o persistence^o noise(lacunarity^o x)` in 1, 2 or 3 dimensions. */
export function fractal(
  p: Uint8Array,
  dims: 1 | 2 | 3,
  x: number,
  y: number,
  z: number,
  octaves: number,
  persistence: number,
  lacunarity: number,
): number {
  let sum = 0;
  let amplitude = 1;
  let frequency = 1;
  for (let o = 0; o < octaves; o++) {
    const value =
      dims === 1
        ? noise1(p, x * frequency)
        : dims === 2
          ? noise2(p, x * frequency, y * frequency)
          : noise3(p, x * frequency, y * frequency, z * frequency);
    sum += amplitude * value;
    amplitude *= persistence;
    frequency *= lacunarity;
  }
  return sum;
}

/** A permutation of 0..255, doubled to 512 entries so that `p[i + 1]` never wraps. */
export function permutationFromUniform(next: (n: number) => number): Uint8Array {
  const p = new Uint8Array(512);
  for (let i = 0; i < 256; i++) p[i] = i;
  for (let i = 255; i > 0; i--) {
    const j = next(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  for (let i = 0; i < 256; i++) p[256 + i] = p[i]!;
  return p;
}
