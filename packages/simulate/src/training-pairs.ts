import {
  type Axis,
  affineFromSpacing,
  createRng,
  invalidArgument,
  type Rng,
  spacing,
  type Volume,
  validateBoolean,
  validateNumber,
  validateObject,
} from '@duncan-mri/volume';
import { validateVolume } from './internal/validate.js';
import { SEVERITY_PRESETS, type Severity } from './presets.js';
import { truncateKspace } from './ringing.js';
import { type RecipeStep, simulate } from './simulate.js';

/** One clean volume the pairs are drawn from, with an optional label map on the same grid. */
export interface TrainingSource {
  /** A clean (artefact-free) volume. Any intensity scale: it is normalised by its percentiles. */
  readonly volume: Volume;
  /**
   * Integer labels on the volume's grid (0 = background), for SynthSeg-style synthesis: an image
   * drawn with a random intensity per label (Billot et al., "SynthSeg", Medical Image Analysis
   * 2023). Several label maps (e.g. tissue classes, and the same classes subdivided by an atlas's
   * regions) may be given: each synthesised image draws one of them, uniformly. Optional.
   */
  readonly labels?: Volume | readonly Volume[];
}

/** Options of {@link createTrainingPairs}. */
export interface TrainingPairOptions {
  /** Seed of every draw: pair `i` depends only on the sources, the options, the seed and `i`. Required. */
  readonly seed: number;
  /** Side of the square images, in pixels: a multiple of 4, at least 32. Default 128. */
  readonly size?: number;
  /** Share of pairs left uncorrupted (clean -> clean), so a corrector learns to leave clean images alone. Default 0.2. */
  readonly cleanFraction?: number;
  /** Random contrast (look-up tables, gamma, label synthesis). Default true. */
  readonly contrast?: boolean;
  /** Random rotation, scale, shift, elastic deformation and flips. Default true. */
  readonly geometry?: boolean;
  /** Random bias field, resolution loss and noise floor, on both images of a pair. Default true. */
  readonly acquisition?: boolean;
  /** Slicing axes to draw from (0 = sagittal x, 1 = coronal y, 2 = axial z for RAS volumes). Default all three. */
  readonly axes?: readonly Axis[];
  /**
   * Range of the head's extent as a fraction of `size` (drawn log-uniformly; above 1 the field
   * crops the head). Default `[0.35, 1.7]`: with 128-pixel images, heads of 45 to 218 pixels,
   * the range of real acquisitions (a 2.75 mm head is about 60 pixels across, a 0.9 mm one
   * about 200).
   */
  readonly headFill?: readonly [number, number];
  /** Probability of a SynthSeg-style image when the source has labels. Default 0.3. */
  readonly synthesisProbability?: number;
  /**
   * Share of the motion corruptions acquired as an interleaved multi-shot acquisition (turbo
   * spin echo, multi-shot EPI) of 2 to 16 shots (see {@link MotionParams.shots}): motion between
   * shots makes coherent ghosts rather than the smear of a one-shot sweep. Default 0.5; 0 gives
   * the pairs of earlier versions, which only swept k-space once.
   */
  readonly multiShotFraction?: number;
  /**
   * Range of the Rician noise floor's σ (drawn uniformly, relative to the image's 99.5th
   * percentile), added with probability 0.7 to the clean image (so to both images of a pair).
   * Default `[0.003, 0.04]`: clinical series at 1.5 T reach σ of a few per cent of the bright
   * tissue, fast and low-field ones more, and a corrector that never saw such a floor learns to
   * smooth it away. Earlier versions drew `[0.003, 0.02]`.
   */
  readonly noiseFloor?: readonly [number, number];
  /**
   * Where the noise floor goes. `false` (the default, as in earlier versions): on the clean image
   * before the corruption, so the corruption also moves the noise, and a corrupted image's noise
   * is not its clean partner's. `true`: after the corruption, one complex Gaussian realisation
   * added to both images of the pair, as a receiver adds its noise to whatever the moving head
   * gave. The corrupted image then carries its clean partner's noise exactly, so a corrector
   * gains nothing by smoothing the noise away. Every other draw of the pair is the same either
   * way.
   */
  readonly noiseAfterCorruption?: boolean;
  /**
   * Probability that a corrupted pair also gets the simulator's noise artefact (on the corrupted
   * image only, so the corrector learns to remove it). Default 0.15, as in earlier versions. `0`
   * keeps every corrupted pair to motion and ghosting: the noise artefact's σ (0.01-0.1) overlaps
   * the acquisition noise floor (`noiseFloor`), which both images carry, so the same noise is
   * sometimes to be kept and sometimes to be removed, and a corrector that learns the second
   * also smooths the noise of clean, noisy series. The choice is drawn for every corrupted pair
   * whatever the value, so a pair that gets the noise artefact under neither of two values is
   * the same bit for bit under both; a pair that gets it under one value only also gets other
   * motion and ghosting draws under the other.
   */
  readonly noiseFraction?: number;
  /**
   * Probability that the clean image is band-limited as a real acquisition is: its k-space is
   * cut, with a sharp edge, to a fraction of the field drawn uniformly in [0.5, 1] along each
   * in-plane axis on its own (an acquired matrix of 50-100 % of the reconstructed one, zero-filled;
   * see {@link ringing}), after the bias field and the resolution loss, so both images of the pair
   * carry the smoothness and the Gibbs ringing of a finite k-space, and the corruption acts on
   * that k-space. A real image is always the transform of a finite k-space; one resampled from a
   * volume by interpolation is not, and a corrector that never saw ringing at edges in a clean
   * image treats it as an artefact. Default 0 (as in earlier versions); part of the acquisition
   * stage, so `acquisition: false` turns it off too. Its draws come from a second generator of
   * the pair, `createRng(2^53 - 1 - (seed * 2^21 + index))`, so every other draw of a pair is the
   * same whatever the value (`createRng` folds a seed to 32 bits, so that generator is the main
   * one of another seed's pair; never of a pair of the same seed).
   */
  readonly kspaceTruncation?: number;
}

