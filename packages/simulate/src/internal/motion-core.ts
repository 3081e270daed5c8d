import { type Axis, createRng, spacing, type Volume } from '@duncan-mri/volume';
import { directDftLimit, fftAlongAxis } from './fft.js';
import { signedFrequency } from './kspace.js';
import { fractal, permutationFromUniform } from './perlin-core.js';
import { rotateInto, rotationMatrix } from './rigid.js';

type Shape = readonly [number, number, number];
type Vec3 = readonly [number, number, number];

/** A sudden step of the head pose (validated). */
export interface Jerk {
  readonly timeFraction: number;
  readonly rotationDeg: Vec3;
  readonly translationMm: Vec3;
}

/** Motion parameters with every default filled in (validated). */
export interface ResolvedMotion {
  readonly maxRotationDeg: number;
  readonly maxTranslationMm: number;
  readonly octaves: number;
  readonly driftCycles: number;
  readonly driftSeed: number;
  readonly jerks: readonly Jerk[];
  readonly phaseEncodeAxis: Axis;
  readonly centreTimeFraction: number;
  /**
   * The time whose pose is the reference (the pose of the input image); undefined: the
   * acquisition time of the k = 0 line (`centreTimeFraction` for a one-shot acquisition).
   */
  readonly referenceTimeFraction: number | undefined;
  /** Shots of an interleaved multi-shot acquisition (1: one sweep of k-space). */
  readonly shots: number;
  /** Undefined: 32 time bins for a 2-D image, 8 for a volume. */
  readonly segments: number | undefined;
}

/** A run of consecutive k-space lines (planes in 3-D) acquired at one pose. */
export interface PoseGroup {
  /** FFT indices along the phase-encode axis, in acquisition order. */
  readonly lines: number[];
  /** Mean acquisition time of the lines, as a fraction of the acquisition. */
  readonly timeFraction: number;
  /** Rotation about x, y, z in degrees (2-D images: only z). */
  readonly rotationDeg: [number, number, number];
  /** Translation along x, y, z in millimetres (2-D images: only x and y). */
  readonly translationMm: [number, number, number];
}

const DRIFT_GRID = 1024;
/** Lattice offset between the six degrees of freedom of the drift (distinct noise cells). */
const DOF_OFFSET = 37;

/**
 * Acquisition time (fraction of the scan) of each line in acquisition order: lines are acquired
 * from the most negative frequency to the most positive, line `j` of `n` at a time that grows
 * linearly from 0 (first line) to `centre` (the k = 0 line, `j = floor(n / 2)`) and on to 1
 * (last line).
 */
export function lineTimes(n: number, centre: number): Float64Array {
  const c = Math.floor(n / 2);
  const times = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    if (j === c) times[j] = centre;
    else if (j < c) times[j] = Math.min(centre, (centre * j) / c);
    else times[j] = Math.max(centre, 1 - ((1 - centre) * (n - 1 - j)) / (n - 1 - c));
  }
  return times;
}

/**
 * Acquisition time of each line (index `j` of `n`, from the most negative frequency) in an
 * interleaved acquisition of `shots` shots, one after another: shot `s` acquires the lines
 * `j = s, s + shots, s + 2 * shots, ...` in that order, sweeping them as {@link lineTimes} sweeps
 * a one-shot acquisition (its middle line at `centre` of the shot), within the time slot
 * `[s / shots, (s + 1) / shots]`. One shot gives {@link lineTimes}.
 */
export function shotLineTimes(n: number, centre: number, shots: number): Float64Array {
  if (shots <= 1) return lineTimes(n, centre);
  const times = new Float64Array(n);
  for (let s = 0; s < Math.min(shots, n); s++) {
    const m = Math.ceil((n - s) / shots);
    const within = lineTimes(m, centre);
    for (let i = 0; i < m; i++) times[s + i * shots] = (s + within[i]!) / shots;
  }
  return times;
}

/**
 * The drift of the six degrees of freedom `[rx, ry, rz, tx, ty, tz]` as a function of time,
 * relative to the reference time (zero there), each scaled so that its peak absolute value over
 * the acquisition is `maxRotationDeg` or `maxTranslationMm`.
 *
 * Each degree of freedom reads the 1-D noise from its own lattice cells (`DOF_OFFSET`) starting
 * at a random sub-cell phase in [0, 1) drawn from the drift seed (after the permutation). Perlin
 * noise is 0 at every lattice point, so without that phase all six would be pinned to their
 * t = 0 value at t = k / `driftCycles` together (the head back in its start pose at the same
 * instants in every scan), which is not a property of real head motion.
 */
