// A second, independent MRI corruption model, used only to TEST the artefact corrector: a
// corrector that merely learned to undo @duncan-mri/simulate's own artefacts (its Perlin drift
// motion, its ghost recipe, its FFT) will score worse here than on the simulator, and that gap
// is the overfitting we want to see. Nothing here comes from @duncan-mri/simulate; the physics
// is written from scratch (segmented multi-shot acquisitions and EPI-style Nyquist ghosts).
import {
  type Axis,
  assertVolume,
  insertPlane,
  invalidArgument,
  type Rng,
  sliceVolume,
  spacing,
  type Volume,
  withData,
} from '@duncan-mri/volume';
import { createShotFft, nextPow2, transform2d, transformAxis } from './shot-fft.js';

/** The artefacts of {@link corruptWithShots}. */
export type ShotArtefact = 'motion' | 'ghosting';
/** The severity presets of {@link corruptWithShots}. */
export type ShotSeverity = 'mild' | 'moderate' | 'severe';

/** The corrupted slice and a one-line account of what was applied. */
export interface ShotCorruptionResult {
  readonly volume: Volume;
  readonly description: string;
}

const WHERE = 'corruptWithShots';
const ARTEFACTS: readonly ShotArtefact[] = ['motion', 'ghosting'];
const SEVERITIES: readonly ShotSeverity[] = ['mild', 'moderate', 'severe'];

/** Ranges `[lo, hi]` drawn uniformly per call. */
const MOTION_PRESETS: Record<
  ShotSeverity,
  { rotationDeg: [number, number]; translationMm: [number, number]; moved: [number, number] }
> = {
  mild: { rotationDeg: [0.3, 1], translationMm: [0.3, 1], moved: [2, 4] },
  moderate: { rotationDeg: [1, 3], translationMm: [1, 3], moved: [3, 6] },
  severe: { rotationDeg: [3, 8], translationMm: [3, 8], moved: [5, 10] },
};
/** Ghost intensity relative to the object (at the readout centre). */
const GHOST_PRESETS: Record<ShotSeverity, [number, number]> = {
  mild: [0.05, 0.1],
  moderate: [0.15, 0.3],
  severe: [0.35, 0.5],
};