/** One training pair: the same anatomy clean and corrupted, with a head mask. */
export interface TrainingPair {
  /** The clean image, `size * size`, row-major (x fastest), normalised to about [0, 1]. */
  readonly clean: Float32Array;
  /** The corrupted image on the same scale; a copy of `clean` for a clean -> clean pair. */
  readonly corrupted: Float32Array;
  /** 1 inside the head of the clean image (dilated by 2 pixels), 0 outside. */
  readonly mask: Uint8Array;
  /** What was done, e.g. `vol0 axis2 z88 lut gamma0.81 | motion:severe(pe=0)+noise:mild`. */
  readonly description: string;
}

/** A deterministic, random-access source of training pairs. */
export interface TrainingPairSource {
  /** Side of the square images, in pixels. */
  readonly size: number;
  /** The seed given. */
  readonly seed: number;
  /** Pair `index` (0 <= index < 2^21): the same index always gives the same pair. */
  pair(index: number): TrainingPair;
}

const WHERE = 'createTrainingPairs';
/** Pairs per seed: `createRng(seed * MAX_PAIRS + index)` must stay a safe integer. */
const MAX_PAIRS = 2 ** 21;
/** A slice is usable when this share of its pixels exceeds 5 % of the volume's robust maximum. */
const MIN_FOREGROUND = 0.15;

interface LabelMap {
  readonly labels: Int32Array;
  readonly maxLabel: number;
}

interface PreparedSource {
  /** The volume scaled so its 0.5th percentile is 0 and its 99.5th is 1. */
  readonly data: Float32Array;
  /** The label maps (none when the source has no labels). */
  readonly labelMaps: readonly LabelMap[];
  readonly shape: readonly [number, number, number];
  readonly spacingMm: readonly [number, number, number];
  /** Usable slice indices along each axis. */
  readonly usable: readonly (readonly number[])[];
}

