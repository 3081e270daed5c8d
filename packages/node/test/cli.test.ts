// End-to-end: the BUILT `duncan` CLI (dist/cli.js, as `npm install` ships it) under plain Node,
// on real MRI files. Run `npx tsup` first (turbo's test task depends on build).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateSlices } from '@duncan-mri/simulate';
import { maxAbsDiff } from '@duncan-mri/test-helpers';
import { createRng } from '@duncan-mri/volume';
import { beforeAll, describe, expect, it } from 'vitest';
import { readVolumeFile } from '../src/read-volume-file.js';
import {
  assertCliBuilt,
  DICOM,
  duncan,
  GE_SERIES,
  readJson,
  SAMPLE,
  sha256,
  TINY_CONFIG,
  tempDir,
  tinyTraining,
} from './helpers.js';
import { readPngFile } from './png-reader.js';
import { expectSvgTexts } from './svg-texts.js';

let work: string;
let model: string;

/** What `duncan train` writes in two steps with a panel each: checkpoint, losses, figures. */
const TWO_STEP_RUN_FILES = [
  'loss-curve.png',
  'loss-curve.svg',
  'losses.csv',
  'manifest.json',
  'panel-step000001.png',
  'panel-step000002.png',
  'weights.bin',
];

beforeAll(async () => {
  assertCliBuilt();
  work = tempDir('duncan-cli-');
  model = join(work, 'model');
  // `duncan train` makes the tiny model the other tests use.
  const r = await duncan([
    'train',
    '--clean',
    SAMPLE,
    '--simulate',
    'motion:moderate,noise:mild',
    '--out',
    model,
    ...tinyTraining(2),
    '--json',
  ]);
  expect(r.stderr).toMatch(/backend: wasm/);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ command: 'train', step: 2, aborted: false });
});

