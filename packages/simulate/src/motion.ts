import {
  type Axis,
  invalidArgument,
  type Rng,
  type Volume,
  validateNumber,
  validateObject,
  withData,
} from '@duncan-mri/volume';
import { isMagnitudeImage, kspaceToImage } from './internal/kspace.js';
import {
  buildSchedule,
  type Jerk,
  motionKspace,
  type PoseGroup,
  type ResolvedMotion,
} from './internal/motion-core.js';
import { drawInteger, drawSeed, drawUniform, readRanges } from './internal/sampling.js';
import { fieldReader, validateSeed, validateVolume } from './internal/validate.js';

/**
 * A sudden movement: the pose after `timeFraction` differs from the pose before by these
 * amounts (lines on the other side of the jerk from the reference time are moved).
 */
export interface MotionJerk {
  /** When the jerk happens, as a fraction of the acquisition in [0, 1]. */
  readonly timeFraction: number;
  /** Rotation about x, y and z, in degrees (2-D images use only z). */
  readonly rotationDeg: readonly [number, number, number];
  /** Translation along x, y and z, in millimetres (2-D images use only x and y). */
  readonly translationMm: readonly [number, number, number];
}

/**
 * Explicit parameters of {@link motion}. Everything that {@link sampleMotion} draws is here, so
 * the same parameters always give the same output.
 */
export interface MotionParams {
  /**
   * Peak absolute rotation of the drift away from the reference pose, in degrees, reached by
   * each rotation angle at some time of the acquisition (the Perlin drift of every angle is
   * scaled so that its largest absolute value over the acquisition equals this). In [0, 45].
   */
  readonly maxRotationDeg: number;
  /**
   * Peak absolute translation of the drift away from the reference pose along each axis, in
   * millimetres, in [0, 100].
   */
  readonly maxTranslationMm: number;
  /** Seed of the Perlin permutation of the drift, an integer in [0, 2^32). */
  readonly driftSeed: number;
  /** Octaves of the fractal drift (persistence 0.5, lacunarity 2), integer in [1, 8]. Default 2. */
  readonly octaves?: number;
  /** Perlin lattice cells per acquisition: the slowest drift frequency, in (0, 64]. Default 2. */
  readonly driftCycles?: number;
  /** Sudden movements on top of the drift. Default none. */
  readonly jerks?: readonly MotionJerk[];
  /**
   * The phase-encode axis (0 = x, 1 = y, 2 = z; in-plane for 2-D). Lines (planes in 3-D)
   * perpendicular to it are acquired one after another. Default 1.
   */
  readonly phaseEncodeAxis?: Axis;
  /**
   * When the centre of k-space is acquired, as a fraction of the acquisition in [0, 1]. Lines
   * are acquired from the most negative to the most positive frequency; their times grow
   * linearly from 0 to `centreTimeFraction` (k = 0) and on to 1. Default 0.5.
   */
  readonly centreTimeFraction?: number;
  /**
   * The time, as a fraction of the acquisition in [0, 1], at which the head is in the pose of the
   * input image: the trajectory (drift and jerks) is measured relative to it. Default
   * `centreTimeFraction`, so that the lines that make most of the image (the centre of k-space)
   * see the input pose and the output stays aligned with the input, as in TorchIO (which fills
   * the centre of k-space from the unmoved image). 0 makes the head start in the input pose: then
   * every line acquired before the first movement is exactly a line of the input's k-space.
   * With a time resolution coarser than one pose per line (see `segments`), the drift is measured
   * from the mean time of the time bin holding the line acquired nearest to this time, so that
   * the whole bin (by default the centre of k-space) is exactly at the input pose.
   */
  readonly referenceTimeFraction?: number;
  /**
   * Time resolution: the acquisition is cut into this many equal time bins and the lines of one
   * bin share one pose (the drift at their mean time). Equal consecutive poses are merged, and
   * bins are split at jerks, so a jerk-only trajectory costs one image transform per jerk. A
   * bin narrower than the time between two lines (e.g. 4096) gives every line its own pose.
   * Integer in [1, 4096]. Default 32
   * for a 2-D image, 8 for a volume (each pose costs one resampling and transform of the whole
   * volume; with the default two drift cycles per scan, 8 bins still follow the drift's turns).
   */
  readonly segments?: number;
  /**
   * Shots of an interleaved multi-shot (segmented) acquisition, as in turbo spin echo with an
   * echo train of `n / shots` lines or in multi-shot EPI: the shots are acquired one after
   * another, and shot `s` acquires every `shots`-th phase-encode line (`s, s + shots, ...`
   * counted from the most negative frequency), sweeping them from negative to positive
   * frequency with its middle line at `centreTimeFraction` of the shot. Motion between shots
   * then makes coherent ghosts `n / shots` pixels apart rather than a smear. Without an explicit
   * `referenceTimeFraction`, the reference is the time the k = 0 line is acquired. A pose bin
   * (see `segments`) never spans two shots. Integer in [1, 256]. Default 1 (one sweep of
   * k-space).
   */
  readonly shots?: number;
}