/**
 * Corrupts one 2-D slice (`volume.shape[2] === 1`) with a k-space artefact model that is
 * independent of `@duncan-mri/simulate`, to test the corrector away from its training
 * simulator. The output is the magnitude image `|ifft(k)|` (float32, same shape and affine);
 * the input is never modified; the k-space centre is never corrupted, so the complex image
 * keeps the input's sum (the intensity scale; the magnitude mean can only rise, see below).
 *
 * - `'motion'`: a segmented (multi-shot) acquisition with rigid in-plane motion. The phase-encode
 *   axis (x or y), the number of shots (16-32, as an FSE echo train of 8-16 on 256 lines) and
 *   their ordering (interleaved: shot = line mod shots; sequential: contiguous blocks of lines)
 *   are drawn per call. The shot that holds the
 *   k-space centre is the reference pose; a few other shots each get their own pose (a step
 *   change): a rotation about the image centre (three band-limited shears, Unser et al.,
 *   "Convolution-based interpolation for fast, high-quality rotation of images", IEEE TIP 1995),
 *   then a translation in mm applied exactly as the linear phase ramp `exp(-2 pi i k.t)`. Each
 *   shot's k-space lines are taken from the k-space of the image in that shot's pose.
 *   Presets (amplitudes drawn per call; each moved shot gets 20-100 % of them, a random rotation
 *   sign and a random translation direction):
 *   mild 0.3-1 deg / 0.3-1 mm, 2-4 shots moved; moderate 1-3 deg / 1-3 mm, 3-6 shots;
 *   severe 3-8 deg / 3-8 mm, 5-10 shots.
 * - `'ghosting'`: the N/2 (Nyquist) ghost of EPI and interleaved readouts. Odd phase-encode lines
 *   get a phase error (a constant plus a linear term along the readout, i.e. an echo shift
 *   between odd and even echoes) and a small amplitude error `a`. With `g = a exp(i phi)` on the
 *   odd lines the image is `(1 + g)/2 f(y) + (1 - g)/2 f(y - N/2)`: a ghost shifted by half the
 *   field of view along the phase-encode axis, of relative intensity `|1 - g| / |1 + g|`.
 *   Presets (at the readout centre): mild 0.05-0.1, moderate 0.15-0.3, severe 0.35-0.5.
 *
 * Measured whole-image SSIM (`ssim` of `@duncan-mri/metrics`, `dataRange` = the clean slice's
 * maximum) on slice 1 of the bundled sample (GE FSE PD, 256 x 256), mean (min - max) over 20
 * seeds, beside `@duncan-mri/simulate`'s preset of the same name on the same slice and seeds
 * (measured once, by a scratch script; nothing here imports the simulator):
 *
 * | | mild | moderate | severe |
 * | --- | --- | --- | --- |
 * | shot motion | 0.961 (0.871 - 0.996) | 0.865 (0.713 - 0.964) | 0.723 (0.512 - 0.935) |
 * | simulate motion | 0.962 (0.938 - 0.978) | 0.880 (0.793 - 0.919) | 0.709 (0.507 - 0.834) |
 * | N/2 ghosting | 0.888 (0.795 - 0.978) | 0.810 (0.724 - 0.891) | 0.757 (0.678 - 0.831) |
 * | simulate ghosting | 0.969 (0.954 - 0.989) | 0.893 (0.863 - 0.931) | 0.803 (0.759 - 0.857) |
 *
 * Shot motion spreads wider than the simulator's: an interleaved acquisition with the phase
 * encode along x (ghosts on the background beside the head) is the worst case, a sequential one
 * that moves only peripheral k-space the mildest. A 256 x 256 slice takes about 0.1-0.3 s
 * (motion) or 20 ms (ghosting). The magnitude mean can only rise (the complex sum is kept):
 * by under 1.5 % for mild motion, up to about 10 % for severe motion and 25 % for severe ghosting.
 *
 * @example
 * ```ts
 * const { volume, description } = corruptWithShots(slice, 'motion', 'moderate', createRng(7));
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a volume that is not 2-D, non-finite voxels, an
 * unknown artefact or severity, or a missing `rng`.
 */
export function corruptWithShots(
  slice: Volume,
  artefact: ShotArtefact,
  severity: ShotSeverity,
  rng: Rng,
): ShotCorruptionResult {
  assertVolume(slice, WHERE, 'slice');
  if (slice.shape[2] !== 1 || slice.shape[0] < 2 || slice.shape[1] < 2) {
    invalidArgument(WHERE, 'slice.shape', 'must be 2-D ([nx, ny, 1], nx and ny >= 2)', [
      ...slice.shape,
    ]);
  }
  if (!slice.data.every(Number.isFinite)) {
    invalidArgument(WHERE, 'slice.data', 'must be finite', slice.data);
  }
  if (!ARTEFACTS.includes(artefact)) {
    invalidArgument(WHERE, 'artefact', "must be 'motion' or 'ghosting'", artefact);
  }
  if (!SEVERITIES.includes(severity)) {
    invalidArgument(WHERE, 'severity', "must be 'mild', 'moderate' or 'severe'", severity);
  }
  const r = rng as Partial<Rng> | null | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.float !== 'function' ||
    typeof r.int !== 'function'
  ) {
    invalidArgument(WHERE, 'rng', 'must be an Rng (createRng of @duncan-mri/volume)', rng);
  }
  if (artefact === 'motion') {
    const plan = drawShotMotion(slice, severity, rng);
    return { volume: withData(slice, applyShotMotion(slice, plan)), description: plan.description };
  }
  return nyquistGhost(slice, severity, rng);
}

