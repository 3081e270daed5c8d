// End-to-end: `duncan evaluate` of the BUILT CLI (dist/cli.js) on small real images (the
// bundled sample, 4x smaller, 2 slices) with a tiny random model. Run `npx tsup` first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, saveCheckpoint } from '@duncan-mri/core';
import { brainMask, compareImages, dice, segmentTissues } from '@duncan-mri/metrics';
import { simulate } from '@duncan-mri/simulate';
import { createRng, createVolume, type Volume } from '@duncan-mri/volume';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCheckpoint } from '../src/checkpoint-files.js';
import { lockOutput, OUTPUT_LOCK_FILE } from '../src/internal/output-lock.js';
import { readVolumeFile } from '../src/read-volume-file.js';
import { useNodeBackend } from '../src/use-node-backend.js';
import { writeVolumeFile } from '../src/write-volume-file.js';
import {
  assertCliBuilt,
  duncan,
  readJson,
  SAMPLE,
  shrink,
  TINY_CONFIG,
  tempDir,
} from './helpers.js';
import { readPngFile } from './png-reader.js';
import { expectSvgTexts } from './svg-texts.js';

let work: string;
let model: string;
let small: string;
let clean: Volume;

beforeAll(async () => {
  assertCliBuilt();
  work = tempDir('duncan-evaluate-');
  await useNodeBackend({ env: {} });
  const m = createModel(TINY_CONFIG, { seed: 5 });
  model = join(work, 'model');
  writeCheckpoint(model, await saveCheckpoint(m));
  m.dispose();
  clean = shrink((await readVolumeFile(SAMPLE)).volume);
  small = (await writeVolumeFile(join(work, 'small.nii'), clean)).path;
});

/** `duncan evaluate` of `inputs` (--clean, then --corrupted or --simulate) with the tiny model. */
const evaluateInto = (out: string, workers: number, inputs: readonly string[]) => [
  'evaluate',
  ...inputs,
  '--model',
  model,
  '-o',
  out,
  '--workers',
  String(workers),
];