function percentile(sorted: Float32Array, p: number): number {
  if (sorted.length === 0) return 0;
  const at = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** In-plane dimensions and strides of slices along `axis` of an x-fastest volume. */
function planeOf(shape: readonly [number, number, number], axis: Axis) {
  const [nx, ny, nz] = shape;
  const strides = [1, nx, nx * ny] as const;
  const inPlane = ([0, 1, 2] as const).filter((a) => a !== axis) as [Axis, Axis];
  const [u, v] = inPlane;
  return {
    width: shape[u],
    height: shape[v],
    count: [nx, ny, nz][axis]!,
    su: strides[u],
    sv: strides[v],
    sk: strides[axis],
    u,
    v,
  };
}

function prepare(source: unknown, i: number, axes: readonly Axis[]): PreparedSource {
  const s = validateObject(WHERE, `sources[${i}]`, source);
  const volume = validateVolume(WHERE, s.volume, `sources[${i}].volume`);
  const finite = volume.data.filter((x) => Number.isFinite(x));
  const sorted = finite.sort();
  const low = percentile(sorted, 0.5);
  let high = percentile(sorted, 99.5);
  if (!(high > low)) high = low + 1;
  const data = new Float32Array(volume.data.length);
  for (let k = 0; k < data.length; k++) {
    const x = volume.data[k]!;
    data[k] = Number.isFinite(x) ? (x - low) / (high - low) : 0;
  }
  const given = s.labels === undefined ? [] : Array.isArray(s.labels) ? s.labels : [s.labels];
  const several = Array.isArray(s.labels);
  if (several && given.length === 0) {
    invalidArgument(
      WHERE,
      `sources[${i}].labels`,
      'must hold at least one label map when it is an array',
      '[]',
    );
  }
  const labelMaps = given.map((map: Volume, m): LabelMap => {
    const where = several ? `sources[${i}].labels[${m}]` : `sources[${i}].labels`;
    const l = validateVolume(WHERE, map, where);
    if (l.shape.some((n, a) => n !== volume.shape[a])) {
      invalidArgument(
        WHERE,
        where,
        `must have the volume's shape ${volume.shape.join('x')}`,
        l.shape.join('x'),
      );
    }
    const labels = new Int32Array(l.data.length);
    let maxLabel = 0;
    for (let k = 0; k < labels.length; k++) {
      const x = Math.round(l.data[k]!);
      if (!(x >= 0 && x < 4096))
        invalidArgument(WHERE, where, 'must hold integers in [0, 4096)', l.data[k]);
      labels[k] = x;
      if (x > maxLabel) maxLabel = x;
    }
    return { labels, maxLabel };
  });
  const usable: number[][] = [[], [], []];
  for (const axis of axes) {
    const p = planeOf(volume.shape, axis);
    for (let k = 0; k < p.count; k++) {
      let fg = 0;
      for (let y = 0; y < p.height; y++) {
        for (let x = 0; x < p.width; x++) {
          if (data[k * p.sk + y * p.sv + x * p.su]! > 0.05) fg++;
        }
      }
      if (fg > 0 && fg >= MIN_FOREGROUND * p.width * p.height) usable[axis]!.push(k);
    }
  }
  const sp = spacing(volume.affine);
  return {
    data,
    labelMaps,
    shape: volume.shape,
    spacingMm: [sp[0], sp[1], sp[2]],
    usable,
  };
}

/** Bilinear sample of a plane at (x, y) in pixels; 0 outside. */
function bilinear(
  data: Float32Array,
  base: number,
  su: number,
  sv: number,
  width: number,
  height: number,
  x: number,
  y: number,
): number {
  if (!(x > -1 && y > -1 && x < width && y < height)) return 0;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  let sum = 0;
  for (let dy = 0; dy < 2; dy++) {
    const yy = y0 + dy;
    if (yy < 0 || yy >= height) continue;
    const wy = dy === 0 ? 1 - fy : fy;
    for (let dx = 0; dx < 2; dx++) {
      const xx = x0 + dx;
      if (xx < 0 || xx >= width) continue;
      sum += wy * (dx === 0 ? 1 - fx : fx) * data[base + yy * sv + xx * su]!;
    }
  }
  return sum;
}

/** A smooth random field: a coarse grid of normal deviates, bilinearly upsampled to `size`. */
function smoothField(rng: Rng, size: number, grid: number, std: number): Float32Array {
  const g = Float64Array.from({ length: grid * grid }, () => rng.normal(0, std));
  const out = new Float32Array(size * size);
  const scale = (grid - 1) / (size - 1);
  for (let r = 0; r < size; r++) {
    const gy = r * scale;
    const y0 = Math.min(grid - 2, Math.floor(gy));
    const fy = gy - y0;
    for (let c = 0; c < size; c++) {
      const gx = c * scale;
      const x0 = Math.min(grid - 2, Math.floor(gx));
      const fx = gx - x0;
      out[r * size + c] =
        (1 - fy) * ((1 - fx) * g[y0 * grid + x0]! + fx * g[y0 * grid + x0 + 1]!) +
        fy * ((1 - fx) * g[(y0 + 1) * grid + x0]! + fx * g[(y0 + 1) * grid + x0 + 1]!);
    }
  }
  return out;
}

/** 1-D Gaussian blur of a square image along rows (axis 0) or columns (axis 1), in place. */
function blurAlong(image: Float32Array, size: number, axis: 0 | 1, sigma: number): void {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Float64Array.from({ length: 2 * radius + 1 }, (_, k) =>
    Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)),
  );
  const norm = kernel.reduce((a, b) => a + b, 0);
  const line = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) line[i] = image[axis === 0 ? j * size + i : i * size + j]!;
    for (let i = 0; i < size; i++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) {
        const ii = Math.min(size - 1, Math.max(0, i + k));
        s += kernel[k + radius]! * line[ii]!;
      }
      image[axis === 0 ? j * size + i : i * size + j] = s / norm;
    }
  }
}