/** One shot's rigid pose relative to the reference: rotation about the image centre, then translation. */
export interface ShotPose {
  readonly rotationDeg: number;
  /** In-plane translation along the slice's voxel x and y axes, in millimetres. */
  readonly translationMm: readonly [number, number];
}

/** A fully drawn motion corruption (exported for tests: a zero plan must be the identity). */
export interface ShotMotionPlan {
  /** 0: phase-encode lines are columns of constant kx; 1: rows of constant ky. */
  readonly phaseEncodeAxis: 0 | 1;
  /** The shot of each phase-encode line, by DFT index (0 = the k-space centre). */
  readonly shotOfLine: readonly number[];
  /** The pose of each shot. */
  readonly poses: readonly ShotPose[];
  readonly description: string;
}

const uniform = (rng: Rng, [lo, hi]: readonly [number, number]) => lo + (hi - lo) * rng.float();

function drawShotMotion(slice: Volume, severity: ShotSeverity, rng: Rng): ShotMotionPlan {
  const preset = MOTION_PRESETS[severity];
  const axis = rng.int(2) as 0 | 1;
  const n = slice.shape[axis];
  const shots = Math.min(n, 16 + rng.int(17));
  const interleaved = rng.int(2) === 0;
  // Acquisition position p counts lines from the most negative frequency; DFT index k = 0 (the
  // centre) sits at p = floor(n / 2).
  const shotOfLine = Array.from({ length: n }, (_, k) => {
    const p = (k + Math.floor(n / 2)) % n;
    return interleaved ? p % shots : Math.floor((p * shots) / n);
  });
  const reference = shotOfLine[0]!;
  // Choose the moved shots among the others (partial Fisher-Yates).
  const others = Array.from({ length: shots }, (_, s) => s).filter((s) => s !== reference);
  const moved = Math.min(others.length, Math.round(uniform(rng, preset.moved)));
  for (let i = 0; i < moved; i++) {
    const j = i + rng.int(others.length - i);
    [others[i], others[j]] = [others[j]!, others[i]!];
  }
  const rotationDeg = uniform(rng, preset.rotationDeg);
  const translationMm = uniform(rng, preset.translationMm);
  const poses: ShotPose[] = Array.from({ length: shots }, () => ({
    rotationDeg: 0,
    translationMm: [0, 0],
  }));
  let maxDeg = 0;
  let maxMm = 0;
  for (const s of others.slice(0, moved)) {
    const deg = (rng.int(2) ? 1 : -1) * rotationDeg * uniform(rng, [0.2, 1]);
    const mm = translationMm * uniform(rng, [0.2, 1]);
    const direction = 2 * Math.PI * rng.float();
    poses[s] = {
      rotationDeg: deg,
      translationMm: [mm * Math.cos(direction), mm * Math.sin(direction)],
    };
    maxDeg = Math.max(maxDeg, Math.abs(deg));
    maxMm = Math.max(maxMm, mm);
  }
  const description =
    `shot motion: ${shots} shots, ${interleaved ? 'interleaved' : 'sequential'}, ` +
    `phase-encode ${axis === 0 ? 'x' : 'y'}, ${moved} moved, ` +
    `max ${maxDeg.toFixed(1)} deg / ${maxMm.toFixed(1)} mm`;
  return { phaseEncodeAxis: axis, shotOfLine, poses, description };
}