describe('duncan evaluate (built CLI)', () => {
  it('--simulate: report.md, report.json, box plots and panels; JSON summary; same seed, same report', async () => {
    const out = join(work, 'report');
    const args = [
      ...evaluateInto(out, 1, [
        '--clean',
        small,
        '--simulate',
        'ghosting',
        '--severities',
        'mild,severe',
      ]),
      '--json',
    ];
    const r = await duncan(args);
    expect(r.stderr).toMatch(/backend: wasm/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      command: 'evaluate',
      output: out,
      cases: 1,
      backend: 'wasm',
      flips: true, // mirror averaging, the default
      shrinkage: 1, // residual shrinkage, the default
    });
    expect(summary.groups.map((g: { severity: string }) => g.severity)).toEqual(['mild', 'severe']);
    for (const g of summary.groups) {
      for (const side of ['corrupted', 'corrected']) {
        for (const key of ['ssim', 'vif', 'uqi', 'psnr', 'dice'])
          expect([side, key, typeof g[side][key]]).toEqual([side, key, 'number']);
        expect(g[side].msssim).toBeNull(); // 64x64 slices: under 176x176
        expect(g[side].dicePerClass).toHaveLength(3);
      }
    }
    // a severe artefact hurts more than a mild one (the baseline column)
    expect(summary.groups[1].corrupted.ssim).toBeLessThan(summary.groups[0].corrupted.ssim);
    expect(readdirSync(out).sort()).toEqual([
      'boxplot-dice.png',
      'boxplot-dice.svg',
      'boxplot-ssim.png',
      'boxplot-ssim.svg',
      'panel-ghosting.png',
      'report.json',
      'report.md',
    ]);
    // panel: 4 columns x 2 rows of 64x64 tiles enlarged 3x (192x192), captions and legends
    const panel = readPngFile(join(out, 'panel-ghosting.png'));
    expect(panel.width).toBeGreaterThan(4 * 192);
    expect(panel.height).toBeGreaterThan(2 * 192);
    // box plots: labelled SVG and its PNG at twice the size
    const ssimSvg = readFileSync(join(out, 'boxplot-ssim.svg'), 'utf8');
    expectSvgTexts(ssimSvg, [
      'SSIM per slice against the clean image',
      'artefact, severity',
      'SSIM (unitless, 1 = identical)',
      'no correction',
      'corrected',
      'ghosting mild',
      'ghosting severe',
    ]);
    const [, svgWidth] = ssimSvg.match(/^<svg[^>]* width="(\d+)"/)!;
    expect(readPngFile(join(out, 'boxplot-ssim.png')).width).toBe(2 * Number(svgWidth));
    expect(readFileSync(join(out, 'boxplot-dice.svg'), 'utf8')).toContain(
      '>mean Dice (unitless, 1 = identical)<',
    );
    const report = readJson(join(out, 'report.json'));
    expect(report.rows).toHaveLength(2);
    expect(report.rows[0].slices.ssim.corrupted).toHaveLength(2);
    expect(report.rows[0].corrupted.dice.perClass).toHaveLength(3);
    expect(report.figures.panels).toEqual([
      {
        file: 'panel-ghosting.png',
        case: 'small',
        artefact: 'ghosting',
        severity: 'severe',
        slice: 1,
      },
    ]);
    expect(report.groups[0].boxes.ssim.corrected.n).toBe(2);
    expect(report.cases[0].mask.voxels).toBeGreaterThan(1000);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(
      /\| artefact \| severity \| cases \| SSIM no correction \| SSIM corrected \|/,
    );
    expect(md).toMatch(/^\| ghosting \| severe \| 1 \| [0-9.]+ \| [0-9.]+ \|/m);
    expect(md).toMatch(/!\[SSIM per slice\]\(boxplot-ssim\.png\)/);
    expect(md).toMatch(/!\[mean Dice per slice\]\(boxplot-dice\.png\)/);
    expect(md).toMatch(/!\[ghosting severe\]\(panel-ghosting\.png\)/);
    expect(md).toMatch(/`boxplot-ssim\.svg`/);
    expect(md).toMatch(/; slicing axis: z; mirror averaging: on \(4 views\)$/m);
    expect(md).toMatch(
      /^- residual shrinkage: each slice's correction soft-thresholded at 1 x its noise level \(--shrinkage 1\)$/m,
    );
    expect(report.flips).toBe(true);
    expect(report.shrinkage).toBe(1);
    // the report leads with the in-head table against the baselines, whole image second
    const inHead = md.indexOf('**In the head**');
    const wholeImage = md.indexOf('**Whole image**');
    const diceTable = md.indexOf('| artefact | severity | cases | SSIM no correction');
    expect(inHead).toBeGreaterThan(0);
    expect(wholeImage).toBeGreaterThan(inHead);
    expect(diceTable).toBeGreaterThan(wholeImage);
    expect(md).toContain('| ΔSSIM model − unchanged [95 % CI] (↑ better) |');
    expect(md).toMatch(
      /^\| small, unlabelled, ghosting, severe \| 2 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [-+][0-9.]+ \[/m,
    );
    // groups: per case (clean-through first), per artefact and severity, per contrast, overall
    expect(report.correction.groups.map((g: { name: string }) => g.name)).toEqual([
      'small, unlabelled, none, none',
      'small, unlabelled, ghosting, mild',
      'small, unlabelled, ghosting, severe',
      'none, none (all subjects)',
      'ghosting, mild (all subjects)',
      'ghosting, severe (all subjects)',
      'unlabelled (all artefacts)',
      'overall (all artefacts)',
    ]);
    expect(report.correction.settings).toMatchObject({ seed: 2026, resamples: 2000 });
    const through = report.correction.groups[0].inHead;
    expect(through.means.unchanged.ssim).toBe(1);
    expect(through.means.model.ssim).toBeLessThanOrEqual(1);
    expect(report.correction.cases).toHaveLength(3);
    expect(report.correction.cases[1].slices.model).toHaveLength(2);
    expect(report.correction.cases[1].mask).toBe('headMask');
    expect(summary.correction.groups.at(-1)).toMatchObject({ kind: 'overall', slices: 4 });
    expect(typeof summary.correction.groups.at(-1).inHead.modelBeatsBaselines).toBe('boolean');
    // an existing report is refused before any work; --overwrite gives the same numbers
    const again = await duncan(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds report\.json \(pass --overwrite/);
    const repeat = await duncan([...args, '--overwrite']);
    expect(repeat.code).toBe(0);
    expect(JSON.parse(repeat.stdout).groups).toEqual(summary.groups);
  });

  it('--corruption both: simulator and shot-model rows side by side, each with its panel', async () => {
    const out = join(work, 'shots');
    const r = await duncan(
      evaluateInto(out, 0, [
        '--clean',
        small,
        '--simulate',
        'motion:severe',
        '--corruption',
        'both',
      ]),
    );
    expect(r.code).toBe(0);
    // the console leads with the pooled in-head table
    expect(r.stdout.indexOf('**In the head**')).toBeLessThan(r.stdout.indexOf('**Whole image**'));
    expect(r.stdout.indexOf('**Whole image**')).toBeLessThan(
      r.stdout.indexOf('| artefact | severity | cases |'),
    );
    expect(r.stdout).toMatch(/^\| shot-motion, severe \(all subjects\) \| 2 \|/m);
    const report = readJson(join(out, 'report.json'));
    expect(report.rows.map((row: { artefact: string }) => row.artefact)).toEqual([
      'motion',
      'shot-motion',
    ]);
    expect(
      report.recipe.map((v: { corruption: string; seed: number }) => [v.corruption, v.seed]),
    ).toEqual([
      ['simulator', 3028],
      ['shots', 4028],
    ]);
    expect(report.simulation).toMatch(/--corruption both/);
    expect(
      readdirSync(out)
        .filter((f) => f.startsWith('panel-'))
        .sort(),
    ).toEqual(['panel-motion.png', 'panel-shot-motion.png']);
  });

  it('--draws: several corrupted versions per artefact and severity, each seeded, pooled in one row', async () => {
    const out = join(work, 'draws');
    const r = await duncan(
      evaluateInto(out, 0, ['--clean', small, '--simulate', 'motion:severe', '--draws', '3']),
    );
    expect(r.code).toBe(0);
    const report = readJson(join(out, 'report.json'));
    expect(report.draws).toBe(3);
    expect(report.recipe.map((v: { seed: number; draw: number }) => [v.seed, v.draw])).toEqual([
      [3028, 0],
      [13028, 1],
      [23028, 2],
    ]);
    expect(report.rows.map((row: { artefact: string }) => row.artefact)).toEqual([
      'motion',
      'motion',
      'motion',
    ]);
    // three different corruptions of the same clean image
    const unchanged = report.rows.map(
      (row: { corrupted: { ssim: number } }) => row.corrupted.ssim,
    ) as number[];
    expect(new Set(unchanged).size).toBe(3);
    // one subject row and one pooled row, each over 3 draws x 2 slices
    const groups = report.correction.groups.filter(
      (g: { artefact: string }) => g.artefact === 'motion',
    );
    expect(
      groups.map((g: { kind: string; cases: number; slices: number }) => [
        g.kind,
        g.cases,
        g.slices,
      ]),
    ).toEqual([
      ['subject', 3, 6],
      ['artefact', 3, 6],
    ]);
    expect(report.simulation).toMatch(/3 draws of each artefact and severity/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/3 draws of each artefact/);
    const refused = await duncan([
      'evaluate',
      '--clean',
      small,
      '--corrupted',
      small,
      '--draws',
      '2',
      '-o',
      join(work, 'draws-files'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--draws needs --simulate/);
  });

  it('--corrupted: paired files, labels from the names, baseline and Dice as the library computes them', async () => {
    const rng = createRng(9);
    const noisy = simulate(clean, [{ artefact: 'noise', severity: 'severe' }], rng).volume;
    const file = (await writeVolumeFile(join(work, 'small-noise-severe.nii'), noisy)).path;
    const out = join(work, 'paired');
    const r = await duncan(evaluateInto(out, 0, ['--clean', small, '--corrupted', file]));
    expect(r.code).toBe(0);
    // the printed summary table, with the baseline column
    expect(r.stdout).toMatch(/\| Dice \(mean\) no correction \| Dice \(mean\) corrected \|/);
    expect(r.stdout).toMatch(/^\| noise \| severe \| 1 \|/m);
    const row = readJson(join(out, 'report.json')).rows[0];
    expect(row).toMatchObject({ artefact: 'noise', severity: 'severe', corruptedFile: file });
    const back = (await readVolumeFile(file)).volume;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of clean.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const expected = compareImages(clean, back, { dataRange: hi - lo, slicewise: true });
    expect(row.corrupted.ssim).toBeCloseTo(expected.ssim, 10);
    expect(row.corrupted.psnr).toBeCloseTo(expected.psnr, 8);
    // one mask (the clean image's) for both segmentations
    const mask = brainMask(clean);
    const reference = segmentTissues(clean, { classes: 3, mask });
    const test = segmentTissues(back, { classes: 3, mask });
    const d = dice(reference.labels, test.labels, { classes: 3 });
    expect(row.corrupted.dice.mean).toBeCloseTo(d.mean, 10);
  });

  it('a 2-D image works; a tiny foreground gives Dice n/a with the reason, not a crash', async () => {
    const slice = createVolume({
      data: clean.data.slice(0, 64 * 64),
      shape: [64, 64],
      affine: clean.affine,
    });
    const flat = (await writeVolumeFile(join(work, 'slice.nii'), slice)).path;
    const data = new Float32Array(32 * 32);
    const rng = createRng(3);
    for (let y = 14; y < 19; y++)
      for (let x = 14; x < 19; x++) data[x + 32 * y] = 100 + 50 * rng.float();
    const blob = (
      await writeVolumeFile(join(work, 'blob.nii'), createVolume({ data, shape: [32, 32] }))
    ).path;
    const out = join(work, 'two-d');
    // --no-flips: one forward pass per slice, and --shrinkage 0: the network's output as it
    // is, both recorded in the summary and the report.
    const r = await duncan([
      ...evaluateInto(out, 1, ['--clean', flat, blob, '--simulate', 'noise:moderate']),
      '--no-flips',
      '--shrinkage',
      '0',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ flips: false, shrinkage: 0 });
    expect(r.stderr).toMatch(
      /note: blob: Dice is n\/a \(the mask holds 25 voxels, fewer than the 100/,
    );
    const report = readJson(join(out, 'report.json'));
    expect(report.cases.map((c: { shape: number[] }) => c.shape)).toEqual([
      [64, 64, 1],
      [32, 32, 1],
    ]);
    const [sliceRow, blobRow] = report.rows;
    expect(typeof sliceRow.corrected.dice.mean).toBe('number');
    expect(blobRow.corrupted.dice).toBeNull();
    expect(typeof blobRow.corrupted.ssim).toBe('number');
    expect(report.groups[0].cases).toBe(2);
    expect(report.groups[0].metrics.dice.corrupted.n).toBe(1);
    expect(report.flips).toBe(false);
    expect(report.shrinkage).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| blob \| .* \| n\/a: the mask holds 25 voxels/);
    expect(md).toMatch(/; mirror averaging: off \(--no-flips\)$/m);
    expect(md).toMatch(/^- residual shrinkage: off \(--shrinkage 0\)$/m);
  });

  it('refuses a second run into an -o that another run holds, leaving it untouched', async () => {
    const out = join(work, 'busy');
    const held = lockOutput('test', '-o', out, 'duncan evaluate (another run)');
    try {
      const r = await duncan([
        'evaluate',
        '--clean',
        small,
        '--simulate',
        'noise',
        '--model',
        model,
        '-o',
        out,
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `-o/--output must not be in use by another run, .*locked by duncan evaluate \\(another run\\) \\(pid ${process.pid} on host`,
        ),
      );
      expect(readdirSync(out)).toEqual([OUTPUT_LOCK_FILE]);
      expect(readJson(held.path).pid).toBe(process.pid);
    } finally {
      held.release();
    }
  });

  it('help with an example; usage errors exit 2, mismatched pairs exit 1', async () => {
    const help = await duncan(['evaluate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /Usage: duncan evaluate[\s\S]*Paired evaluation[\s\S]*Example:\n {2}duncan evaluate/,
    );
    expect((await duncan(['--help'])).stdout).toMatch(/evaluate +image-quality metrics/);
    const o = ['-o', join(work, 'x')];
    const cases: [string[], RegExp][] = [
      [['evaluate', '--simulate', 'motion', ...o], /--clean is required/],
      [['evaluate', '--clean', small, ...o], /either --corrupted .* or --simulate/],
      [['evaluate', '--clean', small, '--simulate', 'motion'], /-o\/--output is required/],
      [
        ['evaluate', '--clean', small, small, '--corrupted', small, small, small, ...o],
        /pairs with --clean in order/,
      ],
      [
        ['evaluate', '--clean', small, '--simulate', 'motion', '--severities', 'awful', ...o],
        /--severities are among/,
      ],
      [
        ['evaluate', '--clean', small, '--simulate', 'wobble', ...o],
        /--simulate names artefacts among/,
      ],
      [
        ['evaluate', '--clean', small, '--corrupted', small, '--corruption', 'shots', ...o],
        /--corruption needs --simulate/,
      ],
      [
        ['evaluate', '--clean', small, '--simulate', 'motion', '--corruption', 'k-space', ...o],
        /--corruption is one of simulator, shots, both/,
      ],
      [
        ['evaluate', '--clean', small, '--simulate', 'noise', '--corruption', 'shots', ...o],
        /--corruption shots models only motion and ghosting/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await duncan(args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(message);
    }
    const other = await writeVolumeFile(
      join(work, 'other-shape.nii'),
      createVolume({ data: new Float32Array(16 * 16).fill(1), shape: [16, 16] }),
    );
    const mismatch = await duncan([
      'evaluate',
      '--clean',
      small,
      '--corrupted',
      other.path,
      '--model',
      model,
      ...o,
      '--workers',
      '0',
    ]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(
      /--corrupted must have the shape of its --clean image.*\[SHAPE_MISMATCH\]/,
    );
  });
});
