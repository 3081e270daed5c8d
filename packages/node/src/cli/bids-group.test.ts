import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { readPngFile } from '../../test/png-reader.js';
import { expectSvgTexts } from '../../test/svg-texts.js';
import {
  groupFigure,
  groupRows,
  groupTsv,
  SUMMARY_COLUMNS,
  writeGroupSummary,
} from './bids-group.js';

function derivative(): string {
  const out = tempDir('duncan-group-');
  const put = (rel: string, change: number | null, suffix = 'T1w') => {
    const dir = join(out, rel.slice(0, rel.lastIndexOf('/')));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(out, rel),
      JSON.stringify({
        Sources: [`bids:raw:${rel.replace('_desc-duncan', '').replace('.json', '.nii.gz')}`],
        ChangeMeasures: {
          HeadVoxels: 100,
          RobustRange: 50,
          MeanAbsChange: change,
          MaxSliceMeanAbsChange: change === null ? null : change * 2,
          ArtefactMean: change === null ? null : -change,
          SsimToInput: 0.99,
        },
        CorrectionSettings: { NonFiniteVoxels: 0 },
      }),
    );
    return suffix;
  };
  put('sub-01/anat/sub-01_desc-duncan_T1w.json', 0.01);
  put('sub-01/anat/sub-01_desc-duncan_PDw.json', 0.05);
  put('sub-02/ses-1/anat/sub-02_ses-1_desc-duncan_T1w.json', 0.02);
  put('sub-03/anat/sub-03_desc-duncan_T1w.json', null);
  writeFileSync(join(out, 'sub-01/anat/sub-01_desc-artefact_T1w.json'), '{}'); // not a row
  return out;
}

describe('groupRows', () => {
  it('one row per corrected image, most changed first, n/a last, filtered by label', () => {
    const out = derivative();
    const rows = groupRows(out, {});
    expect(rows.map((r) => [r.corrected, r.change_rank])).toEqual([
      ['sub-01/anat/sub-01_desc-duncan_PDw.nii.gz', 1],
      ['sub-02/ses-1/anat/sub-02_ses-1_desc-duncan_T1w.nii.gz', 2],
      ['sub-01/anat/sub-01_desc-duncan_T1w.nii.gz', 3],
      ['sub-03/anat/sub-03_desc-duncan_T1w.nii.gz', null],
    ]);
    expect(rows[1]).toMatchObject({
      participant_id: 'sub-02',
      session_id: 'ses-1',
      suffix: 'T1w',
      source: 'bids:raw:sub-02/ses-1/anat/sub-02_ses-1_T1w.nii.gz',
      artefact_map: 'sub-02/ses-1/anat/sub-02_ses-1_desc-artefact_T1w.nii.gz',
      max_slice_mean_abs_change: 0.04,
      artefact_mean: -0.02,
    });
    expect(groupRows(out, { participants: ['01'] })).toHaveLength(2);
    expect(groupRows(out, { sessions: ['1'] }).map((r) => r.participant_id)).toEqual(['sub-02']);
  });

  it('writes a BIDS TSV (n/a for missing), described columns, a labelled figure and a README', async () => {
    const out = derivative();
    const rows = groupRows(out, {});
    const tsv = groupTsv(rows).split('\n');
    expect(tsv[0]!.split('\t')).toEqual(Object.keys(SUMMARY_COLUMNS));
    expect(tsv[4]!.split('\t').slice(0, 3)).toEqual(['sub-03', 'n/a', 'T1w']);
    expect(tsv[4]).toMatch(/\tn\/a\tn\/a\tn\/a\t0\.99\t0\tn\/a$/);
    const figure = await groupFigure(rows);
    expect(figure.suffixes).toEqual(['PDw', 'T1w']);
    expect(figure.yMax).toBe(0.2); // 0.1 (the largest) * 1.05, rounded up to 1, 2 or 5 x 10^k
    expectSvgTexts(figure.figure.svg, [
      'BIDS suffix',
      'PDw',
      'T1w',
      'measure',
      'mean_abs_change (whole image)',
      '0.20',
    ]);
    expect(figure.figure.svg).toMatch(
      />mean \|corrected − source\| \(fraction of the robust range\)</,
    );
    const written = await writeGroupSummary(out, rows);
    expect(readFileSync(written.tsv, 'utf8')).toBe(groupTsv(rows));
    const png = readPngFile(written.png);
    expect([png.width, png.height]).toEqual([figure.figure.width, figure.figure.height]);
    expect(readFileSync(written.svg, 'utf8')).toBe(figure.figure.svg);
    expect(readFileSync(written.readme, 'utf8')).toMatch(/left to right: PDw, T1w/);
  });
});