/** The magnitude image of `slice` acquired shot by shot under `plan`. */
export function applyShotMotion(slice: Volume, plan: ShotMotionPlan): Float32Array {
  const [nx, ny] = slice.shape;
  const [sx, sy] = spacing(slice.affine);
  const image = Float64Array.from(slice.data);
  const outRe = Float64Array.from(image);
  const outIm = new Float64Array(image.length);
  transform2d(outRe, outIm, nx, ny, false); // the reference k-space
  const peAxis = plan.phaseEncodeAxis;
  const peN = peAxis === 0 ? nx : ny;
  const roN = peAxis === 0 ? ny : nx;
  const signed = (k: number, n: number) => (k <= n / 2 ? k : k - n);
  plan.poses.forEach((pose, shot) => {
    const [tx, ty] = pose.translationMm;
    if (pose.rotationDeg === 0 && tx === 0 && ty === 0) return;
    // k-space of the image in this shot's orientation (translation comes later, exactly).
    const re = Float64Array.from(image);
    const im = new Float64Array(image.length);
    if (pose.rotationDeg !== 0) rotate(re, im, nx, ny, sx / sy, pose.rotationDeg);
    transform2d(re, im, nx, ny, false);
    for (let line = 0; line < peN; line++) {
      if (plan.shotOfLine[line] !== shot) continue;
      for (let j = 0; j < roN; j++) {
        const kx = peAxis === 0 ? line : j;
        const ky = peAxis === 0 ? j : line;
        const i = kx + nx * ky;
        // f(r - t) <-> F(k) exp(-2 pi i k.t), k in cycles per mm.
        const phase =
          -2 * Math.PI * ((signed(kx, nx) * tx) / (nx * sx) + (signed(ky, ny) * ty) / (ny * sy));
        const c = Math.cos(phase);
        const s = Math.sin(phase);
        outRe[i] = re[i]! * c - im[i]! * s;
        outIm[i] = re[i]! * s + im[i]! * c;
      }
    }
  });
  transform2d(outRe, outIm, nx, ny, true);
  return Float32Array.from(outRe, (v, i) => Math.hypot(v, outIm[i]!));
}

/**
 * Rotates a complex image in place about its centre by `deg` (a point at +x moves towards +y)
 * in physical space, as three shears `X(a) Y(b) X(a)`, `a = -tan(theta/2)`, `b = sin(theta)`.
 * With voxel aspect `aspect = sx / sy` the physical shears become voxel shears of factors
 * `a / aspect` (along x) and `b * aspect` (along y).
 */
function rotate(
  re: Float64Array,
  im: Float64Array,
  nx: number,
  ny: number,
  aspect: number,
  deg: number,
) {
  const theta = (deg * Math.PI) / 180;
  const a = -Math.tan(theta / 2);
  shear(re, im, nx, ny, 0, a / aspect);
  shear(re, im, nx, ny, 1, Math.sin(theta) * aspect);
  shear(re, im, nx, ny, 0, a / aspect);
}

/**
 * Shifts each line along `axis` by `factor * (c - centre)` voxels, `c` its coordinate on the
 * other axis, by the Fourier shift theorem (band-limited, sinc interpolation). Lines are
 * zero-padded so that what leaves the field of view falls into the padding, not back in.
 */
function shear(
  re: Float64Array,
  im: Float64Array,
  nx: number,
  ny: number,
  axis: 0 | 1,
  factor: number,
) {
  const n = axis === 0 ? nx : ny;
  const lines = axis === 0 ? ny : nx;
  const stride = axis === 0 ? 1 : nx;
  const lineStep = axis === 0 ? nx : 1;
  const centre = (lines - 1) / 2;
  const m = nextPow2(n + Math.ceil(Math.abs(factor) * centre) + 2);
  const fft = createShotFft(m);
  const lr = new Float64Array(m);
  const li = new Float64Array(m);
  for (let line = 0; line < lines; line++) {
    const d = factor * (line - centre);
    const base = line * lineStep;
    lr.fill(0);
    li.fill(0);
    for (let j = 0; j < n; j++) {
      lr[j] = re[base + j * stride]!;
      li[j] = im[base + j * stride]!;
    }
    fft.transform(lr, li, false);
    for (let k = 0; k < m; k++) {
      // The Nyquist bin takes the real cos(pi d): a real line stays real.
      if (2 * k === m) {
        const c = Math.cos(Math.PI * d);
        lr[k]! *= c;
        li[k]! *= c;
        continue;
      }
      const phase = (-2 * Math.PI * (k < m / 2 ? k : k - m) * d) / m;
      const c = Math.cos(phase);
      const s = Math.sin(phase);
      const r = lr[k]! * c - li[k]! * s;
      li[k] = lr[k]! * s + li[k]! * c;
      lr[k] = r;
    }
    fft.transform(lr, li, true);
    for (let j = 0; j < n; j++) {
      re[base + j * stride] = lr[j]!;
      im[base + j * stride] = li[j]!;
    }
  }
}

