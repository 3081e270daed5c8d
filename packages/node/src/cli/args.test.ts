import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  axisOption,
  intOption,
  parseCommand,
  shrinkageOption,
  UsageError,
  workersOption,
} from './args.js';
import { parseRecipe } from './recipe.js';

describe('CLI argument parsing', () => {
  it('takes several words after a list option, and reports mistakes as usage errors', () => {
    const { values, positionals } = parseCommand(
      ['--clean', 'a.nii', 'b.nii', '--out', 'o', '--corrupted', 'c.nii', 'extra'],
      [
        { name: 'clean', value: '<paths...>', list: true, help: '' },
        { name: 'corrupted', value: '<paths...>', list: true, help: '' },
        { name: 'out', value: '<dir>', help: '' },
      ],
    );
    expect(values.clean).toEqual(['a.nii', 'b.nii']);
    expect(values.corrupted).toEqual(['c.nii', 'extra']);
    expect(positionals).toEqual([]);
    expect(() =>
      parseCommand(['--clean'], [{ name: 'clean', value: '<paths...>', list: true, help: '' }]),
    ).toThrow(UsageError);
    expect(() => parseCommand(['--nope'], [])).toThrow(/Unknown option '--nope'/);
    expect(intOption({ workers: '3' }, 'workers', 1, 0, 8)).toBe(3);
    expect(() => intOption({ workers: '3.5' }, 'workers', 1, 0)).toThrow(UsageError);
    expect(() => intOption({ workers: '9' }, 'workers', 1, 0, 8)).toThrow(
      /--workers must be an integer of 0 or more up to 8, got "9"/,
    );
    expect(axisOption({ axis: 'X' })).toBe(0);
    expect(axisOption({})).toBe(2);
  });

  it("reads --shrinkage as a number of 0 or more, core's default when not given", () => {
    expect(shrinkageOption({})).toBe(1);
    expect(shrinkageOption({ shrinkage: '0' })).toBe(0);
    expect(shrinkageOption({ shrinkage: '2.5' })).toBe(2.5);
    const spec = [{ name: 'shrinkage', value: '<k>', help: '' }];
    expect(shrinkageOption(parseCommand(['--shrinkage', '0.75'], spec).values)).toBe(0.75);
    for (const raw of ['-1', 'x', '', 'Infinity', ' ']) {
      expect(() => shrinkageOption({ shrinkage: raw })).toThrow(
        `--shrinkage must be a number of 0 or more (0 turns it off), got ${JSON.stringify(raw)}`,
      );
    }
    expect(() => shrinkageOption({ shrinkage: '-1' })).toThrow(UsageError);
  });

  it('reads simulation recipes as shorthand, JSON or a file', () => {
    const none = () => '';
    expect(parseRecipe('motion:severe,noise', none)).toEqual([
      { artefact: 'motion', severity: 'severe' },
      { artefact: 'noise', severity: 'moderate' },
    ]);
    expect(parseRecipe('[{"artefact":"blur","params":{"sigmaMm":1}}]', none)).toEqual([
      { artefact: 'blur', params: { sigmaMm: 1 } },
    ]);
    expect(parseRecipe('r.json', () => '{"artefact":"spike"}')).toEqual([{ artefact: 'spike' }]);
    expect(() => parseRecipe('wobble', none)).toThrow(/--simulate names artefacts among/);
    expect(() => parseRecipe('noise:extreme', none)).toThrow(
      /severities are mild, moderate, severe/,
    );
    expect(() => parseRecipe('[{', none)).toThrow(UsageError);
  });

  it("takes a negative number as the value it is, judged by the option's own rule", () => {
    const spec = [
      { name: 'batch-size', value: '<n>', help: '' },
      { name: 'workers', value: '<n>', help: '' },
    ];
    const { values } = parseCommand(['--batch-size', '-4', '--workers', '-1'], spec);
    expect(values).toMatchObject({ 'batch-size': '-4', workers: '-1' });
    expect(() => intOption(values, 'batch-size', 8, 1, 4096)).toThrow(
      '--batch-size must be a positive integer up to 4096, got "-4"',
    );
    expect(() => intOption(values, 'workers', 1, 0, 256)).toThrow(
      '--workers must be an integer of 0 or more up to 256, got "-1"',
    );
    // Not a number: still parseArgs' own judgement, a usage error.
    expect(() => parseCommand(['--workers', '-x'], spec)).toThrow(UsageError);
    expect(parseCommand(['-q'], spec).values.quiet).toBe(true);
  });

  it('caps --workers at the core count with a warning (correct, bids, evaluate, demo)', () => {
    const cores = availableParallelism();
    const warnings: string[] = [];
    expect(workersOption({ workers: String(cores + 3) }, (w) => warnings.push(w))).toBe(cores);
    expect(workersOption({ workers: String(cores) }, (w) => warnings.push(w))).toBe(cores);
    expect(workersOption({}, (w) => warnings.push(w))).toBeUndefined();
    expect(warnings).toEqual([
      `warning: --workers ${cores + 3} is more than the ${cores} cores here; using ${cores} (more workers only contend for the cores, and each holds a copy of the model)`,
    ]);
  });
});