/**
 * Ranges that {@link sampleMotion} draws {@link MotionParams} from. A range is `[low, high]`
 * (uniform) or a single number (fixed).
 */
export interface MotionRanges {
  /** Default `[0, 5]` degrees. */
  readonly maxRotationDeg?: number | readonly [number, number];
  /** Default `[0, 5]` millimetres. */
  readonly maxTranslationMm?: number | readonly [number, number];
  /** Number of jerks (integers, inclusive). Default `[0, 1]`. */
  readonly jerks?: number | readonly [number, number];
  /** Absolute rotation of each angle of a jerk, degrees (random sign). Default `[0, 3]`. */
  readonly jerkRotationDeg?: number | readonly [number, number];
  /** Absolute translation along each axis of a jerk, mm (random sign). Default `[0, 3]`. */
  readonly jerkTranslationMm?: number | readonly [number, number];
  /** Jerk times are uniform in this range of the acquisition. Default `[0.05, 0.95]`. */
  readonly jerkTimeFraction?: number | readonly [number, number];
  /** Octaves (integers, inclusive). Default 2. */
  readonly octaves?: number | readonly [number, number];
  /** Default `[1, 3]`. */
  readonly driftCycles?: number | readonly [number, number];
  /** Default 1 (fixed). */
  readonly phaseEncodeAxis?: Axis;
  /** Default 0.5. */
  readonly centreTimeFraction?: number | readonly [number, number];
  /** Fixed; default: the default of {@link MotionParams.segments}. */
  readonly segments?: number;
  /** Fixed; default: the default of {@link MotionParams.referenceTimeFraction}. */
  readonly referenceTimeFraction?: number;
  /** Shots (integers, inclusive). Default 1 (a one-shot acquisition; nothing is drawn). */
  readonly shots?: number | readonly [number, number];
}

const WHERE = 'motion';

/** The bounds of each parameter of {@link motion}. */
const RULES = {
  maxRotationDeg: { min: 0, max: 45 },
  maxTranslationMm: { min: 0, max: 100 },
  octaves: { min: 1, max: 8, integer: true },
  driftCycles: { min: 0, max: 64, minExclusive: true },
  centreTimeFraction: { min: 0, max: 1 },
  referenceTimeFraction: { min: 0, max: 1 },
  segments: { min: 1, max: 4096, integer: true },
  shots: { min: 1, max: 256, integer: true },
};

/** The bounds of each range of {@link sampleMotion}: a jerk moves as far as the drift may. */
const RANGE_RULES = {
  ...RULES,
  jerks: { min: 0, max: 64, integer: true },
  jerkRotationDeg: RULES.maxRotationDeg,
  jerkTranslationMm: RULES.maxTranslationMm,
  jerkTimeFraction: { min: 0, max: 1 },
};

const AXES: readonly Axis[] = [0, 1, 2];

/** Validates and completes motion parameters (shared with `simulate`). */
export function resolveMotionParams(where: string, params: unknown): ResolvedMotion {
  const p = fieldReader(where, 'params', params, RULES);
  const jerksIn = p.fields.jerks ?? [];
  if (!Array.isArray(jerksIn))
    invalidArgument(where, 'jerks', 'must be an array of jerks', jerksIn);
  const jerks: Jerk[] = (jerksIn as unknown[]).map((j, i) => {
    const o = validateObject(where, `jerks[${i}]`, j);
    const vec = (name: string, max: number): [number, number, number] => {
      const v = o[name];
      if (!Array.isArray(v) || v.length !== 3) {
        invalidArgument(where, `jerks[${i}].${name}`, 'must be an array of 3 finite numbers', v);
      }
      return (v as unknown[]).map((x) =>
        validateNumber(where, `jerks[${i}].${name}`, x, { min: -max, max }),
      ) as [number, number, number];
    };
    return {
      timeFraction: validateNumber(
        where,
        `jerks[${i}].timeFraction`,
        o.timeFraction,
        RANGE_RULES.jerkTimeFraction,
      ),
      rotationDeg: vec('rotationDeg', RULES.maxRotationDeg.max),
      translationMm: vec('translationMm', RULES.maxTranslationMm.max),
    };
  });
  const centreTimeFraction = p.number('centreTimeFraction', 0.5);
  return {
    maxRotationDeg: p.number('maxRotationDeg'),
    maxTranslationMm: p.number('maxTranslationMm'),
    driftSeed: validateSeed(where, 'driftSeed', p.fields.driftSeed),
    octaves: p.number('octaves', 2),
    driftCycles: p.number('driftCycles', 2),
    jerks,
    phaseEncodeAxis: p.choice('phaseEncodeAxis', AXES, 1),
    centreTimeFraction,
    referenceTimeFraction:
      p.fields.referenceTimeFraction === undefined ? undefined : p.number('referenceTimeFraction'),
    segments: p.fields.segments === undefined ? undefined : p.number('segments'),
    shots: p.number('shots', 1),
  };
}