/**
 * N/2 ghosting in hybrid space (image along the readout, k-space along the phase encode): the
 * odd lines' echo shift is a linear phase along the readout in image space, so the error is
 * applied after transforming the phase-encode axis only.
 */
function nyquistGhost(slice: Volume, severity: ShotSeverity, rng: Rng): ShotCorruptionResult {
  const [nx, ny] = slice.shape;
  const peAxis = rng.int(2) as 0 | 1;
  const ratio = uniform(rng, GHOST_PRESETS[severity]);
  const amplitude = uniform(rng, [0.92, 1.08]);
  // Solve |1 - a e^{i phi}| / |1 + a e^{i phi}| = ratio for phi; |1 - a| / (1 + a) < 0.05
  // keeps the cosine inside [-1, 1] for every preset.
  const cosPhi = ((1 + amplitude ** 2) * (1 - ratio ** 2)) / (2 * amplitude * (1 + ratio ** 2));
  const phi0 = (rng.int(2) ? 1 : -1) * Math.acos(Math.min(1, cosPhi));
  const slope = phi0 * uniform(rng, [-0.3, 0.3]); // phase change across the whole readout
  const re = Float64Array.from(slice.data);
  const im = new Float64Array(re.length);
  transformAxis(re, im, nx, ny, peAxis, false);
  const roN = peAxis === 0 ? ny : nx;
  for (let i = 0; i < re.length; i++) {
    const x = i % nx;
    const y = (i - x) / nx;
    const line = peAxis === 0 ? x : y;
    if (line % 2 === 0) continue; // the even lines (the centre included) are the reference
    const ro = peAxis === 0 ? y : x;
    const phase = phi0 + (slope * (ro - (roN - 1) / 2)) / roN;
    const c = amplitude * Math.cos(phase);
    const s = amplitude * Math.sin(phase);
    const r = re[i]! * c - im[i]! * s;
    im[i] = re[i]! * s + im[i]! * c;
    re[i] = r;
  }
  transformAxis(re, im, nx, ny, peAxis, true);
  const description =
    `N/2 ghosting: phase-encode ${peAxis === 0 ? 'x' : 'y'}, ghost ${ratio.toFixed(2)} of the object, ` +
    `odd-line phase ${((phi0 * 180) / Math.PI).toFixed(1)} deg ` +
    `${slope < 0 ? '-' : '+'} ${((Math.abs(slope) * 180) / Math.PI).toFixed(1)} deg across the readout, ` +
    `amplitude ${amplitude.toFixed(2)}`;
  return {
    volume: withData(
      slice,
      Float32Array.from(re, (v, i) => Math.hypot(v, im[i]!)),
    ),
    description,
  };
}

/**
 * Corrupts `volume` with {@link corruptWithShots} slice by slice along `axis` (one generator for
 * all slices, in order; each slice is `sliceVolume`'s, with its own in-plane geometry); a 2-D
 * image (`nz = 1`) is one slice whatever the axis.
 */
export function corruptVolumeWithShots(
  volume: Volume,
  artefact: ShotArtefact,
  severity: ShotSeverity,
  rng: Rng,
  axis: Axis,
): Volume {
  if (volume.shape[2] === 1) return corruptWithShots(volume, artefact, severity, rng).volume;
  const out = new Float32Array(volume.data.length);
  for (let k = 0; k < volume.shape[axis]; k++) {
    const corrupted = corruptWithShots(sliceVolume(volume, axis, k), artefact, severity, rng);
    insertPlane(out, volume.shape, axis, k, corrupted.volume.data);
  }
  return withData(volume, out);
}
