import { ssim } from '@duncan-mri/metrics';
import { createRng, createVolume, type Volume } from '@duncan-mri/volume';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectMriError, SAMPLE } from '../../test/helpers.js';
import { readVolumeFile } from '../read-volume-file.js';
import {
  applyShotMotion,
  corruptWithShots,
  type ShotPose,
  type ShotSeverity,
} from './shot-corruption.js';

/** Slice 1 of the bundled sample: a real 256 x 256 FSE PD head slice, oblique affine. */
let brain: Volume;
let brainMax = 0;

beforeAll(async () => {
  const { volume } = await readVolumeFile(SAMPLE);
  const [nx, ny] = volume.shape;
  const data = volume.data.slice(nx * ny, 2 * nx * ny);
  brain = createVolume({ data, shape: [nx, ny, 1], affine: volume.affine });
  for (const v of data) brainMax = Math.max(brainMax, v);
});

const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
const SEVERITIES: ShotSeverity[] = ['mild', 'moderate', 'severe'];

/** Pearson correlation. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= a.length;
  mb /= a.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** `image` circularly shifted by `shift` voxels along `axis`. */
function rolled(image: Volume, axis: 0 | 1, shift: number): Float32Array {
  const [nx, ny] = image.shape;
  const out = new Float32Array(nx * ny);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const tx = axis === 0 ? (x + shift) % nx : x;
      const ty = axis === 1 ? (y + shift) % ny : y;
      out[tx + nx * ty] = image.data[x + nx * y]!;
    }
  }
  return out;
}

/** A plan on `n` phase-encode lines, `shots` interleaved shots, every shot in `pose`. */
function uniformPlan(axis: 0 | 1, n: number, shots: number, pose: ShotPose) {
  return {
    phaseEncodeAxis: axis,
    shotOfLine: Array.from({ length: n }, (_, k) => k % shots),
    poses: Array.from({ length: shots }, () => pose),
    description: '',
  };
}

describe('applyShotMotion (the physics, with explicit poses)', () => {
  it('is the identity when no shot moves', () => {
    const out = applyShotMotion(
      brain,
      uniformPlan(1, 256, 16, { rotationDeg: 0, translationMm: [0, 0] }),
    );
    let maxError = 0;
    for (let i = 0; i < out.length; i++) {
      maxError = Math.max(maxError, Math.abs(out[i]! - brain.data[i]!));
    }
    expect(maxError).toBeLessThan(1e-3);
  });

  it('translates exactly (sign and millimetres) when every shot moves by one voxel', () => {
    // 2 x 1 mm voxels: +2 mm along x and -1 mm along y is one voxel each way.
    const rng = createRng(3);
    const image = createVolume({
      data: Float32Array.from({ length: 24 * 20 }, () => rng.float()),
      shape: [24, 20],
      spacing: [2, 1, 3],
    });
    const out = applyShotMotion(
      image,
      uniformPlan(0, 24, 4, { rotationDeg: 0, translationMm: [2, -1] }),
    );
    const expected = rolled(createVolume({ data: rolled(image, 0, 1), shape: [24, 20] }), 1, 19);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i]!, 4);
  });

  it('rotates about the centre (+x towards +y): 90 degrees on an odd grid is an exact permutation', () => {
    // Support inside a disc of radius 10 so that no intermediate shear leaves the 33 x 33 grid.
    const rng = createRng(4);
    const n = 33;
    const c = 16;
    const data = Float32Array.from({ length: n * n }, (_, i) =>
      Math.hypot((i % n) - c, Math.floor(i / n) - c) <= 10 ? rng.float() : 0,
    );
    const image = createVolume({ data, shape: [n, n] });
    const out = applyShotMotion(
      image,
      uniformPlan(1, n, 3, { rotationDeg: 90, translationMm: [0, 0] }),
    );
    // g(x, y) = f(R^-1 (x - c, y - c) + c) = f(y, 2c - x)
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) expect(out[x + n * y]).toBeCloseTo(data[y + n * (2 * c - x)]!, 6);
    }
  });
});