export function makeDrift(params: ResolvedMotion): (t: number) => number[] {
  const rng = createRng(params.driftSeed);
  const perm = permutationFromUniform((n) => rng.int(n));
  const phase = Array.from({ length: 6 }, () => rng.float());
  const { octaves, driftCycles } = params;
  const ref = params.referenceTimeFraction ?? params.centreTimeFraction;
  const raw = (dof: number, t: number): number =>
    fractal(perm, 1, t * driftCycles + dof * DOF_OFFSET + phase[dof]!, 0, 0, octaves, 0.5, 2);
  const offsets: number[] = [];
  const scale: number[] = [];
  for (let dof = 0; dof < 6; dof++) {
    const offset = raw(dof, ref);
    let peak = 0;
    for (let i = 0; i <= DRIFT_GRID; i++) {
      peak = Math.max(peak, Math.abs(raw(dof, i / DRIFT_GRID) - offset));
    }
    const max = dof < 3 ? params.maxRotationDeg : params.maxTranslationMm;
    offsets.push(offset);
    scale.push(peak > 0 ? max / peak : 0);
  }
  return (t) => scale.map((s, dof) => (s === 0 ? 0 : s * (raw(dof, t) - offsets[dof]!)));
}

/**
 * The pose `[rx, ry, rz, tx, ty, tz]` (degrees, millimetres) at time `t` relative to the pose
 * at the reference time: the drift plus every jerk between the reference time and `t`.
 */
export function poseAt(
  params: ResolvedMotion,
  drift: (t: number) => number[],
  t: number,
): number[] {
  const pose = drift(t);
  const ref = params.referenceTimeFraction ?? params.centreTimeFraction;
  for (const jerk of params.jerks) {
    const sign = (t >= jerk.timeFraction ? 1 : 0) - (ref >= jerk.timeFraction ? 1 : 0);
    if (sign === 0) continue;
    for (let i = 0; i < 3; i++) {
      pose[i]! += sign * jerk.rotationDeg[i]!;
      pose[3 + i]! += sign * jerk.translationMm[i]!;
    }
  }
  return pose;
}

/** The 2-D in-plane projection of a pose: no rotation about x or y, no translation along z. */
function project(pose: number[], twoD: boolean): number[] {
  if (!twoD) return pose;
  return [0, 0, pose[2]!, pose[3]!, pose[4]!, 0];
}

/**
 * Groups the phase-encode lines into runs acquired at one pose: lines are binned into
 * `segments` equal time bins, split further at every jerk, and consecutive runs with exactly
 * the same pose are merged. A run's pose is {@link poseAt} the mean time of its lines (drift
 * and jerks, relative to the reference time).
 *
 * The drift is measured relative to the mean time of the run that holds the line acquired
 * nearest to `referenceTimeFraction` (not the reference time itself), so that this run is
 * exactly at the input pose. With the default reference (the centre time) the centre of
 * k-space is then exactly that of the input and the output stays aligned with it; measured
 * from the reference time itself, the centre bin would sit at the drift over half a bin, a
 * median 40 % (up to 90 %) of the peak drift with the 8 default bins of a volume.
 */
