import { correct, createModel, type DuncanModel } from '@duncan-mri/core';
import {
  compareImages,
  scoreCorrectionCase,
  sliceSsim,
  summariseCorrection,
} from '@duncan-mri/metrics';
import { simulateSlices } from '@duncan-mri/simulate';
import { createRng, createVolume, type Volume, withData } from '@duncan-mri/volume';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMriError, SAMPLE, shrink, TINY_CONFIG } from '../test/helpers.js';
import type { NodeCorrectOptions, NodeCorrector } from './create-corrector.js';
import {
  type EvaluationCaseInput,
  type EvaluationExample,
  evaluateCorrector,
} from './evaluate-corrector.js';
import { readVolumeFile } from './read-volume-file.js';
import { useNodeBackend } from './use-node-backend.js';

let model: DuncanModel;
let corrector: Pick<NodeCorrector, 'correct'>;
/** 64x64x2 of the bundled sample: real anatomy. */
let clean: Volume;

beforeAll(async () => {
  await useNodeBackend({ env: {} });
  model = createModel(TINY_CONFIG, { seed: 5 });
  corrector = { correct: (volume, options) => correct(model, volume, options) };
  clean = shrink((await readVolumeFile(SAMPLE)).volume);
});

afterAll(() => model.dispose());

const motion = (c: Volume, severity: 'mild' | 'severe') =>
  simulateSlices(c, [{ artefact: 'motion', severity }], createRng(7)).volume;