function isStill(p: ResolvedMotion): boolean {
  return (
    p.maxRotationDeg === 0 &&
    p.maxTranslationMm === 0 &&
    p.jerks.every(
      (j) => j.rotationDeg.every((v) => v === 0) && j.translationMm.every((v) => v === 0),
    )
  );
}

/** Phase encoding runs in plane in a 2-D image (shared with `simulate`). */
export function checkPhaseEncodeAxis(
  where: string,
  shape: readonly [number, number, number],
  axis: Axis,
): void {
  if (shape[2] === 1 && axis === 2) {
    invalidArgument(where, 'phaseEncodeAxis', 'must be 0 or 1 (in-plane) for a 2-D image', axis);
  }
}

/** One pose of the schedule that {@link motionSchedule} returns. */
export interface MotionPose {
  /** FFT indices (0 = DC) of the phase-encode lines acquired at this pose, in acquisition order. */
  readonly lines: readonly number[];
  /** The mean acquisition time of these lines (fraction of the acquisition). */
  readonly timeFraction: number;
  /** Rotation about x, y, z in degrees (2-D: x and y are 0). */
  readonly rotationDeg: readonly [number, number, number];
  /** Translation along x, y, z in millimetres (2-D: z is 0). */
  readonly translationMm: readonly [number, number, number];
}

/**
 * The pose schedule that {@link motion} applies to a volume of this shape: which phase-encode
 * lines are acquired at which pose. For plots, checks and re-implementations (the benchmark's
 * numpy version uses it).
 *
 * @example
 * ```ts
 * const poses = motionSchedule(slice.shape, params);
 * for (const p of poses) console.log(p.timeFraction, p.rotationDeg[2], p.translationMm);
 * ```
 */
export function motionSchedule(
  shape: readonly [number, number, number],
  params: MotionParams,
): MotionPose[] {
  const resolved = resolveMotionParams('motionSchedule', params);
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((d) => Number.isInteger(d) && d >= 1)
  ) {
    invalidArgument('motionSchedule', 'shape', 'must be [nx, ny, nz] of positive integers', shape);
  }
  checkPhaseEncodeAxis('motionSchedule', shape, resolved.phaseEncodeAxis);
  return buildSchedule(shape, resolved) satisfies PoseGroup[];
}

/**
 * Rigid head motion during the acquisition, simulated in k-space (the DUNCAN paper's Perlin
 * motion model; the k-space line-by-line construction follows TorchIO's `RandomMotion`).
 *
 * The head pose (rotation about the image centre, translation) is a smooth function of
 * acquisition time: a 1-D Perlin fractal drift per degree of freedom (Perlin 1985, 2002) plus
 * optional sudden jerks, measured relative to the pose at `referenceTimeFraction` (by default
 * the time the centre of k-space is acquired, so the output stays aligned with the input; a
 * pose that never changes is the identity). Each phase-encode line
 * of k-space is taken from the image moved to the pose of its acquisition time; the result is
 * the magnitude of the inverse transform (the real part for signed inputs). 2-D images move in
 * plane (rotation about z, translation in x and y); 3-D volumes move rigidly (three angles,
 * three translations) and whole k-space planes perpendicular to the phase-encode axis share a
 * time.
 *
 * Implementation: translation is exact, a phase ramp in k-space; rotation resamples the image
 * (bilinear in 2-D, trilinear in 3-D, zero outside the field of view) in millimetre space, once
 * per pose group (see {@link MotionParams.segments}). Lines acquired at the reference pose (e.g.
 * before the first movement with `referenceTimeFraction: 0`) are exactly lines of the input's
 * k-space. Zero strength (no drift, no jerk) returns a copy of the input.
 *
 * @param volume A 2-D or 3-D image; spacing comes from its affine.
 * @example
 * ```ts
 * const moved = motion(slice, { maxRotationDeg: 3, maxTranslationMm: 2, driftSeed: 7 });
 * const jolted = motion(slice, {
 *   maxRotationDeg: 0, maxTranslationMm: 0, driftSeed: 0,
 *   jerks: [{ timeFraction: 0.7, rotationDeg: [0, 0, 5], translationMm: [2, 0, 0] }],
 * });
 * ```
 */
