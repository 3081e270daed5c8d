import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIDS_FIXTURE, BIDS_FIXTURE_IMAGES } from '../../test/bids-fixture.js';
import { tempDir } from '../../test/helpers.js';
import {
  checkAnatName,
  DEFAULT_SUFFIXES,
  findAnatImages,
  formatBidsName,
  parseBidsName,
  readDatasetDescription,
} from './bids-layout.js';

describe('parseBidsName / formatBidsName', () => {
  it('takes a name apart into entities, suffix and extension', () => {
    expect(parseBidsName('sub-01_ses-pre_acq-mprage_run-2_T1w.nii.gz')).toEqual({
      entities: [
        ['sub', '01'],
        ['ses', 'pre'],
        ['acq', 'mprage'],
        ['run', '2'],
      ],
      suffix: 'T1w',
      extension: '.nii.gz',
    });
    expect(parseBidsName('dataset_description.json')).toBeUndefined();
    for (const bad of [
      'sub-01_T1w_bis.nii',
      'sub-0 1_T1w.nii',
      'sub-_T1w.nii',
      '-01_T1w.nii',
      'sub-01_.nii',
      'Sub-01_T1w.nii',
    ])
      expect([bad, parseBidsName(bad)]).toEqual([bad, undefined]);
  });

  it('formats back exactly what it parsed (property)', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9]{1,6}$/);
    const key = fc.stringMatching(/^[a-z]{1,5}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, label), { maxLength: 5 }),
        label,
        fc.constantFrom('', '.nii', '.nii.gz', '.json'),
        (entities, suffix, extension) => {
          const name = formatBidsName({ entities, suffix, extension });
          expect(parseBidsName(name)).toEqual({ entities, suffix, extension });
        },
      ),
    );
  });
});

describe('checkAnatName', () => {
  const check = (name: string, sub = '01', ses?: string) =>
    checkAnatName(parseBidsName(name)!, sub, ses);
  it('accepts the entities of a raw anatomical image in order', () => {
    expect(check('sub-01_T1w.nii.gz')).toBeUndefined();
    expect(
      check(
        'sub-01_ses-a_task-rest_acq-x_ce-gd_rec-norm_run-1_echo-2_part-mag_chunk-3_T1w.nii',
        '01',
        'a',
      ),
    ).toBeUndefined();
  });
  it('says what is wrong otherwise', () => {
    expect(check('acq-x_sub-01_T1w.nii')).toMatch(/must start with sub-/);
    expect(check('sub-02_T1w.nii')).toMatch(/label of its folder, sub-01/);
    expect(check('sub-01_T1w.nii', '01', 'a')).toMatch(/ses-a, not none/);
    expect(check('sub-01_ses-a_T1w.nii')).toMatch(/not in a ses-a folder/);
    expect(check('sub-01_desc-x_T1w.nii')).toMatch(
      /entity desc-, which a raw anatomical image cannot have/,
    );
    expect(check('sub-01_run-1_acq-x_T1w.nii')).toMatch(
      /order its entities .*run- comes after acq-/,
    );
    expect(check('sub-01_acq-x_acq-y_T1w.nii')).toMatch(/acq- twice/);
    expect(check('sub-01_run-a_T1w.nii')).toMatch(/digits as the value of run-/);
  });
});

describe('findAnatImages', () => {
  it('lists the fixture images in a stable order, filtered by participant and suffix', () => {
    const all = findAnatImages(BIDS_FIXTURE, { suffixes: DEFAULT_SUFFIXES });
    expect(all.participants).toEqual(['01', '02', '03']);
    expect(all.problems).toEqual([]);
    expect(all.images.map((i) => i.relativePath)).toEqual(BIDS_FIXTURE_IMAGES);
    const some = findAnatImages(BIDS_FIXTURE, { participants: ['03', '01'], suffixes: ['PDw'] });
    expect(some.images.map((i) => i.relativePath)).toEqual(['sub-01/anat/sub-01_PDw.nii.gz']);
    expect(() => findAnatImages(BIDS_FIXTURE, { participants: ['9'], suffixes: ['T1w'] })).toThrow(
      /sub-01, sub-02, sub-03\), got sub-9/,
    );
  });

  it('finds session folders, filters them, and lists names that break the rules', () => {
    const ds = tempDir('duncan-layout-');
    const put = (rel: string) => {
      mkdirSync(join(ds, rel, '..'), { recursive: true });
      copyFileSync(join(BIDS_FIXTURE, 'sub-03/anat/sub-03_run-1_T1w.nii.gz'), join(ds, rel));
    };
    put('sub-01/ses-1/anat/sub-01_ses-1_T1w.nii.gz');
    put('sub-01/ses-2/anat/sub-01_ses-2_T1w.nii');
    put('sub-01/ses-2/anat/sub-01_ses-1_T1w.nii.gz');
    put('sub-01/ses-2/anat/.hidden_T1w.nii.gz');
    put('sub-02/anat/sub-02_T1map.nii.gz');
    writeFileSync(join(ds, 'sub-02/anat/sub-02_T1w.json'), '{}');
    mkdirSync(join(ds, 'derivatives/sub-09/anat'), { recursive: true });
    const scan = findAnatImages(ds, { suffixes: ['T1w'] });
    expect(scan.participants).toEqual(['01', '02']);
    expect(scan.images.map((i) => [i.relativePath, i.subject, i.session])).toEqual([
      ['sub-01/ses-1/anat/sub-01_ses-1_T1w.nii.gz', '01', '1'],
      ['sub-01/ses-2/anat/sub-01_ses-2_T1w.nii', '01', '2'],
    ]);
    expect(scan.problems).toEqual([
      'sub-01/ses-2/anat/sub-01_ses-1_T1w.nii.gz: must have the label of its folder, ses-2, not ses-1',
    ]);
    const second = findAnatImages(ds, { sessions: ['2'], suffixes: ['T1w'] });
    expect(second.images.map((i) => i.session)).toEqual(['2']);
    expect(() => findAnatImages(ds, { sessions: ['3'], suffixes: ['T1w'] })).toThrow(
      /ses-1, ses-2\), got ses-3/,
    );
  });
});

describe('readDatasetDescription', () => {
  it('reads a description and says why another is not one', () => {
    expect(readDatasetDescription(BIDS_FIXTURE).description?.Name).toBe(
      'duncan-mri tiny BIDS fixture',
    );
    const dir = tempDir('duncan-description-');
    expect(readDatasetDescription(dir).problem).toMatch(/is missing/);
    const cases: [string, RegExp][] = [
      ['{', /not valid JSON/],
      ['[1]', /must hold a JSON object, got/],
      ['{"Name":"x"}', /non-empty string BIDSVersion/],
      ['{"BIDSVersion":"1.10.1","Name":""}', /non-empty string Name/],
    ];
    for (const [text, problem] of cases) {
      writeFileSync(join(dir, 'dataset_description.json'), text);
      expect(readDatasetDescription(dir).problem).toMatch(problem);
    }
  });
});