describe('evaluateCorrector', () => {
  it('scores each variant and the clean-through case as metrics does, reading inputs in turn', async () => {
    const noisy = withData(
      clean,
      Float32Array.from(clean.data, (v, i) => v + 20 * Math.sin(i)),
    );
    const log: string[] = [];
    const examples: EvaluationExample[] = [];
    const progress: [number, number][] = [];
    const cases: EvaluationCaseInput[] = [
      {
        name: 'sub-01',
        contrast: 'PD',
        source: 'sub-01.nii',
        clean: () => {
          log.push('clean');
          return clean;
        },
        variants: [
          { artefact: 'motion', severity: 'mild', corrupted: (c) => motion(c, 'mild') },
          {
            artefact: 'motion',
            severity: 'severe',
            corrupted: async (c) => {
              log.push(`severe from ${c === clean ? 'the clean image' : 'elsewhere'}`);
              return motion(c, 'severe');
            },
          },
          { artefact: 'noise', severity: 'unlabelled', corrupted: noisy, source: 'noisy.nii' },
        ],
      },
    ];
    const result = await evaluateCorrector(corrector, cases, {
      seed: 3,
      onExample: (e) => {
        examples.push(e);
      },
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(log).toEqual(['clean', 'severe from the clean image']);
    expect(progress.at(-1)).toEqual([4, 4]);

    const dataRange = Math.max(...clean.data) - Math.min(...clean.data);
    expect(result.cases).toHaveLength(1);
    expect(result.cases[0]).toMatchObject({
      name: 'sub-01',
      clean: 'sub-01.nii',
      shape: [64, 64, 2],
      dataRange,
      mask: { source: 'brainMask of the clean image' },
    });
    expect(result.rows.map((r) => [r.artefact, r.severity, r.corruptedFile])).toEqual([
      ['motion', 'mild', null],
      ['motion', 'severe', null],
      ['noise', 'unlabelled', 'noisy.nii'],
    ]);
    // the whole-image scores and per-slice SSIM are metrics' own, against the clean image
    const severe = motion(clean, 'severe');
    const row = result.rows[1]!;
    expect(row.corrupted).toMatchObject(
      compareImages(clean, severe, { dataRange, slicewise: true }),
    );
    expect(row.slices.ssim.corrupted).toEqual(sliceSsim(clean, severe, { dataRange }));
    expect(row.corrupted.dice?.perClass).toHaveLength(3);
    expect(row.slices.dice.corrected).toHaveLength(2);

    // the yardstick: scoreCorrectionCase of every case (clean-through first), summarised with the seed
    const { corrected } = await correct(model, severe);
    const { corrected: cleanCorrected } = await correct(model, clean);
    const labels = { subject: 'sub-01', contrast: 'PD' };
    const through = scoreCorrectionCase({
      clean,
      corrupted: clean,
      corrected: cleanCorrected,
      labels: { ...labels, artefact: 'none', severity: 'none' },
    });
    const scored = scoreCorrectionCase({
      clean,
      corrupted: severe,
      corrected,
      labels: { ...labels, artefact: 'motion', severity: 'severe' },
    });
    expect(result.correction.cases.map((c) => c.labels.artefact)).toEqual([
      'none',
      'motion',
      'motion',
      'noise',
    ]);
    expect(result.correction.cases[0]).toEqual(through);
    expect(result.correction.cases[2]).toEqual(scored);
    expect(result.correction).toEqual(summariseCorrection(result.correction.cases, { seed: 3 }));

    // one example per artefact: its severest variant, with the volumes of that variant
    expect(examples.map((e) => [e.artefact, e.severity])).toEqual([
      ['motion', 'severe'],
      ['noise', 'unlabelled'],
    ]);
    expect(examples[0]!.corrupted.data).toEqual(severe.data);
    expect(examples[0]!.corrected.data).toEqual(corrected.data);
    expect(examples[0]!.labels.clean?.shape).toEqual([64, 64, 2]);
    expect(examples[0]!.mask?.shape).toEqual([64, 64, 2]);
  });

  it('too small a mask gives Dice n/a with a note; an empty given mask scores in headMask', async () => {
    const notes: string[] = [];
    const mask = new Uint8Array(clean.data.length);
    mask.fill(1, 2000, 2010);
    const empty = new Uint8Array(clean.data.length);
    const variants = [{ artefact: 'motion', severity: 'mild', corrupted: motion(clean, 'mild') }];
    const result = await evaluateCorrector(
      corrector,
      [
        { name: 'small-mask', clean, mask, maskSource: 'mask.nii', variants },
        { name: 'empty-mask', clean, mask: () => empty, variants },
      ],
      { onNote: (text) => notes.push(text) },
    );
    expect(notes).toEqual([
      'small-mask: Dice is n/a (the mask holds 10 voxels, fewer than the 100 segmentation needs)',
      'empty-mask: Dice is n/a (the mask holds 0 voxels, fewer than the 100 segmentation needs)',
      'empty-mask: the mask is empty; the in-head scores use headMask instead',
    ]);
    expect(result.cases.map((c) => c.mask)).toEqual([
      { source: 'mask.nii', voxels: 10 },
      { source: 'the given mask', voxels: 0 },
    ]);
    expect(result.rows[0]!.corrupted.dice).toBeNull();
    expect(result.correction.cases.map((c) => c.mask)).toEqual([
      'brainMask',
      'brainMask',
      'headMask',
      'headMask',
    ]);
  });

  /**
   * One case (the clean image and a mild motion variant) and a corrector that records `what` of
   * the options of every correction in `seen`, then corrects.
   */
  const spyOn = (what: (options: NodeCorrectOptions | undefined) => unknown) => {
    const seen: unknown[] = [];
    const spy: Pick<NodeCorrector, 'correct'> = {
      correct: (volume, options) => {
        seen.push(what(options));
        return corrector.correct(volume, options);
      },
    };
    const cases: EvaluationCaseInput[] = [
      {
        name: 'a',
        clean,
        variants: [{ artefact: 'motion', severity: 'mild', corrupted: motion(clean, 'mild') }],
      },
    ];
    return { seen, spy, cases };
  };

  it('passes flips (mirror averaging, on by default) to every correction, and refuses a non-boolean', async () => {
    const { seen, spy, cases } = spyOn((options) => options?.flips);
    const on = await evaluateCorrector(spy, cases);
    expect(seen.splice(0)).toEqual([true, true]); // the clean-through case and the variant
    const off = await evaluateCorrector(spy, cases, { flips: false });
    expect(seen.splice(0)).toEqual([false, false]);
    // The untrained model is not mirror-symmetric: the scores of the two corrections differ.
    expect(off.rows[0]!.corrected.ssim).not.toBe(on.rows[0]!.corrected.ssim);
    await expectMriError(() => evaluateCorrector(spy, cases, { flips: 1 as never }), {
      argument: 'options.flips',
      message: /^evaluateCorrector: options.flips must be a boolean, got 1/,
    });
  });

  it('passes shrinkage (residual shrinkage) to every correction when given, and refuses a bad one', async () => {
    const { seen, spy, cases } = spyOn((options) =>
      options === undefined ? 'none' : 'shrinkage' in options ? options.shrinkage : 'absent',
    );
    // Not given: left to core's default (1), in the clean-through case and the variant.
    const byDefault = await evaluateCorrector(spy, cases);
    expect(seen.splice(0)).toEqual(['absent', 'absent']);
    const one = await evaluateCorrector(spy, cases, { shrinkage: 1 });
    expect(seen.splice(0)).toEqual([1, 1]);
    expect(one.rows[0]!.corrected.ssim).toBe(byDefault.rows[0]!.corrected.ssim);
    const off = await evaluateCorrector(spy, cases, { shrinkage: 0 });
    expect(seen.splice(0)).toEqual([0, 0]);
    // The sample's noise level is not 0: shrinking changes the correction and its scores.
    expect(off.rows[0]!.corrected.ssim).not.toBe(one.rows[0]!.corrected.ssim);
    for (const shrinkage of [-1, Number.NaN, 'x']) {
      await expectMriError(() => evaluateCorrector(spy, cases, { shrinkage } as never), {
        argument: 'options.shrinkage',
        message: /^evaluateCorrector: options.shrinkage must be a finite number >= 0, got /,
      });
    }
  });

  it('refuses bad cases with an MriError naming the case', async () => {
    const flat = createVolume({ data: new Float32Array(64 * 64).fill(3), shape: [64, 64] });
    const other = createVolume({ data: new Float32Array(16 * 16).fill(1), shape: [16, 16] });
    const nan = withData(
      clean,
      Float32Array.from(clean.data, (v, i) => (i === 5 ? Number.NaN : v)),
    );
    const v = (corrupted: Volume) => [{ artefact: 'motion', severity: 'mild', corrupted }];
    const cases: [unknown, string, RegExp][] = [
      [[], 'INVALID_ARGUMENT', /^evaluateCorrector: cases must be a non-empty array/],
      [
        [
          { name: 'a', clean, variants: [] },
          { name: 'a', clean, variants: [] },
        ],
        'INVALID_ARGUMENT',
        /cases\[1\]\.name must be a non-empty string, unique per call/,
      ],
      [
        [{ name: 'a', clean, variants: [{ artefact: 'motion', corrupted: clean }] }],
        'INVALID_ARGUMENT',
        /cases\[0\]\.variants\[0\]\.severity must be a non-empty string/,
      ],
      [
        [{ name: 'a', clean: flat, variants: v(flat) }],
        'INVALID_ARGUMENT',
        /cases\[0\]\.clean must not be a constant image/,
      ],
      [
        [{ name: 'a', clean, variants: v(other) }],
        'SHAPE_MISMATCH',
        /cases\[0\]\.variants\[0\]\.corrupted must have the shape of its clean image \[64, 64, 2\], got \[16, 16, 1\]/,
      ],
      [
        [{ name: 'a', clean, variants: v(nan) }],
        'INVALID_ARGUMENT',
        /cases\[0\]\.variants\[0\]\.corrupted must contain only finite voxels/,
      ],
      [
        [{ name: 'a', clean, mask: new Uint8Array(3), variants: v(clean) }],
        'SHAPE_MISMATCH',
        /cases\[0\]\.mask must be a Uint8Array with one entry per voxel/,
      ],
    ];
    for (const [input, code, message] of cases) {
      const error = await expectMriError(
        () => evaluateCorrector(corrector, input as EvaluationCaseInput[]),
        {},
      );
      expect([error.code, error.message]).toEqual([code, expect.stringMatching(message)]);
    }
    const error = await expectMriError(() => evaluateCorrector({} as never, []), {});
    expect(error.message).toMatch(/^evaluateCorrector: corrector must have a correct/);
  });
});