/**
 * A random piecewise-linear look-up table on [0, 1.5] with f(0) = 0: knots at random inputs,
 * outputs uniform in [0.05, 1], so it can be non-monotone (T1 becomes T2-, PD- or FLAIR-like).
 */
function randomLut(rng: Rng): (x: number) => number {
  const knots = 3 + rng.int(4);
  const xs = [
    0,
    ...Array.from({ length: knots }, () => 0.05 + 1.1 * rng.float()).sort((a, b) => a - b),
    1.5,
  ];
  const ys = [0, ...Array.from({ length: knots + 1 }, () => 0.05 + 0.95 * rng.float())];
  return (x: number) => {
    if (x <= 0) return 0;
    for (let k = 1; k < xs.length; k++) {
      if (x <= xs[k]!) {
        const t = (x - xs[k - 1]!) / (xs[k]! - xs[k - 1]!);
        return ys[k - 1]! + t * (ys[k]! - ys[k - 1]!);
      }
    }
    return ys[ys.length - 1]!;
  };
}

/** An option `[low, high]` with `min <= low <= high <= max`, or `fallback` when undefined. */
function validateInterval(
  argument: string,
  value: unknown,
  fallback: readonly [number, number],
  min: number,
  max: number,
): [number, number] {
  const range = value ?? fallback;
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((x) => typeof x === 'number' && x >= min && x <= max) ||
    !(range[0] <= range[1])
  ) {
    invalidArgument(
      WHERE,
      argument,
      `must be [low, high] with ${min} <= low <= high <= ${max}`,
      range,
    );
  }
  return [range[0], range[1]];
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** A corruption recipe: mostly motion and ghosting, noise a minority, random phase-encode axis. */
function corruptionRecipe(
  rng: Rng,
  multiShotFraction: number,
  noiseFraction: number,
): { recipe: RecipeStep[]; label: string } {
  const severity = (): Severity => {
    const u = rng.float();
    return u < 0.25 ? 'mild' : u < 0.7 ? 'moderate' : 'severe';
  };
  const recipe: RecipeStep[] = [];
  const parts: string[] = [];
  const motion = rng.float() < 0.65;
  let ghosting = rng.float() < 0.4;
  if (!motion && !ghosting) ghosting = rng.float() < 0.5;
  const useMotion = motion || !ghosting;
  if (useMotion) {
    const s = severity();
    const pe = rng.int(2) as 0 | 1;
    // No draw when multi-shot is off, so that such pairs are those of earlier versions.
    const multiShot = multiShotFraction > 0 && rng.float() < multiShotFraction;
    const ranges = { ...motionRanges(s), phaseEncodeAxis: pe };
    recipe.push({
      artefact: 'motion',
      ranges: multiShot ? { ...ranges, shots: MULTI_SHOT_RANGE } : ranges,
    });
    parts.push(`motion:${s}(pe=${pe}${multiShot ? ',shots' : ''})`);
  }
  if (ghosting) {
    const s = severity();
    const axis = rng.int(2) as 0 | 1;
    recipe.push({ artefact: 'ghosting', ranges: { ...ghostingRanges(s), axis } });
    parts.push(`ghosting:${s}(axis=${axis})`);
  }
  if (rng.float() < noiseFraction) {
    const s = severity();
    recipe.push({ artefact: 'noise', severity: s });
    parts.push(`noise:${s}`);
  }
  return { recipe, label: parts.join('+') };
}