describe('duncan (built CLI)', () => {
  it('prints help with an example for every command; usage errors exit 2', async () => {
    for (const command of ['correct', 'simulate', 'metrics', 'train', 'evaluate', 'info', 'demo']) {
      const r = await duncan([command, '--help']);
      expect([command, r.code]).toEqual([command, 0]);
      expect(r.stdout).toMatch(
        new RegExp(`Usage: duncan ${command}[\\s\\S]*Example:\\n  duncan ${command}`),
      );
    }
    expect((await duncan(['--help'])).stdout).toMatch(/Commands:/);
    const cases: [string[], RegExp][] = [
      [[], /Usage: duncan <command>/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['correct', SAMPLE], /-o\/--output is required/],
      [['correct', SAMPLE, '-o', 'x.nii', '--bogus'], /Unknown option '--bogus'/],
      [['correct', '-o', 'x.nii'], /missing <input>/],
      [['correct', SAMPLE, '-o', 'x.nii', '--workers', 'two'], /--workers must be an integer/],
      [['correct', SAMPLE, '-o', 'x.nii', '--axis', 'w'], /--axis must be x, y or z/],
      [['correct', SAMPLE, '-o', 'x.nii', '--backend', 'foo'], /--backend must be one of/],
      [
        ['simulate', SAMPLE, '-o', 'x.nii', '--artefact', 'wobble', '--seed', '1'],
        /--artefact must be one of/,
      ],
      [['simulate', SAMPLE, '-o', 'x.nii', '--artefact', 'motion'], /--seed is required/],
      [['metrics', SAMPLE], /missing <reference> <test>/],
      [['train', '--clean', SAMPLE, '--out', 'x'], /either --corrupted .* or --simulate/],
      [['train', '--mode', 'bogus', '--clean', SAMPLE, '--out', 'x'], /--mode must be one of/],
      [
        ['train', '--mode', 'paired', '--clean', SAMPLE, '--simulate', 'noise', '--out', 'x'],
        /--mode paired makes its pairs from the --clean volumes/,
      ],
      [
        ['train', '--mode', 'paired', '--clean', SAMPLE, '--paired-weight', '2', '--out', 'x'],
        /--paired-weight applies only to --mode semi/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await duncan(args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('info: shape, spacing, orientation, datatype, range and the DICOM series list', async () => {
    const nifti = await duncan(['info', SAMPLE, '--json']);
    expect(nifti.code).toBe(0);
    expect(JSON.parse(nifti.stdout)).toMatchObject({
      format: 'nifti',
      shape: [256, 256, 4],
      orientation: 'LPS',
      datatype: 'int16',
      intensityRange: [0, 960],
    });
    const dir = join(work, 'two-series');
    mkdirSync(dir);
    copyFileSync(join(GE_SERIES, 'brain_010.dcm'), join(dir, 'a.dcm'));
    copyFileSync(DICOM('MR_small.dcm'), join(dir, 'b.dcm'));
    const both = await duncan(['info', dir]);
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(
      /series {7}2 found \(describing 1; choose with --series <n\|uid>\):/,
    );
    const ambiguous = await duncan(['correct', dir, '-o', join(work, 'x.nii'), '--model', model]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/holds 2 series \(choose with --series/);
    const chosen = await duncan(['info', dir, '--series', '2']);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toMatch(/series {7}2 found \(describing 2;/);
    const series = await duncan(['info', GE_SERIES]);
    expect(series.stdout).toMatch(/shape {8}256 x 256 x 20/);
    expect(series.stdout).toMatch(/spacing {6}0\.8594 x 0\.8594 x 7\.0005 mm/);
    expect(series.stdout).toMatch(/1\. 2 FSE PD AXIAL OBL {2}256x256x20/);
  });

  it('correct: NIfTI in, NIfTI out on worker threads, clean JSON on stdout, inputs untouched', async () => {
    const before = sha256(SAMPLE);
    const out = join(work, 'corrected.nii.gz');
    const map = join(work, 'artefact.nii');
    const args = [
      'correct',
      SAMPLE,
      '-o',
      out,
      '--artefact-map',
      map,
      '--model',
      model,
      '--workers',
      '2',
      '--json',
    ];
    const r = await duncan(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /backend: wasm \(.*tried tfjs-node-gpu: not installed, tfjs-node: not installed\); 2 worker threads/,
    );
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      command: 'correct',
      output: out,
      artefactMap: map,
      workers: 2,
      backend: 'wasm',
      flips: true, // mirror averaging, the default
      shrinkage: 1, // residual shrinkage, the default
    });
    const input = await readVolumeFile(SAMPLE);
    const corrected = await readVolumeFile(out);
    const artefact = await readVolumeFile(map);
    expect(corrected.volume.shape).toEqual(input.volume.shape);
    expect(corrected.volume.affine.map(Math.fround)).toEqual(input.volume.affine.map(Math.fround));
    for (let i = 0; i < input.volume.data.length; i += 1009)
      expect(artefact.volume.data[i]).toBeCloseTo(
        input.volume.data[i]! - corrected.volume.data[i]!,
        2,
      );
    // An existing output is refused (exit 1, before any work), --overwrite replaces it.
    const again = await duncan(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--output must not exist already \(pass --overwrite/);
    expect((await duncan([...args, '--overwrite'])).code).toBe(0);
    /** duncan correct of the sample into `output` with the test model on 2 workers, and `extra`. */
    const correctInto = (output: string, ...extra: string[]) =>
      duncan(['correct', SAMPLE, '-o', output, '--model', model, '--workers', '2', ...extra]);
    // --no-flips: one forward pass per slice, a different (single-pass) correction, recorded.
    const single = join(work, 'corrected-single.nii.gz');
    const one = await correctInto(single, '--no-flips', '--json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ output: single, flips: false });
    const singleData = (await readVolumeFile(single)).volume.data;
    expect(maxAbsDiff(singleData, corrected.volume.data)).toBeGreaterThan(1e-3);
    // --shrinkage 0: the network's output as it is, a different correction, recorded.
    const raw = join(work, 'corrected-raw.nii.gz');
    const unshrunk = await correctInto(raw, '--shrinkage', '0', '--json');
    expect(unshrunk.code).toBe(0);
    expect(JSON.parse(unshrunk.stdout)).toMatchObject({ output: raw, flips: true, shrinkage: 0 });
    const rawData = (await readVolumeFile(raw)).volume.data;
    expect(maxAbsDiff(rawData, corrected.volume.data)).toBeGreaterThan(1e-3);
    // A bad --shrinkage is a usage error, before any work.
    const bad = await duncan(['correct', SAMPLE, '-o', join(work, 'no.nii'), '--shrinkage', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--shrinkage must be a number of 0 or more \(0 turns it off\), got "-1"/,
    );
    // The input is never the output, even with --overwrite.
    const copy = join(work, 'input.nii.gz');
    copyFileSync(SAMPLE, copy);
    const self = await duncan(['correct', copy, '-o', copy, '--model', model, '--overwrite']);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/must not be an input/);
    expect(sha256(copy)).toBe(before);
    expect(sha256(SAMPLE)).toBe(before);
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('correct: a DICOM series in gives a derived DICOM series out; DUNCAN_BACKEND=cpu is honoured', async () => {
    const series = join(work, 'ge');
    mkdirSync(series);
    for (const name of ['brain_009.dcm', 'brain_010.dcm', 'brain_011.dcm'])
      copyFileSync(join(GE_SERIES, name), join(series, name));
    const out = join(work, 'ge-corrected');
    const r = await duncan(
      ['correct', series, '-o', out, '--model', model, '--workers', '1', '--json'],
      {
        env: { DUNCAN_BACKEND: 'cpu' },
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ backend: 'cpu', format: 'dicom' });
    expect(readdirSync(out)).toEqual(['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm']);
    const back = await readVolumeFile(out);
    expect(back.dicom?.seriesDescription).toBe('FSE PD AXIAL OBL (duncan-mri)');
    expect(back.volume.shape).toEqual([256, 256, 3]);
    const unavailable = await duncan(
      ['correct', series, '-o', join(work, 'x.nii'), '--model', model],
      {
        env: { DUNCAN_BACKEND: 'tfjs-node' },
      },
    );
    expect(unavailable.code).toBe(1);
    expect(unavailable.stderr).toMatch(/BACKEND_UNAVAILABLE/);
    expect(unavailable.stderr).toMatch(/tried tfjs-node \(not installed\)/);
  });

  it('correct: bad inputs and a missing model exit 1 with the MriError message, writing nothing', async () => {
    const dir = join(work, 'bad');
    mkdirSync(dir);
    const truncated = join(dir, 'truncated.nii');
    const bytes = readFileSync(join(GE_SERIES, '..', '..', 'nifti', 'anatomical.nii'));
    writeFileSync(truncated, bytes.subarray(0, 20_000));
    const cases: [string[], RegExp][] = [
      [
        ['correct', truncated, '-o', join(dir, 'o.nii'), '--model', model],
        /readNifti: .*\[CORRUPT_FILE\]/,
      ],
      [
        ['correct', join(dir, 'missing.nii'), '-o', join(dir, 'o.nii'), '--model', model],
        /path does not exist.*\[IO_ERROR\]/,
      ],
      [
        ['correct', SAMPLE, '-o', join(dir, 'o.nii'), '--model', join(dir, 'no-model')],
        /MODEL_NOT_FOUND/,
      ],
      [
        ['correct', SAMPLE, '-o', join(dir, 'o.dcm'), '--model', model],
        /path must end in \.nii or \.nii\.gz/,
      ],
      [
        ['correct', SAMPLE, '-o', join(dir, 'o.nii'), '--model', model, '--axis', 'y'],
        /slices along --axis y must be at least 8x8 voxels, got 256x4/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await duncan(args);
      expect([args[1], r.code]).toEqual([args[1], 1]);
      expect(r.stderr).toMatch(message);
      // A bad output or --axis is refused before any backend or model is loaded.
      if (args[3]!.endsWith('o.dcm') || args.includes('--axis'))
        expect(r.stderr).not.toMatch(/backend:/);
    }
    expect(readdirSync(dir)).toEqual(['truncated.nii']);
  });

  it('correct: NaN voxels are corrected as 0 and written back as NaN', async () => {
    const out = join(work, 'nan.nii');
    const input = join(GE_SERIES, '..', '..', 'nifti', 'resampled_anat_moved.nii');
    const r = await duncan(['correct', input, '-o', out, '--model', model]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/153 non-finite voxels are corrected as 0 and written as NaN/);
    const back = await readVolumeFile(out);
    expect(back.volume.data.filter((v) => Number.isNaN(v)).length).toBe(153);
  });

  it('simulate: the same seed gives the same bytes; --applied records the parameters', async () => {
    const a = join(work, 'sim-a.nii.gz');
    const b = join(work, 'sim-b.nii.gz');
    const c = join(work, 'sim-c.nii.gz');
    const applied = join(work, 'applied.json');
    const base = ['--artefact', 'ghosting', '--artefact', 'noise', '--severity', 'severe'];
    expect(
      (await duncan(['simulate', SAMPLE, '-o', a, ...base, '--seed', '5', '--applied', applied]))
        .code,
    ).toBe(0);
    expect((await duncan(['simulate', SAMPLE, '-o', b, ...base, '--seed', '5'])).code).toBe(0);
    expect((await duncan(['simulate', SAMPLE, '-o', c, ...base, '--seed', '6'])).code).toBe(0);
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(a)).not.toBe(sha256(c));
    const record = readJson(applied);
    expect(record.seed).toBe(5);
    expect(record.applied.map((s: { artefact: string }) => s.artefact)).toEqual([
      'ghosting',
      'noise',
    ]);
  });

  it('metrics: the five metrics with the reference range, as a table or JSON', async () => {
    const noisy = join(work, 'metrics-noisy.nii.gz');
    await duncan(['simulate', SAMPLE, '-o', noisy, '--artefact', 'noise', '--seed', '1']);
    const table = await duncan(['metrics', SAMPLE, noisy]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/data range: 960 \(reference max - min\); SSIM slice-wise/);
    for (const name of ['SSIM', 'MS-SSIM', 'VIF', 'UQI', 'PSNR \\(dB\\)'])
      expect(table.stdout).toMatch(new RegExp(`^${name} +[0-9.]+$`, 'm'));
    const json = await duncan(['metrics', SAMPLE, SAMPLE, '--json', '--data-range', '1000']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ssim: 1,
      msssim: 1,
      uqi: 1,
      psnr: null,
      dataRange: 1000,
      dataRangeSource: 'option',
    });
    expect(json.stderr).toBe('');
    const mismatch = await duncan(['metrics', SAMPLE, join(GE_SERIES, 'brain_010.dcm')]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/SHAPE_MISMATCH/);
  });

  it('train: checkpoint, losses.csv, loss curve and panels; --resume continues; Ctrl-C saves', async () => {
    expect(readdirSync(model).sort()).toEqual(TWO_STEP_RUN_FILES);
    // The loss curve names its axes and every loss term; the panels decode.
    const curve = readFileSync(join(model, 'loss-curve.svg'), 'utf8');
    expectSvgTexts(curve, [
      'training step',
      'loss (unitless)',
      'loss term',
      'cycle',
      'discriminator',
    ]);
    expect(readPngFile(join(model, 'loss-curve.png')).width).toBeGreaterThan(1000);
    expect(readPngFile(join(model, 'panel-step000002.png')).width).toBeGreaterThan(3 * 192);
    const csv = readFileSync(join(model, 'losses.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'step,adversarial,cycle,reconstruction,contentConsistency,artefactConsistency,identity,discriminator,learningRate',
    );
    expect(csv).toHaveLength(3);
    const run = join(work, 'run');
    const train = (extra: string[]) =>
      duncan([
        'train',
        '--clean',
        SAMPLE,
        '--corrupted',
        join(work, 'sim-a.nii.gz'),
        '--out',
        run,
        '--config',
        JSON.stringify(TINY_CONFIG),
        ...extra,
      ]);
    expect((await train(['--steps', '1'])).code).toBe(0);
    const refused = await train(['--steps', '2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds a checkpoint \(pass --resume/);
    const resumed = await train(['--steps', '2', '--resume', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).step).toBe(2);
    expect(readFileSync(join(run, 'losses.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    // Ctrl-C: stops after the current step, saves a resumable checkpoint, exits 130.
    let sent = false;
    const r = await duncan(
      [
        'train',
        '--clean',
        SAMPLE,
        '--simulate',
        'noise',
        '--out',
        run,
        '--steps',
        '100000',
        '--resume',
        '--progress',
      ],
      {
        onStderr: (text, kill) => {
          if (!sent && /training from step/.test(text)) {
            sent = true;
            setTimeout(kill, 1500);
          }
        },
      },
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted: finishing the current step and saving a checkpoint/);
    expect(r.stdout).toMatch(/stopped at step \d+ of 100000; checkpoint saved/);
    const step = readJson(join(run, 'manifest.json')).optimiser.generatorStep;
    expect(step).toBeGreaterThan(2);
    expect(step).toBeLessThan(100000);
  });

  it('train --mode paired / semi: pairs from the clean volumes, paired losses, --resume continues', async () => {
    const run = join(work, 'paired');
    const train = (extra: string[]) =>
      duncan([
        'train',
        '--clean',
        SAMPLE,
        '--out',
        run,
        '--batch-size',
        '2',
        '--every',
        '1',
        '--config',
        JSON.stringify(TINY_CONFIG),
        '--json',
        ...extra,
      ]);
    const paired = await train(['--mode', 'paired', '--steps', '2']);
    expect(paired.code).toBe(0);
    expect(paired.stderr).toMatch(/to step 2 \(paired\): pairs of 1 clean volume\(s\)/);
    const summary = JSON.parse(paired.stdout);
    expect(summary).toMatchObject({ command: 'train', mode: 'paired', step: 2, aborted: false });
    expect(Object.keys(summary.losses).sort()).toEqual(['l1', 'ssim', 'total']);
    expect(readdirSync(run).sort()).toEqual(TWO_STEP_RUN_FILES);
    const csv = () => readFileSync(join(run, 'losses.csv'), 'utf8').trim().split('\n');
    expect(csv()[0]).toBe('step,l1,ssim,total,learningRate');
    expect(csv()).toHaveLength(3);
    // A paired checkpoint continues in mode semi (the pairs continue from the model's step).
    const semi = await train([
      '--mode',
      'semi',
      '--paired-weight',
      '2',
      '--steps',
      '3',
      '--resume',
    ]);
    expect(semi.code).toBe(0);
    expect(JSON.parse(semi.stdout)).toMatchObject({ mode: 'semi', step: 3 });
    expect(csv()[0]).toBe(
      'step,adversarial,cycle,reconstruction,contentConsistency,artefactConsistency,identity,discriminator,pairedL1,pairedSsim,paired,learningRate',
    );
    expect(csv()).toHaveLength(2);
  });

  it('demo: corrupts the T1 sample, corrects it, writes demo-output, the panel and the table', async () => {
    const out = join(work, 'demo');
    const r = await duncan(['demo', '--model', model, '--out', out, '--workers', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /itk-midsag-t1\.nii\.gz \(217x180x1\) corrupted .* moderate motion, seed 42/,
    );
    expect(r.stdout).toMatch(
      /^\| metric \| corrupted \| corrected \| Δ \(corrected − corrupted\) \|$/m,
    );
    // Structure only (no model-quality numbers): every row, its direction and a signed Δ.
    const number = '-?[0-9.]+|inf|n/a';
    const delta = '[+-][0-9.]+ \\((better|worse|same)\\)|[+-]inf|n/a';
    const rows = [
      'SSIM in head ↑',
      'PSNR in head ↑ dB',
      'NRMSE in head ↓',
      'SSIM whole image ↑',
      'PSNR whole image ↑ dB',
      'NRMSE whole image ↓',
      'MS-SSIM whole image ↑',
      'VIF whole image ↑',
      'UQI whole image ↑',
    ];
    for (const label of rows)
      expect(r.stdout).toMatch(
        new RegExp(`^\\| ${label} \\| (${number}) \\| (${number}) \\| (${delta}) \\|$`, 'm'),
      );
    expect(readdirSync(out).sort()).toEqual([
      'artefact-map.nii.gz',
      'clean.nii.gz',
      'corrected.nii.gz',
      'corrupted.nii.gz',
      'metrics.json',
      'panel.png',
    ]);
    // The panel: five 217x180 tiles in a row at full resolution, captions above, legends below.
    const png = readPngFile(join(out, 'panel.png'));
    expect(png.width).toBeGreaterThan(5 * 217 + 4 * 8);
    expect(png.width).toBeLessThan(5 * 217 + 100);
    expect(png.height).toBeGreaterThan(180 + 80);
    const a = readJson(join(out, 'metrics.json'));
    expect(a).toMatchObject({
      command: 'demo',
      shape: [217, 180, 1],
      seed: 42,
      recipe: [{ artefact: 'motion', severity: 'moderate' }],
      slicesScored: 1,
      panel: { slice: 0 },
    });
    expect(a.sample).toMatch(/sample[/\\]itk-midsag-t1\.nii\.gz$/);
    expect(
      a.table.map((row: { metric: string; region: string }) => `${row.metric} ${row.region}`),
    ).toEqual(
      ['SSIM', 'PSNR', 'NRMSE']
        .map((m) => `${m} head`)
        .concat(['SSIM', 'PSNR', 'NRMSE', 'MS-SSIM', 'VIF', 'UQI'].map((m) => `${m} whole`)),
    );
    for (const row of a.table)
      if (row.delta !== null) expect(row.delta).toBeCloseTo(row.corrected - row.corrupted, 10);
    expect(a.headVoxels).toBeGreaterThan(0);
    expect(a.headVoxels).toBeLessThan(217 * 180);
    expect((await readVolumeFile(join(out, 'clean.nii.gz'))).volume.shape).toEqual([217, 180, 1]);

    const again = await duncan(['demo', '--model', model, '--out', out, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).corrupted).toEqual(a.corrupted);

    // Any file with --input: a 3-D volume is corrupted, corrected and scored slice by slice.
    const pd = await duncan([
      'demo',
      '--input',
      SAMPLE,
      '--model',
      model,
      '--out',
      join(work, 'demo-pd'),
      '--seed',
      '3',
      '--json',
    ]);
    expect(pd.code).toBe(0);
    const p = JSON.parse(pd.stdout);
    expect(p).toMatchObject({
      shape: [256, 256, 4],
      seed: 3,
      slicesScored: 4,
      panel: { slice: 2 },
    });
    expect(p.applied).toHaveLength(4);
    // Each slice is corrupted with its own geometry (0.86 mm pixels, 5 mm thick), as
    // simulateSlices corrupts a volume, not as an image of 1 mm voxels.
    const pdInput = (await readVolumeFile(SAMPLE)).volume;
    const pdCorrupted = await readVolumeFile(join(work, 'demo-pd', 'corrupted.nii.gz'));
    expect(pdCorrupted.volume.data).toEqual(
      simulateSlices(pdInput, [{ artefact: 'motion', severity: 'moderate' }], createRng(3)).volume
        .data,
    );
    const panel = readPngFile(join(work, 'demo-pd', 'panel.png'));
    expect(panel.width).toBeGreaterThan(5 * 256 + 4 * 8);
    expect(panel.height).toBeGreaterThan(256 + 80);

    // A missing model or input fails with its code.
    for (const [option, missing, out, code] of [
      ['--model', 'nothing-here', 'demo2', /MODEL_NOT_FOUND/],
      ['--input', 'nothing.nii', 'demo3', /IO_ERROR/],
    ] as const) {
      const r = await duncan(['demo', option, join(work, missing), '--out', join(work, out)]);
      expect([option, r.code]).toEqual([option, 1]);
      expect(r.stderr).toMatch(code);
    }
  });
});
