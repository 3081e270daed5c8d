import { createRng, createVolume, spacing, withData } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  argumentError,
  expectFiniteNonNegative,
  expectMriError,
  phantom,
  relativeError,
} from '../test/helpers.js';
import { forwardKspace, kspaceToImage } from './internal/kspace.js';
import {
  buildSchedule,
  lineTimes,
  makeDrift,
  motionKspace,
  shotLineTimes,
} from './internal/motion-core.js';
import { rotateInto, rotationMatrix } from './internal/rigid.js';
import {
  type MotionParams,
  motion,
  motionSchedule,
  resolveMotionParams,
  sampleMotion,
} from './motion.js';

const still: MotionParams = { maxRotationDeg: 0, maxTranslationMm: 0, driftSeed: 1 };

function jerkOnly(
  timeFraction: number,
  rotationDeg: [number, number, number],
  translationMm: [number, number, number],
): MotionParams {
  return { ...still, jerks: [{ timeFraction, rotationDeg, translationMm }] };
}

describe('motion', () => {
  const image = phantom(48, 40);
  /** The image moved by a jerk of [3, -2] mm (1 mm pixels), circularly as k-space moves it. */
  const shiftedImage = (): Float32Array => {
    const [nx, ny] = image.shape;
    const shifted = new Float32Array(nx * ny);
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        shifted[x + nx * y] = image.data[((x - 3 + nx) % nx) + nx * ((y + 2) % ny)]!;
      }
    }
    return shifted;
  };

  it('zero strength returns the input unchanged (equal data, a new volume), input untouched', () => {
    const before = Float32Array.from(image.data);
    const out = motion(image, {
      ...still,
      jerks: [{ timeFraction: 0.3, rotationDeg: [0, 0, 0], translationMm: [0, 0, 0] }],
    });
    expect(out.data).toEqual(image.data);
    expect(out.data).not.toBe(image.data);
    expect(out.shape).toEqual(image.shape);
    expect(image.data).toEqual(before);
  });

  it('a pose that never changes (all zero) through the k-space path is the identity', () => {
    const p = resolveMotionParams('test', { ...still, segments: 4 });
    const groups = buildSchedule(image.shape, p);
    expect(groups).toHaveLength(1);
    const { re, im } = motionKspace(image, groups, 1);
    const out = kspaceToImage(re, im, image.shape, true);
    expect(relativeError(image.data, out)).toBeLessThan(1e-6);
  });

  it('a pose that never changes is the identity, whatever the pose (to float tolerance)', () => {
    for (const reference of [0, 0.5, 1]) {
      const params = { ...jerkOnly(0, [0, 0, 7], [3, -2, 0]), referenceTimeFraction: reference };
      expect(relativeError(image.data, motion(image, params).data)).toBeLessThan(1e-6);
    }
    const volume = phantom(12, 10, 8);
    const params = jerkOnly(0, [4, -3, 7], [3, -2, 1]);
    expect(relativeError(volume.data, motion(volume, params).data)).toBeLessThan(1e-6);
  });

  it('lines acquired after a jerk are the lines of the moved image (translation and rotation)', () => {
    const [nx, ny] = image.shape;
    const shifted = shiftedImage();
    const rotated = new Float64Array(image.data.length);
    rotateInto(image.data, image.shape, spacing(image.affine), rotationMatrix(0, 0, 10), rotated);
    for (const [jerk, moved] of [
      [jerkOnly(0.7, [0, 0, 0], [3, -2, 0]), shifted],
      [jerkOnly(0.7, [0, 0, 10], [0, 0, 0]), rotated],
    ] as const) {
      const p = resolveMotionParams('test', { ...jerk, referenceTimeFraction: 0 });
      const k = motionKspace(image, buildSchedule(image.shape, p), 1);
      const clean = forwardKspace(image.data, image.shape);
      const expected = forwardKspace(moved, image.shape);
      const times = lineTimes(ny, 0.5);
      let worst = 0;
      for (let line = 0; line < ny; line++) {
        const ref = times[(line + Math.floor(ny / 2)) % ny]! >= 0.7 ? expected : clean;
        for (let x = 0; x < nx; x++) {
          const i = x + nx * line;
          worst = Math.max(worst, Math.hypot(k.re[i]! - ref.re[i]!, k.im[i]! - ref.im[i]!));
        }
      }
      expect(worst / clean.re[0]!).toBeLessThan(1e-12);
    }
  });

  it('k-space lines acquired before the first movement are unchanged (2-D and 3-D)', () => {
    for (const [volume, axis, reference] of [
      [image, 1, undefined],
      [image, 0, 0],
      [phantom(12, 10, 8), 2, 0],
      [phantom(12, 10, 8), 1, undefined],
    ] as const) {
      // The default reference is the centre time (0.5): the head starts in the input pose when
      // the first movement comes after it, or always with referenceTimeFraction 0.
      const params = {
        ...jerkOnly(0.6, [2, 3, 5], [1.5, -1, 2]),
        phaseEncodeAxis: axis,
        ...(reference === undefined ? {} : { referenceTimeFraction: reference }),
      };
      const p = resolveMotionParams('test', params);
      const groups = buildSchedule(volume.shape, p);
      const k = motionKspace(volume, groups, axis);
      const clean = forwardKspace(volume.data, volume.shape);
      const n = volume.shape[axis];
      const times = lineTimes(n, 0.5);
      const strides = [1, volume.shape[0], volume.shape[0] * volume.shape[1]];
      let before = 0;
      let after = 0;
      let maxBefore = 0;
      let maxAfter = 0;
      for (let i = 0; i < clean.re.length; i++) {
        const line = Math.floor(i / strides[axis]!) % n;
        const j = (line + Math.floor(n / 2)) % n; // acquisition order of this line
        const d = Math.hypot(k.re[i]! - clean.re[i]!, k.im[i]! - clean.im[i]!);
        if (times[j]! < 0.6) {
          before++;
          maxBefore = Math.max(maxBefore, d / Math.abs(clean.re[0]!));
        } else {
          after++;
          maxAfter = Math.max(maxAfter, d);
        }
      }
      expect(before).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(0);
      // Relative to the k-space peak (the DC term): equal up to rounding.
      expect(maxBefore).toBeLessThan(1e-12);
      expect(maxAfter).toBeGreaterThan(1);
    }
  });

  it('the drift is not pinned to the Perlin lattice (the six degrees of freedom do not all return to the start pose at the same times)', () => {
    // Perlin noise is 0 at every lattice point; without a sub-cell offset every degree of
    // freedom would be back at its t = 0 value at t = k / driftCycles, all six at once.
    for (const driftSeed of [1, 2, 3]) {
      for (const driftCycles of [1, 2, 1.7]) {
        const drift = makeDrift(
          resolveMotionParams('test', {
            maxRotationDeg: 3,
            maxTranslationMm: 3,
            driftSeed,
            driftCycles,
            referenceTimeFraction: 0,
          }),
        );
        expect(drift(0).every((v) => v === 0)).toBe(true);
        for (let k = 1; k <= Math.floor(driftCycles); k++) {
          const pose = drift(k / driftCycles);
          expect(Math.max(...pose.map(Math.abs))).toBeGreaterThan(0.05);
        }
      }
    }
  });

  it('with drift, the lines of the reference time bin (the k-space centre by default) are those of the input', () => {
    // The default reference is the centre time, so that the output stays aligned with the
    // input: the time bin holding the centre line must be at the input pose, also with the
    // coarse default bins of a volume (8 bins: the centre bin spans an eighth of the scan).
    for (const shape of [
      [48, 40, 1],
      [12, 10, 8],
      [181, 217, 181],
    ] as const) {
      for (const driftSeed of [1, 2, 3, 4, 5]) {
        for (const referenceTimeFraction of [undefined, 0, 0.3]) {
          const params: MotionParams = {
            maxRotationDeg: 5,
            maxTranslationMm: 5,
            driftSeed,
            ...(referenceTimeFraction === undefined ? {} : { referenceTimeFraction }),
          };
          const ref = referenceTimeFraction ?? 0.5;
          const poses = motionSchedule(shape, params);
          const times = lineTimes(shape[1], 0.5);
          let nearest = 0;
          for (let j = 1; j < times.length; j++) {
            if (Math.abs(times[j]! - ref) < Math.abs(times[nearest]! - ref)) nearest = j;
          }
          const line = (nearest - Math.floor(shape[1] / 2) + shape[1]) % shape[1];
          const group = poses.find((p) => p.lines.includes(line))!;
          expect(
            Math.max(...group.rotationDeg.map(Math.abs), ...group.translationMm.map(Math.abs)),
          ).toBe(0);
        }
      }
    }
    const volume = phantom(12, 10, 8);
    const p = resolveMotionParams('test', { maxRotationDeg: 5, maxTranslationMm: 5, driftSeed: 3 });
    const k = motionKspace(volume, buildSchedule(volume.shape, p), 1);
    const clean = forwardKspace(volume.data, volume.shape);
    let worst = 0;
    for (let z = 0; z < 8; z++) {
      for (let x = 0; x < 12; x++) {
        const i = x + 12 * 10 * z; // the ky = 0 plane
        worst = Math.max(worst, Math.hypot(k.re[i]! - clean.re[i]!, k.im[i]! - clean.im[i]!));
      }
    }
    expect(worst / clean.re[0]!).toBeLessThan(1e-12);
  });

  it('multi-shot line times: one shot is lineTimes; shot s sweeps lines s, s + shots, ... in its own time slot', () => {
    expect(shotLineTimes(37, 0.4, 1)).toEqual(lineTimes(37, 0.4));
    for (const [n, shots] of [
      [40, 4],
      [37, 5],
      [6, 8],
    ] as const) {
      const times = shotLineTimes(n, 0.5, shots);
      for (let j = 0; j < n; j++) {
        const s = j % shots;
        expect(times[j]).toBeGreaterThanOrEqual(s / shots);
        expect(times[j]).toBeLessThanOrEqual((s + 1) / shots);
        if (j + shots < n) expect(times[j + shots]).toBeGreaterThan(times[j]!);
      }
    }
    // Shot 1 of 4 over 40 lines: its 10 lines, swept as a one-shot acquisition of 10 lines.
    const within = lineTimes(10, 0.5);
    const times = shotLineTimes(40, 0.5, 4);
    for (let i = 0; i < 10; i++) expect(times[1 + 4 * i]).toBeCloseTo((1 + within[i]!) / 4, 12);
  });

  it('multi-shot: lines of the shots after a jerk are those of the moved image, the others those of the input', () => {
    const [nx, ny] = image.shape;
    const shifted = shiftedImage();
    const shots = 4;
    // The jerk comes in the middle of shot 2 (its slot is [0.5, 0.75]).
    const params = { ...jerkOnly(0.6, [0, 0, 0], [3, -2, 0]), shots, referenceTimeFraction: 0 };
    const times = shotLineTimes(ny, 0.5, shots);
    const groups = buildSchedule(image.shape, resolveMotionParams('test', params));
    const k = motionKspace(image, groups, 1);
    const clean = forwardKspace(image.data, image.shape);
    const expected = forwardKspace(shifted, image.shape);
    let worst = 0;
    let moved = 0;
    for (let line = 0; line < ny; line++) {
      const j = (line + Math.floor(ny / 2)) % ny; // index from the most negative frequency
      const after = times[j]! >= 0.6;
      if (j % shots === 3) expect(after).toBe(true);
      if (j % shots < 2) expect(after).toBe(false);
      if (after) moved++;
      const ref = after ? expected : clean;
      for (let x = 0; x < nx; x++) {
        const i = x + nx * line;
        worst = Math.max(worst, Math.hypot(k.re[i]! - ref.re[i]!, k.im[i]! - ref.im[i]!));
      }
    }
    expect(moved).toBeGreaterThan(ny / 4);
    expect(moved).toBeLessThan(ny / 2);
    expect(worst / clean.re[0]!).toBeLessThan(1e-12);
  });

  it('multi-shot: by default the shot holding k = 0 is at the input pose; pose bins never span two shots', () => {
    const n = 64;
    const shots = 4;
    // A translation jerk right after shot 0, which holds k = 0 (j = 32, 32 % 4 = 0).
    const params = { ...jerkOnly(0.25, [0, 0, 0], [0, 4, 0]), shots };
    const groups = buildSchedule([n, n, 1], resolveMotionParams('test', params));
    for (const g of groups) {
      const atInput = g.lines.includes(0);
      expect(g.translationMm).toEqual(atInput ? [0, 0, 0] : [0, 4, 0]);
    }
    // With a drift, every pose bin holds the lines of one shot.
    const drifting = { maxRotationDeg: 2, maxTranslationMm: 2, driftSeed: 5, shots: 8 };
    const bins = buildSchedule([n, n, 1], resolveMotionParams('test', drifting));
    expect(bins.length).toBeGreaterThanOrEqual(shots);
    for (const g of bins) {
      const shotOf = new Set(g.lines.map((line) => ((line + n / 2) % n) % 8));
      expect(shotOf.size).toBe(1);
    }
  });

  it('line times: 0 at the first line, centreTimeFraction at k = 0, 1 at the last, increasing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, c) => {
          const t = lineTimes(n, c);
          expect(t[0]).toBe(0);
          expect(t[Math.floor(n / 2)]).toBeCloseTo(c, 12);
          expect(t[n - 1]).toBeCloseTo(1, 12);
          for (let j = 1; j < n; j++) expect(t[j]!).toBeGreaterThanOrEqual(t[j - 1]!);
        },
      ),
    );
  });

  it('the drift starts at the reference pose and peaks at maxRotationDeg / maxTranslationMm', () => {
    const params: MotionParams = {
      maxRotationDeg: 4,
      maxTranslationMm: 3,
      driftSeed: 5,
      segments: 4096,
      referenceTimeFraction: 0,
    };
    const poses = motionSchedule([64, 256, 1], params);
    expect(poses.length).toBeGreaterThan(200);
    expect(poses[0]!.rotationDeg[2]).toBe(0); // the first line, at t = 0 = the reference time
    const peakRotation = Math.max(...poses.map((p) => Math.abs(p.rotationDeg[2])));
    const peakTranslation = Math.max(...poses.map((p) => Math.abs(p.translationMm[0])));
    expect(peakRotation).toBeLessThanOrEqual(4 + 1e-12);
    expect(peakRotation).toBeGreaterThan(3.8);
    expect(peakTranslation).toBeLessThanOrEqual(3 + 1e-12);
    expect(peakTranslation).toBeGreaterThan(2.8);
    // 2-D: no out-of-plane motion.
    expect(
      poses.every(
        (p) => p.rotationDeg[0] === 0 && p.rotationDeg[1] === 0 && p.translationMm[2] === 0,
      ),
    ).toBe(true);
    // Every line appears exactly once.
    const lines = poses.flatMap((p) => p.lines).sort((a, b) => a - b);
    expect(lines).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });

  it('groups lines: a jerk-only trajectory has one pose per jerk state', () => {
    const params: MotionParams = {
      ...still,
      jerks: [
        { timeFraction: 0.3, rotationDeg: [0, 0, 2], translationMm: [1, 0, 0] },
        { timeFraction: 0.8, rotationDeg: [0, 0, -1], translationMm: [0, 1, 0] },
      ],
    };
    const poses = motionSchedule([32, 64, 1], params);
    expect(poses).toHaveLength(3);
    // Relative to the reference time 0.5 (between the jerks).
    expect(poses[0]!.rotationDeg[2]).toBe(-2);
    expect(poses[0]!.translationMm).toEqual([-1, 0, 0]);
    expect(poses[1]!.rotationDeg[2]).toBe(0);
    expect(poses[1]!.translationMm).toEqual([0, 0, 0]);
    expect(poses[2]!.rotationDeg[2]).toBe(-1);
    expect(poses[2]!.translationMm).toEqual([0, 1, 0]);
    const fromStart = motionSchedule([32, 64, 1], { ...params, referenceTimeFraction: 0 });
    expect(fromStart.map((p) => p.rotationDeg[2])).toEqual([0, 2, 1]);
  });

  it('same parameters, same output; same seed, same parameters', () => {
    const params = sampleMotion(createRng(3), { maxRotationDeg: [2, 4], jerks: [1, 2] });
    expect(sampleMotion(createRng(3), { maxRotationDeg: [2, 4], jerks: [1, 2] })).toEqual(params);
    expect(params).not.toHaveProperty('shots');
    // A shots range is drawn after everything else: the other parameters stay as they were.
    const shot = sampleMotion(createRng(3), {
      maxRotationDeg: [2, 4],
      jerks: [1, 2],
      shots: [2, 16],
    });
    const { shots, ...rest } = shot;
    expect(rest).toEqual(params);
    expect(Number.isInteger(shots) && shots! >= 2 && shots! <= 16).toBe(true);
    expect(sampleMotion(createRng(4), { maxRotationDeg: [2, 4], jerks: [1, 2] })).not.toEqual(
      params,
    );
    const a = motion(image, params);
    const b = motion(image, JSON.parse(JSON.stringify(params)));
    expect(b.data).toEqual(a.data);
    expect(a.data).not.toEqual(image.data);
  });

  it('outputs are finite and non-negative for magnitude images, in 2-D and 3-D', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const params = sampleMotion(createRng(seed), {
          maxRotationDeg: [0, 10],
          maxTranslationMm: [0, 10],
          jerks: [0, 3],
        });
        expectFiniteNonNegative(motion(image, params).data);
      }),
      { numRuns: 15 },
    );
    const volume = phantom(16, 14, 12, [1.2, 1, 2]);
    const out = motion(volume, { maxRotationDeg: 5, maxTranslationMm: 3, driftSeed: 9 });
    expect(out.shape).toEqual(volume.shape);
    expect(out.affine).toEqual(volume.affine);
    expectFiniteNonNegative(out.data);
    expect(relativeError(volume.data, out.data)).toBeGreaterThan(0.01);
  });

  it('signed images keep their sign (real part, not magnitude)', () => {
    const negative = withData(
      image,
      image.data.map((v) => -v),
    );
    const params: MotionParams = { maxRotationDeg: 3, maxTranslationMm: 2, driftSeed: 2 };
    const a = motion(image, params).data;
    const b = motion(negative, params).data;
    let negatives = 0;
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs(b[i]!)).toBeLessThanOrEqual(a[i]! * (1 + 1e-5) + 1e-3);
      if (b[i]! < 0) negatives++;
    }
    expect(negatives).toBeGreaterThan(a.length / 4);
  });

  it('more motion, more damage (monotone in maxRotationDeg for a fixed drift)', () => {
    const errors = [0.5, 2, 6].map((deg) => {
      const out = motion(image, { maxRotationDeg: deg, maxTranslationMm: 0, driftSeed: 12 });
      return relativeError(image.data, out.data);
    });
    expect(errors[0]!).toBeLessThan(errors[1]!);
    expect(errors[1]!).toBeLessThan(errors[2]!);
  });

  it('every bad parameter throws MriError naming it', () => {
    const cases: [unknown, string][] = [
      [{ ...still, maxRotationDeg: -1 }, 'maxRotationDeg'],
      [{ ...still, maxRotationDeg: Number.NaN }, 'maxRotationDeg'],
      [{ ...still, maxTranslationMm: 1000 }, 'maxTranslationMm'],
      [{ ...still, driftSeed: 1.5 }, 'driftSeed'],
      [{ maxRotationDeg: 1, maxTranslationMm: 1 }, 'driftSeed'],
      [{ ...still, octaves: 0 }, 'octaves'],
      [{ ...still, driftCycles: 0 }, 'driftCycles'],
      [{ ...still, jerks: 'no' }, 'jerks'],
      [
        {
          ...still,
          jerks: [{ timeFraction: 2, rotationDeg: [0, 0, 0], translationMm: [0, 0, 0] }],
        },
        'jerks[0].timeFraction',
      ],
      [
        { ...still, jerks: [{ timeFraction: 0.5, rotationDeg: [0, 0], translationMm: [0, 0, 0] }] },
        'jerks[0].rotationDeg',
      ],
      [
        {
          ...still,
          jerks: [{ timeFraction: 0.5, rotationDeg: [0, 0, 0], translationMm: [0, 0, 'x'] }],
        },
        'jerks[0].translationMm',
      ],
      [{ ...still, phaseEncodeAxis: 3 }, 'phaseEncodeAxis'],
      [{ ...still, phaseEncodeAxis: 2 }, 'phaseEncodeAxis'],
      [{ ...still, centreTimeFraction: -0.1 }, 'centreTimeFraction'],
      [{ ...still, segments: 0 }, 'segments'],
      [{ ...still, shots: 0 }, 'shots'],
      [{ ...still, shots: 2.5 }, 'shots'],
      [{ ...still, shots: 257 }, 'shots'],
      [{ ...still, referenceTimeFraction: 1.5 }, 'referenceTimeFraction'],
      [null, 'params'],
    ];
    for (const [params, argument] of cases)
      expectMriError(() => motion(image, params as MotionParams), argumentError(argument));
    expectMriError(() => motion({} as never, still), argumentError('volume'));
    const nan = createVolume({ data: Float32Array.of(1, Number.NaN, 0, 0), shape: [2, 2] });
    expectMriError(() => motion(nan, still), argumentError('volume'));
    const rng = createRng(1);
    expectMriError(
      () => sampleMotion(rng, { maxRotationDeg: [3, 1] }),
      argumentError('maxRotationDeg'),
    );
    expectMriError(() => sampleMotion(rng, { jerks: [0.5, 2] }), argumentError('jerks'));
    expectMriError(() => sampleMotion(rng, { segments: -1 }), argumentError('segments'));
    expectMriError(() => sampleMotion(rng, { shots: [4, 2] }), argumentError('shots'));
    expectMriError(() => sampleMotion({} as never), argumentError('rng'));
    expectMriError(() => motionSchedule([4, 4] as never, still), argumentError('shape'));
  });
});