const motionRanges = (s: Severity) => SEVERITY_PRESETS[s].motion;
/** Shots of a multi-shot motion corruption (integers, inclusive). */
const MULTI_SHOT_RANGE: readonly [number, number] = [2, 16];
const ghostingRanges = (s: Severity) => SEVERITY_PRESETS[s].ghosting;

/**
 * Adds one Rician noise floor in place to each image: pixel `i` becomes `|x_i + n_re + i n_im|`,
 * with the same complex Gaussian draw (σ, from `createRng(seed)`) for every image.
 */
function addNoiseFloor(images: readonly Float32Array[], sigma: number, seed: number): void {
  const noise = createRng(seed);
  const n = images[0]!.length;
  for (let i = 0; i < n; i++) {
    const re = noise.normal(0, sigma);
    const im = noise.normal(0, sigma);
    for (const image of images) image[i] = Math.hypot(image[i]! + re, im);
  }
}

/**
 * A seeded, random-access source of paired training images (clean, corrupted, head mask) drawn
 * from a few clean volumes, made wide enough that a corrector does not learn one anatomy and one
 * contrast. For pair `i`, with its own generator `createRng(seed * 2^21 + i)`:
 *
 * 1. a usable slice (>= 15 % of pixels above 5 % of the volume's robust maximum) of a random
 *    source along a random axis;
 * 2. geometry: resampled (bilinear) into a `size`x`size` field whose pixel size makes the head
 *    extent is `headFill` of the field (default 35-170 %, log-uniform), rotated by up to ±20°, shifted, elastically deformed (a 5x5 grid of
 *    displacements, 0-3 pixels) and flipped;
 * 3. contrast: with probability 0.75 a random piecewise-linear look-up table with f(0) = 0
 *    (non-monotone ones included, so T1 also becomes T2-, PD- or FLAIR-like), then a gamma of
 *    `exp(N(0, 0.25))`; or, with `synthesisProbability` where the source has labels, an image
 *    drawn with a random intensity per label of one of its label maps and blurred (SynthSeg);
 * 4. acquisition, on the clean image (so on both images of the pair): a smooth multiplicative
 *    bias field, with probability 0.3 a resolution loss (Gaussian blur along one axis), with
 *    probability `kspaceTruncation` (default 0) a band limit (k-space cut to 50-100 % per axis), a
 *    rescale so the 99.5th percentile is 1, and with probability 0.7 a Rician noise floor
 *    (σ uniform in `noiseFloor`, default 0.003-0.04; with `noiseAfterCorruption`, added after
 *    step 5 instead, the same draw to both images);
 * 5. corruption, after the contrast change (the physical order): with probability
 *    `cleanFraction` none (the pair is clean -> clean); otherwise {@link simulate} with motion
 *    (65 %), ghosting (40 %) and noise (`noiseFraction`, default 15 %), severities
 *    mild/moderate/severe 25/45/30 %, and a random phase-encode axis; a share
 *    `multiShotFraction` (default half) of the motion is acquired in 2-16 interleaved shots.
 *
 * The clean image is the target; the mask is its head (clean > 5 % of its 99.5th percentile before the
 * noise floor, dilated by 2 pixels). Deterministic: the same sources, options and index give the same pair
 * bit for bit, in any order of calls (tfjs `train` and the PyTorch trainer read the same pairs).
 *
 * @example
 * ```ts
 * const pairs = createTrainingPairs([{ volume: colin27 }], { seed: 1, size: 128 });
 * const { clean, corrupted, mask } = pairs.pair(0);
 * ```
 * @throws MriError `INVALID_ARGUMENT` for bad sources or options, or sources without usable slices.
 */