describe('corruptWithShots', () => {
  it('same seed same output; input untouched; shape, affine and float32 kept; mean not lowered', () => {
    const copy = Float32Array.from(brain.data);
    for (const artefact of ['motion', 'ghosting'] as const) {
      for (const severity of SEVERITIES) {
        const a = corruptWithShots(brain, artefact, severity, createRng(11));
        const b = corruptWithShots(brain, artefact, severity, createRng(11));
        expect(a.volume.data).toEqual(b.volume.data);
        expect(a.description).toBe(b.description);
        expect(a.volume.data).toBeInstanceOf(Float32Array);
        expect(a.volume.shape).toEqual(brain.shape);
        expect(a.volume.affine).toEqual(brain.affine);
        expect(a.volume.data.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
        // The k-space centre is never touched, so the complex image keeps the sum of the input;
        // the magnitude can only add (triangle inequality): the artefact's energy in the background.
        const gain = mean(a.volume.data) / mean(brain.data) - 1;
        expect(gain).toBeGreaterThan(-1e-6);
        expect(gain).toBeLessThan(severity === 'mild' ? 0.05 : 0.3);
        const other = corruptWithShots(brain, artefact, severity, createRng(12));
        expect(other.volume.data).not.toEqual(a.volume.data);
      }
    }
    expect(brain.data).toEqual(copy);
  });

  it('describes what it applied', () => {
    const m = corruptWithShots(brain, 'motion', 'moderate', createRng(1)).description;
    expect(m).toMatch(
      /^shot motion: \d+ shots, (interleaved|sequential), phase-encode [xy], \d+ moved, max \d+\.\d deg \/ \d+\.\d mm$/,
    );
    const g = corruptWithShots(brain, 'ghosting', 'moderate', createRng(1)).description;
    expect(g).toMatch(/^N\/2 ghosting: phase-encode [xy], ghost 0\.\d\d of the object, /);
  });

  it('mean SSIM on a real slice drops from mild to moderate to severe', () => {
    for (const artefact of ['motion', 'ghosting'] as const) {
      const means = SEVERITIES.map((severity) => {
        let sum = 0;
        for (let seed = 0; seed < 6; seed++) {
          const { volume } = corruptWithShots(brain, artefact, severity, createRng(seed));
          sum += ssim(brain, volume, { dataRange: brainMax });
        }
        return sum / 6;
      });
      expect(means[0]!).toBeGreaterThan(means[1]!);
      expect(means[1]!).toBeGreaterThan(means[2]!);
      expect(means[0]!).toBeLessThan(1);
    }
  });

  it('ghosting: the residual is the image shifted by half the field of view along the phase encode', () => {
    for (let seed = 0; seed < 4; seed++) {
      const { volume, description } = corruptWithShots(
        brain,
        'ghosting',
        'severe',
        createRng(seed),
      );
      const pe = description.includes('phase-encode x') ? 0 : 1;
      const residual = volume.data.map((v, i) => v - brain.data[i]!);
      const along = correlation(residual, rolled(brain, pe, 128));
      const across = correlation(residual, rolled(brain, pe === 0 ? 1 : 0, 128));
      expect(along).toBeGreaterThan(0.3);
      expect(along).toBeGreaterThan(across + 0.3);
    }
  });

  it('ghosting: the ghost-to-object ratio is the one described', () => {
    // A bright block in one half of the field of view: the ghost lands on empty background.
    const n = 64;
    const data = new Float32Array(n * n);
    for (let y = 8; y < 24; y++) for (let x = 28; x < 36; x++) data[x + n * y] = 100;
    for (let y = 28; y < 36; y++) for (let x = 8; x < 24; x++) data[x + n * y] = 100;
    const block = createVolume({ data, shape: [n, n] });
    for (const severity of SEVERITIES) {
      for (let seed = 0; seed < 3; seed++) {
        const { volume, description } = corruptWithShots(
          block,
          'ghosting',
          severity,
          createRng(seed),
        );
        const ratio = Number(/ghost (\d\.\d\d)/.exec(description)![1]);
        // The readout-centre voxel of the block whose ghost lands at the same readout position.
        const [ox, oy] = description.includes('phase-encode x') ? [16, 32] : [32, 16];
        const [gx, gy] = description.includes('phase-encode x') ? [48, 32] : [32, 48];
        const measured = volume.data[gx + n * gy]! / volume.data[ox + n * oy]!;
        expect(Math.abs(measured - ratio)).toBeLessThan(0.02);
      }
    }
  });

  it('runs on non-square, anisotropic slices', () => {
    const rng = createRng(5);
    const slice = createVolume({
      data: Float32Array.from({ length: 181 * 217 }, () => rng.float() * 100),
      shape: [181, 217],
      spacing: [1, 1.2, 1],
    });
    for (const artefact of ['motion', 'ghosting'] as const) {
      const { volume } = corruptWithShots(slice, artefact, 'severe', createRng(1));
      expect(volume.shape).toEqual([181, 217, 1]);
      expect(volume.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('throws MriError INVALID_ARGUMENT for bad arguments', async () => {
    const cases: [() => unknown, string][] = [
      [
        () =>
          corruptWithShots(
            createVolume({ data: new Float32Array(64), shape: [4, 4, 4] }),
            'motion',
            'mild',
            createRng(1),
          ),
        'corruptWithShots: slice.shape must be 2-D ([nx, ny, 1], nx and ny >= 2), got [4, 4, 4]',
      ],
      [
        () => corruptWithShots(withNaN(brain), 'motion', 'mild', createRng(1)),
        'corruptWithShots: slice.data must be finite, got a Float32Array of length 65536',
      ],
      [
        () => corruptWithShots(brain, 'spike' as never, 'mild', createRng(1)),
        `corruptWithShots: artefact must be 'motion' or 'ghosting', got "spike"`,
      ],
      [
        () => corruptWithShots(brain, 'motion', 'extreme' as never, createRng(1)),
        `corruptWithShots: severity must be 'mild', 'moderate' or 'severe', got "extreme"`,
      ],
      [
        () => corruptWithShots(brain, 'motion', 'mild', undefined as never),
        'corruptWithShots: rng must be an Rng (createRng of @duncan-mri/volume), got undefined',
      ],
      [
        () => corruptWithShots({ data: [1, 2] } as never, 'motion', 'mild', createRng(1)),
        'corruptWithShots: slice.data must be a Float32Array, got [1, 2]',
      ],
    ];
    for (const [fn, message] of cases) {
      const error = await expectMriError(fn, {});
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toBe(message);
    }
  });
});

function withNaN(volume: Volume): Volume {
  const data = Float32Array.from(volume.data);
  data[7] = Number.NaN;
  return createVolume({ data, shape: volume.shape, affine: volume.affine });
}