export function motion(volume: Volume, params: MotionParams): Volume {
  const v = validateVolume(WHERE, volume);
  const p = resolveMotionParams(WHERE, params);
  checkPhaseEncodeAxis(WHERE, v.shape, p.phaseEncodeAxis);
  return applyMotion(v, p);
}

/** Motion without validation (shared with `simulate` and `replay`). */
export function applyMotion(volume: Volume, p: ResolvedMotion): Volume {
  if (isStill(p)) return withData(volume, Float32Array.from(volume.data));
  const groups = buildSchedule(volume.shape, p);
  const { re, im } = motionKspace(volume, groups, p.phaseEncodeAxis);
  return withData(volume, kspaceToImage(re, im, volume.shape, isMagnitudeImage(volume.data)));
}

/**
 * Draws {@link MotionParams} from {@link MotionRanges} with a seeded generator (TorchIO's
 * `RandomMotion` is the peer: `degrees`, `translation`, `num_transforms`).
 *
 * @example
 * ```ts
 * const params = sampleMotion(createRng(1), { maxRotationDeg: [2, 4], jerks: [0, 2] });
 * const corrupted = motion(slice, params);
 * ```
 */
export function sampleMotion(rng: Rng, ranges: MotionRanges = {}): MotionParams {
  const r = readRanges('sampleMotion', rng, ranges, RANGE_RULES);
  const rot = r.range('maxRotationDeg', [0, 5]);
  const trans = r.range('maxTranslationMm', [0, 5]);
  const jerkCount = r.range('jerks', [0, 1]);
  const jerkRot = r.range('jerkRotationDeg', [0, 3]);
  const jerkTrans = r.range('jerkTranslationMm', [0, 3]);
  const jerkTime = r.range('jerkTimeFraction', [0.05, 0.95]);
  const octaves = r.range('octaves', [2, 2]);
  const cycles = r.range('driftCycles', [1, 3]);
  const axis = r.choice('phaseEncodeAxis', AXES, 1);
  const centre = r.range('centreTimeFraction', [0.5, 0.5]);
  const segments = r.fields.segments === undefined ? undefined : r.number('segments');
  const shotRange = r.range('shots', [1, 1]);
  const reference =
    r.fields.referenceTimeFraction === undefined ? undefined : r.number('referenceTimeFraction');
  const count = drawInteger(rng, jerkCount);
  const jerks: MotionJerk[] = [];
  const signed = (range: readonly [number, number]): number =>
    (rng.float() < 0.5 ? -1 : 1) * drawUniform(rng, range);
  for (let i = 0; i < count; i++) {
    jerks.push({
      timeFraction: drawUniform(rng, jerkTime),
      rotationDeg: [signed(jerkRot), signed(jerkRot), signed(jerkRot)],
      translationMm: [signed(jerkTrans), signed(jerkTrans), signed(jerkTrans)],
    });
  }
  jerks.sort((a, b) => a.timeFraction - b.timeFraction);
  const params: MotionParams = {
    maxRotationDeg: drawUniform(rng, rot),
    maxTranslationMm: drawUniform(rng, trans),
    driftSeed: drawSeed(rng),
    octaves: drawInteger(rng, octaves),
    driftCycles: drawUniform(rng, cycles),
    jerks,
    phaseEncodeAxis: axis,
    centreTimeFraction: drawUniform(rng, centre),
  };
  // Drawn last, and only when a range is given, so ranges without shots draw as they always did.
  const shots = drawInteger(rng, shotRange);
  const withSegments = segments === undefined ? params : { ...params, segments };
  const withShots = shots === 1 ? withSegments : { ...withSegments, shots };
  return reference === undefined ? withShots : { ...withShots, referenceTimeFraction: reference };
}