export function buildSchedule(shape: Shape, params: ResolvedMotion): PoseGroup[] {
  const axis = params.phaseEncodeAxis;
  const n = shape[axis];
  const twoD = shape[2] === 1;
  const shots = Math.min(params.shots, n);
  const times = shotLineTimes(n, params.centreTimeFraction, shots);
  const segments = params.segments ?? defaultSegments(shape);
  const jerkCount = (t: number): number =>
    params.jerks.reduce((acc, j) => acc + (t >= j.timeFraction ? 1 : 0), 0);
  const runs: { lines: number[]; times: number[] }[] = [];
  // Without an explicit reference, the k = 0 line's acquisition time.
  const ref = params.referenceTimeFraction ?? times[Math.floor(n / 2)]!;
  const resolved: ResolvedMotion = { ...params, referenceTimeFraction: ref };
  // Lines in acquisition order (k order within each shot, shots one after another).
  const order = Array.from({ length: n }, (_, j) => j);
  if (shots > 1) order.sort((a, b) => (a % shots) - (b % shots) || a - b);
  let key = '';
  let nearest = order[0]!;
  let refRun = 0;
  for (const j of order) {
    const t = times[j]!;
    const bin = Math.min(segments - 1, Math.floor(t * segments));
    const k = `${j % shots}/${bin}/${jerkCount(t)}`;
    const line = (j - Math.floor(n / 2) + n) % n;
    if (k !== key || runs.length === 0) {
      runs.push({ lines: [], times: [] });
      key = k;
    }
    const run = runs[runs.length - 1]!;
    run.lines.push(line);
    run.times.push(t);
    if (Math.abs(t - ref) < Math.abs(times[nearest]! - ref)) nearest = j;
    if (nearest === j) refRun = runs.length - 1;
  }
  const meanTime = (run: { times: number[] }): number =>
    run.times.reduce((a, b) => a + b, 0) / run.times.length;
  const drift = makeDrift({ ...resolved, referenceTimeFraction: meanTime(runs[refRun]!) });
  const groups: (PoseGroup & { timeSum: number })[] = [];
  for (const run of runs) {
    const sum = run.times.reduce((a, b) => a + b, 0);
    const pose = project(poseAt(resolved, drift, sum / run.times.length), twoD);
    const last = groups[groups.length - 1];
    if (last !== undefined && samePose(last, pose)) {
      last.lines.push(...run.lines);
      last.timeSum += sum;
    } else {
      groups.push({
        lines: [...run.lines],
        timeFraction: 0,
        timeSum: sum,
        rotationDeg: [pose[0]!, pose[1]!, pose[2]!],
        translationMm: [pose[3]!, pose[4]!, pose[5]!],
      });
    }
  }
  // The mean acquisition time of each (possibly merged) group.
  return groups.map(({ timeSum, ...group }) => ({
    ...group,
    timeFraction: timeSum / group.lines.length,
  }));
}

/**
 * The default time resolution: 32 pose bins for a 2-D image (a few lines each), 8 for a volume
 * (each pose costs a full-volume resampling and transform).
 */
export function defaultSegments(shape: Shape): number {
  return shape[2] === 1 ? 32 : 8;
}

function samePose(group: PoseGroup, pose: readonly number[]): boolean {
  return (
    group.rotationDeg.every((v, a) => v === pose[a]) &&
    group.translationMm.every((v, a) => v === pose[3 + a])
  );
}

/** Index strides of an x-fastest array. */
function strides(shape: Shape): [number, number, number] {
  return [1, shape[0], shape[0] * shape[1]];
}

/**
 * Where the plane with index `k` along `axis` lies: its two in-plane axes (`a1` before `a2`),
 * their sizes and strides, and the index of its first voxel.
 */
function planeLayout(shape: Shape, axis: number, k: number) {
  const st = strides(shape);
  const [a1, a2] = [0, 1, 2].filter((a) => a !== axis) as [number, number];
  return {
    a1,
    a2,
    n1: shape[a1]!,
    n2: shape[a2]!,
    s1: st[a1]!,
    s2: st[a2]!,
    base: k * st[axis]!,
  };
}

/** Copies the plane with index `k` along `axis` from `src` to `dst`. */
function copyPlane(
  srcRe: Float64Array,
  srcIm: Float64Array,
  dstRe: Float64Array,
  dstIm: Float64Array,
  shape: Shape,
  axis: number,
  k: number,
): void {
  const { n1, n2, s1, s2, base } = planeLayout(shape, axis, k);
  for (let i2 = 0; i2 < n2; i2++) {
    let idx = base + i2 * s2;
    for (let i1 = 0; i1 < n1; i1++, idx += s1) {
      dstRe[idx] = srcRe[idx]!;
      dstIm[idx] = srcIm[idx]!;
    }
  }
}