export function createTrainingPairs(
  sources: readonly TrainingSource[],
  options: TrainingPairOptions,
): TrainingPairSource {
  const o = validateObject(WHERE, 'options', options);
  const seed = validateNumber(WHERE, 'options.seed', o.seed, {
    min: 0,
    max: 2 ** 31,
    integer: true,
  });
  const size = validateNumber(
    WHERE,
    'options.size',
    o.size,
    { min: 32, max: 1024, integer: true },
    128,
  );
  if (size % 4 !== 0) invalidArgument(WHERE, 'options.size', 'must be a multiple of 4', size);
  const cleanFraction = validateNumber(
    WHERE,
    'options.cleanFraction',
    o.cleanFraction,
    { min: 0, max: 1 },
    0.2,
  );
  const contrast = validateBoolean(WHERE, 'options.contrast', o.contrast, true);
  const geometry = validateBoolean(WHERE, 'options.geometry', o.geometry, true);
  const acquisition = validateBoolean(WHERE, 'options.acquisition', o.acquisition, true);
  const synthesisProbability = validateNumber(
    WHERE,
    'options.synthesisProbability',
    o.synthesisProbability,
    { min: 0, max: 1 },
    0.3,
  );
  const [fillLow, fillHigh] = validateInterval('options.headFill', o.headFill, [0.35, 1.7], 0.1, 4);
  const multiShotFraction = validateNumber(
    WHERE,
    'options.multiShotFraction',
    o.multiShotFraction,
    { min: 0, max: 1 },
    0.5,
  );
  const [noiseLow, noiseHigh] = validateInterval(
    'options.noiseFloor',
    o.noiseFloor,
    [0.003, 0.04],
    0,
    0.5,
  );
  const noiseAfterCorruption = validateBoolean(
    WHERE,
    'options.noiseAfterCorruption',
    o.noiseAfterCorruption,
    false,
  );
  const noiseFraction = validateNumber(
    WHERE,
    'options.noiseFraction',
    o.noiseFraction,
    { min: 0, max: 1 },
    0.15,
  );
  const kspaceTruncation = validateNumber(
    WHERE,
    'options.kspaceTruncation',
    o.kspaceTruncation,
    { min: 0, max: 1 },
    0,
  );
  const axes = (o.axes ?? [0, 1, 2]) as unknown;
  if (
    !Array.isArray(axes) ||
    axes.length === 0 ||
    axes.some((a) => a !== 0 && a !== 1 && a !== 2) ||
    new Set(axes).size !== axes.length
  ) {
    invalidArgument(
      WHERE,
      'options.axes',
      'must be a non-empty list of distinct axes 0, 1, 2',
      axes,
    );
  }
  if (!Array.isArray(sources) || sources.length === 0) {
    invalidArgument(WHERE, 'sources', 'must be a non-empty array of { volume, labels? }', sources);
  }
  const prepared = sources.map((s, i) => prepare(s, i, axes as Axis[]));
  const choices: Array<{ source: number; axis: Axis }> = [];
  prepared.forEach((p, source) => {
    for (const axis of axes as Axis[]) {
      if (p.usable[axis]!.length > 0) choices.push({ source, axis });
    }
  });
  if (choices.length === 0) {
    invalidArgument(
      WHERE,
      'sources',
      'must contain slices with at least 15 % foreground',
      `${sources.length} source(s) without any`,
    );
  }

  const pair = (index: number): TrainingPair => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_PAIRS) {
      invalidArgument('pair', 'index', `must be an integer in [0, ${MAX_PAIRS})`, index);
    }
    const rng = createRng(seed * MAX_PAIRS + index);
    const { source, axis } = pick(rng, choices);
    const src = prepared[source]!;
    const k = pick(rng, src.usable[axis]!);
    const p = planeOf(src.shape, axis);
    const base = k * p.sk;
    const du = src.spacingMm[p.u]!;
    const dv = src.spacingMm[p.v]!;
    // Foreground bounding box of the slice, in millimetres.
    let x0 = Number.POSITIVE_INFINITY;
    let x1 = Number.NEGATIVE_INFINITY;
    let y0 = Number.POSITIVE_INFINITY;
    let y1 = Number.NEGATIVE_INFINITY;
    for (let y = 0; y < p.height; y++) {
      for (let x = 0; x < p.width; x++) {
        if (src.data[base + y * p.sv + x * p.su]! > 0.05) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    const extentMm = Math.max((x1 - x0 + 1) * du, (y1 - y0 + 1) * dv);
    const fill = geometry ? fillLow * (fillHigh / fillLow) ** rng.float() : 0.8;
    const pixelMm = extentMm / (fill * size);
    const angle = geometry ? ((rng.float() * 2 - 1) * 20 * Math.PI) / 180 : 0;
    const cx = ((x0 + x1) / 2) * du + (geometry ? rng.normal(0, 0.05) * extentMm : 0);
    const cy = ((y0 + y1) / 2) * dv + (geometry ? rng.normal(0, 0.05) * extentMm : 0);
    const flipX = geometry && rng.float() < 0.5;
    const flipY = geometry && rng.float() < 0.5;
    const elasticPx = geometry ? 3 * rng.float() : 0;
    const ex = geometry ? smoothField(rng, size, 5, elasticPx) : undefined;
    const ey = geometry ? smoothField(rng, size, 5, elasticPx) : undefined;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    // Source coordinates (pixels of the slice) of every output pixel.
    const sx = new Float32Array(size * size);
    const sy = new Float32Array(size * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const i = r * size + c;
        let u = (flipX ? size - 1 - c : c) - (size - 1) / 2 + (ex?.[i] ?? 0);
        let v = (flipY ? size - 1 - r : r) - (size - 1) / 2 + (ey?.[i] ?? 0);
        u *= pixelMm;
        v *= pixelMm;
        sx[i] = (cx + cos * u - sin * v) / du;
        sy[i] = (cy + sin * u + cos * v) / dv;
      }
    }
    const parts = [`src${source} axis${axis} k${k}`];
    let clean: Float32Array = new Float32Array(size * size);
    const synthesise = contrast && src.labelMaps.length > 0 && rng.float() < synthesisProbability;
    if (synthesise) {
      // One label map of several is drawn (no draw when there is one, so single-map sources give
      // the pairs they always gave).
      const m = src.labelMaps.length > 1 ? Math.floor(rng.float() * src.labelMaps.length) : 0;
      const { labels, maxLabel } = src.labelMaps[m]!;
      const means = Float64Array.from({ length: maxLabel + 1 }, (_, l) =>
        l === 0 ? 0 : 0.1 + 0.9 * rng.float(),
      );
      const stds = Float64Array.from({ length: maxLabel + 1 }, (_, l) =>
        l === 0 ? 0 : 0.05 * rng.float(),
      );
      const noise = createRng(rng.nextUint32());
      for (let i = 0; i < clean.length; i++) {
        const x = Math.round(sx[i]!);
        const y = Math.round(sy[i]!);
        if (x < 0 || y < 0 || x >= p.width || y >= p.height) continue;
        const l = labels[base + y * p.sv + x * p.su]!;
        if (l > 0) clean[i] = Math.max(0, means[l]! + noise.normal(0, stds[l]!));
      }
      const sigma = 0.5 + 0.7 * rng.float();
      blurAlong(clean, size, 0, sigma);
      blurAlong(clean, size, 1, sigma);
      parts.push(src.labelMaps.length > 1 ? `synth${maxLabel} map${m}` : `synth${maxLabel}`);
    } else {
      for (let i = 0; i < clean.length; i++) {
        clean[i] = bilinear(src.data, base, p.su, p.sv, p.width, p.height, sx[i]!, sy[i]!);
      }
      if (contrast && rng.float() < 0.75) {
        const lut = randomLut(rng);
        for (let i = 0; i < clean.length; i++) clean[i] = lut(clean[i]!);
        parts.push('lut');
      }
      if (contrast) {
        const gamma = Math.exp(rng.normal(0, 0.25));
        for (let i = 0; i < clean.length; i++) clean[i] = Math.max(0, clean[i]!) ** gamma;
        parts.push(`gamma${gamma.toFixed(2)}`);
      }
    }
    if (acquisition) {
      const bias = smoothField(rng, size, 4, 0.2);
      for (let i = 0; i < clean.length; i++) clean[i] = clean[i]! * Math.exp(bias[i]!);
      if (rng.float() < 0.3) {
        const sigma = 0.5 + rng.float();
        blurAlong(clean, size, rng.int(2) as 0 | 1, sigma);
        parts.push(`blur${sigma.toFixed(2)}`);
      }
      if (kspaceTruncation > 0) {
        const band = createRng(Number.MAX_SAFE_INTEGER - (seed * MAX_PAIRS + index));
        if (band.float() < kspaceTruncation) {
          const keep = [0.5 + 0.5 * band.float(), 0.5 + 0.5 * band.float()] as const;
          const image: Volume = {
            data: clean,
            shape: [size, size, 1],
            affine: affineFromSpacing([1, 1, 1]),
          };
          clean = truncateKspace(image, [keep[0], keep[1], 1]).data;
          parts.push(`band${keep[0].toFixed(2)}x${keep[1].toFixed(2)}`);
        }
      }
    }
    // Rescale so the 99.5th percentile of the head is 1 (as correction normalises a volume).
    const fg = clean.filter((x) => x > 1e-3).sort();
    const top = fg.length > 0 ? percentile(fg, 99.5) : 1;
    if (top > 0) for (let i = 0; i < clean.length; i++) clean[i] = clean[i]! / top;
    // Head mask of the clean image, dilated by 2 pixels.
    const raw = new Uint8Array(size * size);
    for (let i = 0; i < raw.length; i++) raw[i] = clean[i]! > 0.05 ? 1 : 0;
    const mask = new Uint8Array(size * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        let on = 0;
        for (let dr = -2; dr <= 2 && !on; dr++) {
          const rr = r + dr;
          if (rr < 0 || rr >= size) continue;
          for (let dc = -2; dc <= 2; dc++) {
            const cc = c + dc;
            if (cc >= 0 && cc < size && raw[rr * size + cc]) {
              on = 1;
              break;
            }
          }
        }
        mask[r * size + c] = on;
      }
    }
    let floor: { readonly sigma: number; readonly seed: number } | undefined;
    if (acquisition && rng.float() < 0.7) {
      floor = { sigma: noiseLow + (noiseHigh - noiseLow) * rng.float(), seed: rng.nextUint32() };
      parts.push(`noise${floor.sigma.toFixed(3)}${noiseAfterCorruption ? ' after' : ''}`);
      if (!noiseAfterCorruption) addNoiseFloor([clean], floor.sigma, floor.seed);
    }
    clean = Float32Array.from(clean);
    let corrupted: Float32Array;
    let corruption = 'clean';
    if (rng.float() < cleanFraction) {
      corrupted = Float32Array.from(clean);
    } else {
      const { recipe, label } = corruptionRecipe(rng, multiShotFraction, noiseFraction);
      const slice: Volume = {
        data: clean,
        shape: [size, size, 1],
        affine: affineFromSpacing([pixelMm, pixelMm, pixelMm]),
      };
      corrupted = simulate(slice, recipe, rng.fork()).volume.data;
      corruption = label;
    }
    if (floor && noiseAfterCorruption) addNoiseFloor([clean, corrupted], floor.sigma, floor.seed);
    return { clean, corrupted, mask, description: `${parts.join(' ')} | ${corruption}` };
  };
  return Object.freeze({ size, seed, pair });
}
