import { simulate } from '@duncan-mri/simulate';
import { createRng, createVolume, type Rng, type Volume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { corruptVolumeWithShots, corruptWithShots } from '../internal/shot-corruption.js';
import { UsageError } from './args.js';
import {
  contrastFromName,
  corruptionVariants,
  corruptVolume,
  DRAW_SEED_STRIDE,
  drawVariants,
  labelsFromName,
  simulationVariants,
} from './evaluate-variants.js';

const noFile = (p: string): string => {
  throw new Error(`unexpected read of ${p}`);
};

/** A 24 x 20 x 3 volume of varied values, anisotropic voxels; `data` is its array. */
function testVolume(): { data: Float32Array; volume: Volume } {
  const data = Float32Array.from({ length: 24 * 20 * 3 }, (_, i) => 50 + ((i * 7919) % 97));
  return { data, volume: createVolume({ data, shape: [24, 20, 3], spacing: [1, 1.5, 3] }) };
}

/**
 * Expects `out` to hold each z slice of `volume` corrupted in turn by `corrupt`, with one
 * generator (seed 4) drawn on from slice to slice.
 */
function expectSliceBySlice(
  volume: Volume,
  out: Volume,
  corrupt: (slice: Volume, rng: Rng) => Volume,
): void {
  const [nx, ny, nz] = volume.shape;
  const plane = nx * ny;
  const rng = createRng(4);
  const expected = new Float32Array(volume.data.length);
  for (let z = 0; z < nz; z++) {
    const data = volume.data.slice(plane * z, plane * (z + 1));
    const slice = createVolume({ data, shape: [nx, ny, 1], affine: volume.affine });
    expected.set(corrupt(slice, rng).data, plane * z);
  }
  expect(out.data).toEqual(expected);
}

describe('duncan evaluate helpers', () => {
  it('--simulate: each artefact at each severity, or only the one named; the seeds of the evaluation data', () => {
    const all = simulationVariants(
      'motion,ghosting,noise',
      noFile,
      ['mild', 'moderate', 'severe'],
      2026,
    );
    expect(all.map((v) => `${v.artefact}/${v.severity}/${v.seed}`)).toEqual([
      'motion/mild/3026',
      'motion/moderate/3027',
      'motion/severe/3028',
      'ghosting/mild/3036',
      'ghosting/moderate/3037',
      'ghosting/severe/3038',
      'noise/mild/3046',
      'noise/moderate/3047',
      'noise/severe/3048',
    ]);
    expect(all[2]!.step).toEqual({ artefact: 'motion', severity: 'severe' });
    const some = simulationVariants('motion:severe,noise', noFile, ['mild'], 1);
    expect(some.map((v) => `${v.artefact}/${v.severity}/${v.seed}`)).toEqual([
      'motion/severe/1003',
      'noise/mild/1011',
    ]);
    const json = simulationVariants(
      '[{"artefact":"blur"},{"artefact":"spike","severity":"mild"},{"artefact":"noise","params":{"sigma":0.01}}]',
      noFile,
      ['severe'],
      0,
    );
    expect(json.map((v) => `${v.artefact}/${v.severity}/${v.seed}`)).toEqual([
      'blur/severe/1002',
      'spike/mild/1010',
      'noise/custom/1029',
    ]);
    expect(() => simulationVariants('wobble', noFile, ['mild'], 0)).toThrow(UsageError);
  });

  it('--draws: draw d at seed + 10000·d, all of draw 0 first and equal to a run without draws', () => {
    const one = (seed: number) =>
      corruptionVariants(simulationVariants('motion', noFile, ['moderate'], seed), 'both');
    const drawn = drawVariants(one, 2026, 3);
    expect(drawn.map((v) => `${v.artefact}/${v.severity}/${v.seed}/${v.draw}`)).toEqual([
      'motion/moderate/3027/0',
      'shot-motion/moderate/4027/0',
      'motion/moderate/13027/1',
      'shot-motion/moderate/14027/1',
      'motion/moderate/23027/2',
      'shot-motion/moderate/24027/2',
    ]);
    expect(drawVariants(one, 2026, 1).map(({ draw, ...v }) => v)).toEqual(one(2026));
    expect(DRAW_SEED_STRIDE).toBe(10_000);
  });

  it('names of corrupted files give the artefact and severity', () => {
    expect(labelsFromName('/data/eval-kmeans-motion-severe.nii')).toEqual({
      artefact: 'motion',
      severity: 'severe',
    });
    expect(labelsFromName('sub-01_biasField_mild.nii.gz')).toEqual({
      artefact: 'biasField',
      severity: 'mild',
    });
    expect(labelsFromName('scan2.nii')).toEqual({ artefact: 'unlabelled', severity: 'unlabelled' });
  });

  it('corrupts slice by slice in 2-D with one generator, along any axis, or in 3-D', () => {
    const { data, volume } = testVolume();
    const step = { artefact: 'ghosting', severity: 'severe' } as const;
    const out = corruptVolume(volume, step, createRng(4), 2, false);
    expectSliceBySlice(volume, out, (slice, rng) => simulate(slice, [step], rng).volume);
    expect(out.shape).toEqual(volume.shape);
    expect(volume.data).toEqual(data);
    const motion = { artefact: 'motion', severity: 'severe' } as const;
    const alongX = corruptVolume(volume, motion, createRng(4), 0, false);
    expect(alongX.shape).toEqual(volume.shape);
    expect(alongX.data).not.toEqual(data);
    expect(corruptVolume(volume, step, createRng(4), 2, true).data).toEqual(
      simulate(volume, [step], createRng(4)).volume.data,
    );
  });

  it('--corruption: the shot model for motion and ghosting, labelled shot-<artefact>, seeds + 1000', () => {
    const simulated = simulationVariants('motion,noise', noFile, ['mild', 'severe'], 2026);
    expect(corruptionVariants(simulated, 'simulator')).toEqual(simulated);
    const both = corruptionVariants(simulated, 'both');
    expect(both.map((v) => `${v.artefact}/${v.severity}/${v.seed}`)).toEqual([
      'motion/mild/3026',
      'motion/severe/3028',
      'noise/mild/3036',
      'noise/severe/3038',
      'shot-motion/mild/4026',
      'shot-motion/severe/4028',
    ]);
    expect(both[4]).toMatchObject({ shot: { artefact: 'motion', severity: 'mild' } });
    expect(both[4]!.step).toBeUndefined();
    const ghosts = simulationVariants('ghosting:moderate', noFile, ['mild'], 0);
    expect(corruptionVariants(ghosts, 'shots').map((v) => v.artefact)).toEqual(['shot-ghosting']);
    expect(() => corruptionVariants(simulated, 'shots')).toThrow(/models only motion and ghosting/);
    const noise = simulationVariants('noise', noFile, ['mild'], 0);
    expect(() => corruptionVariants(noise, 'both')).toThrow(/needs a motion or ghosting step/);
    const custom = simulationVariants('[{"artefact":"motion","params":{}}]', noFile, ['mild'], 0);
    expect(() => corruptionVariants(custom, 'shots')).toThrow(/got motion at custom/);
  });

  it('the shot model corrupts slice by slice with one generator; a 2-D image is one slice', () => {
    const { data, volume } = testVolume();
    const out = corruptVolumeWithShots(volume, 'ghosting', 'severe', createRng(4), 2);
    expectSliceBySlice(
      volume,
      out,
      (slice, rng) => corruptWithShots(slice, 'ghosting', 'severe', rng).volume,
    );
    expect(volume.data).toEqual(data);
    const alongY = corruptVolumeWithShots(volume, 'motion', 'severe', createRng(4), 1);
    expect(alongY.shape).toEqual(volume.shape);
    expect(alongY.data).not.toEqual(data);
    const flat = createVolume({ data: data.slice(0, 24 * 20), shape: [24, 20] });
    expect(corruptVolumeWithShots(flat, 'motion', 'mild', createRng(1), 0).data).toEqual(
      corruptWithShots(flat, 'motion', 'mild', createRng(1)).volume.data,
    );
  });

  it('contrast labels from file names', () => {
    expect(contrastFromName('/data/sub-01_T1w.nii.gz')).toBe('T1');
    expect(contrastFromName('sub-02_t2w.nii')).toBe('T2');
    expect(contrastFromName('ge-pd-4-slices.nii.gz')).toBe('PD');
    expect(contrastFromName('case3-FLAIR.nii')).toBe('FLAIR');
    expect(contrastFromName('t1_mprage.nii')).toBe('T1');
    expect(contrastFromName('scan2.nii')).toBe('unlabelled');
  });
});