/** Multiplies the plane `k` along `axis` by the k-space phase ramp of a shift `t` (voxels). */
function shiftPlane(
  re: Float64Array,
  im: Float64Array,
  shape: Shape,
  axis: number,
  k: number,
  shift: readonly number[],
): void {
  const { a1, a2, n1, n2, s1, s2, base } = planeLayout(shape, axis, k);
  const ramp = (a: number, n: number): [Float64Array, Float64Array] => {
    const c = new Float64Array(n);
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const phase = (-2 * Math.PI * signedFrequency(i, n) * shift[a]!) / n;
      c[i] = Math.cos(phase);
      s[i] = Math.sin(phase);
    }
    return [c, s];
  };
  const p0 = (-2 * Math.PI * signedFrequency(k, shape[axis]!) * shift[axis]!) / shape[axis]!;
  const c0 = Math.cos(p0);
  const s0 = Math.sin(p0);
  const [c1, sn1] = ramp(a1, n1);
  const [c2, sn2] = ramp(a2, n2);
  for (let i2 = 0; i2 < n2; i2++) {
    // Combined phase of the fixed axes: e^{i p0} e^{i p2}.
    const cr = c0 * c2[i2]! - s0 * sn2[i2]!;
    const ci = c0 * sn2[i2]! + s0 * c2[i2]!;
    let idx = base + i2 * s2;
    for (let i1 = 0; i1 < n1; i1++, idx += s1) {
      const wr = cr * c1[i1]! - ci * sn1[i1]!;
      const wi = cr * sn1[i1]! + ci * c1[i1]!;
      const r = re[idx]!;
      const m = im[idx]!;
      re[idx] = r * wr - m * wi;
      im[idx] = r * wi + m * wr;
    }
  }
}

/**
 * Writes the DFT along `axis` of the real array `src` at the frequencies `lines` into the
 * matching planes of `dstRe`, `dstIm` (same x-fastest layout).
 */
function partialDft(
  src: Float32Array | Float64Array,
  shape: Shape,
  axis: number,
  lines: readonly number[],
  dstRe: Float64Array,
  dstIm: Float64Array,
): void {
  const n = shape[axis]!;
  const inner = strides(shape)[axis]!;
  const outer = src.length / (inner * n);
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    cos[j] = Math.cos((2 * Math.PI * j) / n);
    sin[j] = -Math.sin((2 * Math.PI * j) / n);
  }
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (const k of lines) {
      const out = base + k * inner;
      dstRe.fill(0, out, out + inner);
      dstIm.fill(0, out, out + inner);
      let phase = 0;
      for (let y = 0; y < n; y++) {
        const c = cos[phase]!;
        const s = sin[phase]!;
        phase += k;
        if (phase >= n) phase -= n;
        const row = base + y * inner;
        for (let i = 0; i < inner; i++) {
          const v = src[row + i]!;
          dstRe[out + i]! += v * c;
          dstIm[out + i]! += v * s;
        }
      }
    }
  }
}

/**
 * The motion-corrupted k-space: every line (plane) of a group is taken from the transform of
 * the image rotated to the group's pose, and multiplied by the phase ramp of its translation.
 */
export function motionKspace(
  volume: Volume,
  groups: readonly PoseGroup[],
  axis: Axis,
): { re: Float64Array; im: Float64Array } {
  const shape = volume.shape;
  const size = volume.data.length;
  const n = shape[axis];
  const spacingMm = spacing(volume.affine);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let baseRe: Float64Array | undefined;
  let baseIm: Float64Array | undefined;
  let workRe: Float64Array | undefined;
  let workIm: Float64Array | undefined;
  for (const group of groups) {
    const [rx, ry, rz] = group.rotationDeg;
    const still = rx === 0 && ry === 0 && rz === 0;
    let image: Float32Array | Float64Array = volume.data;
    if (!still) {
      workRe ??= new Float64Array(size);
      rotateInto(volume.data, shape, spacingMm, rotationMatrix(rx, ry, rz), workRe);
      image = workRe;
    }
    if (group.lines.length <= directDftLimit(n)) {
      partialDft(image, shape, axis, group.lines, re, im);
      continue;
    }
    let srcRe: Float64Array;
    let srcIm: Float64Array;
    if (still) {
      if (!baseRe || !baseIm) {
        baseRe = Float64Array.from(volume.data);
        baseIm = new Float64Array(size);
        fftAlongAxis(baseRe, baseIm, shape, axis, false);
      }
      srcRe = baseRe;
      srcIm = baseIm;
    } else {
      workIm ??= new Float64Array(size);
      workIm.fill(0);
      fftAlongAxis(workRe!, workIm, shape, axis, false);
      srcRe = workRe!;
      srcIm = workIm;
    }
    for (const k of group.lines) copyPlane(srcRe, srcIm, re, im, shape, axis, k);
  }
  for (const other of [0, 1, 2] as const) {
    if (other !== axis && shape[other] > 1) fftAlongAxis(re, im, shape, other, false);
  }
  for (const group of groups) {
    const shift = group.translationMm.map((t, a) => t / spacingMm[a]!);
    if (shift.every((s) => s === 0)) continue;
    for (const k of group.lines) shiftPlane(re, im, shape, axis, k, shift);
  }
  return { re, im };
}
