// End-to-end: how the built `duncan` CLI judges its arguments and inputs: before any work
// starts, in one line each, with advice a command-line user can follow.

import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, copyGeSeries, duncan, NIFTI, tempDir } from './helpers.js';

const INPUT = NIFTI('anatomical.nii');

beforeAll(assertCliBuilt);

describe('duncan: argument checks', () => {
  it('caps --workers at the core count with a warning; --quiet keeps warnings only', async () => {
    const dir = tempDir();
    const cores = availableParallelism();
    const r = await duncan([
      'correct',
      INPUT,
      '-o',
      join(dir, 'out.nii'),
      '--workers',
      String(cores + 1),
      '--quiet',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `warning: --workers ${cores + 1} is more than the ${cores} cores here; using ${cores} (more workers only contend for the cores, and each holds a copy of the model)\n`,
    );
    // No more workers than cores, nor than the volume's 25 slices.
    expect(JSON.parse(r.stdout).workers).toBe(Math.min(cores, 25));
  });

  it('gives negative numbers the option\'s own rule, not "ambiguous"; no doubled prefixes', async () => {
    const dir = tempDir();
    const cases: [string[], string][] = [
      [
        ['correct', INPUT, '-o', join(dir, 'o.nii'), '--batch-size', '-4'],
        '--batch-size must be a positive integer up to 4096, got "-4"',
      ],
      [
        ['correct', INPUT, '-o', join(dir, 'o.nii'), '--workers', '-1'],
        '--workers must be an integer of 0 or more up to 256, got "-1"',
      ],
      [
        ['simulate', INPUT, '-o', join(dir, 'o.nii'), '--artefact', 'noise', '--seed', '-3'],
        '--seed must be an integer of 0 or more, got "-3"',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await duncan(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `duncan ${args[0]}: ${message}\nRun 'duncan ${args[0]} --help' for usage.\n`,
      );
    }
    writeFileSync(join(dir, 'applied.json'), '{}');
    const exists = await duncan([
      'simulate',
      INPUT,
      '-o',
      join(dir, 'o.nii'),
      '--artefact',
      'noise',
      '--seed',
      '1',
      '--applied',
      join(dir, 'applied.json'),
    ]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/^duncan simulate: --applied must not exist already/);
    expect(exists.stderr).not.toMatch(/duncan simulate: duncan/);
  });

  it('names --max-voxels where the readers would say limits.maxVoxels', async () => {
    const small = await duncan(['info', INPUT, '--max-voxels', '1000']);
    expect(small.code).toBe(1);
    expect(small.stderr).toMatch(/maxVoxels must be at most 1000.*--max-voxels <n>/);
    expect(small.stderr).not.toMatch(/limits\./);
    expect((await duncan(['info', INPUT, '--max-voxels', '40000'])).code).toBe(0);
  });
});

describe('duncan metrics on 4-D inputs', () => {
  it('refuses to score frame 1 silently: --frame chooses, and a difference in a later frame shows', async () => {
    const dir = tempDir();
    // functional.nii: 17x21x3 voxels x 20 frames of int16. The copy differs from frame 2 on.
    const bytes = readFileSync(NIFTI('functional.nii'));
    const frameBytes = 17 * 21 * 3 * 2;
    const changed = Buffer.from(bytes);
    for (let i = 352 + frameBytes; i < changed.length; i += 2) changed[i] = changed[i]! ^ 0x08;
    const test = join(dir, 'changed.nii');
    writeFileSync(test, changed);
    const refused = await duncan(['metrics', NIFTI('functional.nii'), test]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /frame must be given when an input is 4-D \(the reference has 20 frames, the test 20\).*--frame <n>.*\[INVALID_ARGUMENT\]/,
    );
    const first = await duncan([
      'metrics',
      NIFTI('functional.nii'),
      test,
      '--frame',
      '1',
      '--json',
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ frame: 1, ssim: 1, psnr: null });
    const second = await duncan([
      'metrics',
      NIFTI('functional.nii'),
      test,
      '--frame',
      '2',
      '--json',
    ]);
    expect(second.code, second.stderr).toBe(0);
    const m = JSON.parse(second.stdout);
    expect(m.frame).toBe(2);
    expect(m.ssim).toBeLessThan(1);
    expect(m.psnr).toBeGreaterThan(0);
    const past = await duncan(['metrics', NIFTI('functional.nii'), test, '--frame', '21']);
    expect(past.stderr).toMatch(/frame must be an integer in \[0, 19\]/);
  });
});

describe('duncan on a DICOM directory with an unreadable file', () => {
  it('skips it with a warning that names it; --strict fails on it, by name', async () => {
    const dir = tempDir();
    const series = join(dir, 'series');
    copyGeSeries(series, 1, 3);
    writeFileSync(join(series, 'brain_021.dcm'), 'not a DICOM file at all');
    const info = await duncan(['info', series]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/shape\s+256 x 256 x 3/);
    expect(info.stdout).toMatch(
      /warning\s+skipped brain_021\.dcm: readDicomSeries: brain_021\.dcm: /,
    );
    const strict = await duncan(['info', series, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /^duncan info: readDicomSeries: brain_021\.dcm: .*\[CORRUPT_FILE\]\n$/,
    );
    expect(strict.stderr).not.toMatch(/files\[/);
  });
});
