// End-to-end: `duncan bids` (the BUILT CLI, dist/cli.js) on the tiny BIDS fixture
// (test/fixtures/bids-tiny, see its README), with the bundled model. Run `npx tsup` first.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelDirectory } from '../src/checkpoint-files.js';
import { readVolumeFile } from '../src/read-volume-file.js';
import { checkDerivativeDataset } from './bids-derivatives-checks.js';
import { BIDS_FIXTURE, BIDS_FIXTURE_IMAGES } from './bids-fixture.js';
import { assertCliBuilt, duncan, PACKAGE_ROOT, readJson, sha256, tempDir } from './helpers.js';

const corrected = (image: string) =>
  image.replace(/_([a-zA-Z0-9]+)\.nii\.gz$/, '_desc-duncan_$1.nii.gz');
const artefact = (image: string) =>
  image.replace(/_([a-zA-Z0-9]+)\.nii\.gz$/, '_desc-artefact_$1.nii.gz');

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}

function hashes(root: string): Record<string, string> {
  return Object.fromEntries(filesUnder(root).map((f) => [f, sha256(join(root, f))]));
}

/** A copy of the fixture to change (the fixture itself is never written to). */
function copyFixture(to: string): string {
  cpSync(BIDS_FIXTURE, to, { recursive: true });
  return to;
}

/** RFC 8785 canonical JSON for JSON.parse output, written again here (not imported). */
function jcs(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

let work: string;
let out: string;

beforeAll(() => {
  assertCliBuilt();
  work = tempDir('duncan-bids-');
  out = join(work, 'derivatives-main');
});

describe('duncan bids (built CLI)', () => {
  it('participant: valid BIDS-Derivatives for every image, inputs untouched, same correction as duncan correct', async () => {
    const before = hashes(BIDS_FIXTURE);
    const r = await duncan(['bids', BIDS_FIXTURE, out, 'participant', '--workers', '2', '--json']);
    expect(r.stderr).toMatch(/backend: wasm/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      command: 'bids',
      level: 'participant',
      axis: 'z',
      flips: true,
      shrinkage: 1,
      corrected: 6,
      skipped: 0,
      failed: 0,
    });
    expect(summary.images.map((i: { source: string }) => i.source)).toEqual(BIDS_FIXTURE_IMAGES);
    expect(hashes(BIDS_FIXTURE)).toEqual(before);

    expect(checkDerivativeDataset(out)).toEqual([]);
    const description = readJson(join(out, 'dataset_description.json'));
    const manifest = readJson(join(defaultModelDirectory(), 'manifest.json'));
    const configSha = createHash('sha256').update(jcs(manifest.config)).digest('hex');
    const weightsSha = sha256(join(defaultModelDirectory(), 'weights.bin'));
    const version = readJson(join(PACKAGE_ROOT, 'package.json')).version;
    expect(description).toMatchObject({
      DatasetType: 'derivative',
      BIDSVersion: expect.stringMatching(/^1\.\d+\.\d+$/),
      GeneratedBy: [{ Name: 'duncan-mri', Version: version }],
      SourceDatasets: [{ URL: pathToFileURL(BIDS_FIXTURE).href }],
      DatasetLinks: { raw: pathToFileURL(BIDS_FIXTURE).href },
    });
    expect(description.GeneratedBy[0].Description).toContain(`config sha256 ${configSha}`);
    expect(description.GeneratedBy[0].Description).toContain(`weights sha256 ${weightsSha}`);
    expect(description.GeneratedBy[0].Description).toContain(
      `training step ${manifest.optimiser.generatorStep}`,
    );
    expect(readFileSync(join(out, '.bidsignore'), 'utf8')).toBe('logs/\ngroup/\n');

    for (const image of BIDS_FIXTURE_IMAGES) {
      const sidecar = readJson(join(out, corrected(image).replace('.nii.gz', '.json')));
      expect(sidecar).toMatchObject({
        Sources: [`bids:raw:${image}`],
        SkullStripped: false,
        DuncanModel: { ConfigSha256: configSha, WeightsSha256: weightsSha },
        CorrectionSettings: {
          Axis: 'z',
          MirrorAveraging: true,
          ResidualShrinkage: 1,
          NonFiniteVoxels: 0,
        },
        SourceFile: {
          Size: statSync(join(BIDS_FIXTURE, image)).size,
          Sha256: sha256(join(BIDS_FIXTURE, image)),
        },
      });
      // Residual shrinkage (1, the default) drops every change within a slice's noise level:
      // the T1w images, whose changes all are (Colin27, nibabel's crop), come out unchanged,
      // while the GE PDw images keep about half their change.
      if (image.endsWith('_PDw.nii.gz'))
        expect(sidecar.ChangeMeasures.MeanAbsChange).toBeGreaterThan(0);
      else expect(sidecar.ChangeMeasures.MeanAbsChange).toBeGreaterThanOrEqual(0);
      expect(readJson(join(out, artefact(image).replace('.nii.gz', '.json'))).Sources).toEqual([
        `bids:raw:${image}`,
        `bids::${corrected(image)}`,
      ]);
    }

    // The artefact map is input - corrected on the input's grid, as duncan correct writes it
    // (on an image the correction changes, so that the comparisons below can fail).
    const image = 'sub-01/anat/sub-01_PDw.nii.gz';
    const input = await readVolumeFile(join(BIDS_FIXTURE, image));
    const fixed = await readVolumeFile(join(out, corrected(image)));
    const map = await readVolumeFile(join(out, artefact(image)));
    expect(fixed.volume.shape).toEqual(input.volume.shape);
    expect(map.volume.affine).toEqual(fixed.volume.affine);
    for (let i = 0; i < input.volume.data.length; i += 97)
      expect(map.volume.data[i]).toBeCloseTo(input.volume.data[i]! - fixed.volume.data[i]!, 3);
    const viaCorrect = join(work, 'via-correct.nii.gz');
    const viaMap = join(work, 'via-correct-map.nii.gz');
    const c = await duncan([
      'correct',
      join(BIDS_FIXTURE, image),
      '-o',
      viaCorrect,
      '--artefact-map',
      viaMap,
      '--workers',
      '0',
    ]);
    expect(c.code).toBe(0);
    const same = await readVolumeFile(viaCorrect);
    for (let i = 0; i < same.volume.data.length; i++)
      expect(Math.abs(same.volume.data[i]! - fixed.volume.data[i]!)).toBeLessThan(1e-3);

    const logs = readdirSync(join(out, 'logs'));
    expect(logs).toHaveLength(1);
    const log = readFileSync(join(out, 'logs', logs[0]!), 'utf8')
      .trim()
      .split('\n');
    expect(log[0]).toBe('source\tstatus\treason\tcorrected\tartefact_map\tseconds');
    expect(log.slice(1).map((l) => l.split('\t').slice(0, 2))).toEqual(
      BIDS_FIXTURE_IMAGES.map((i) => [i, 'corrected']),
    );
  });

  it('participant again: finished work is skipped and left as it is', async () => {
    const stamp = () =>
      filesUnder(out)
        .filter((f) => f.startsWith('sub-'))
        .map((f) => [f, statSync(join(out, f)).mtimeMs]);
    const before = stamp();
    const r = await duncan(['bids', BIDS_FIXTURE, out, 'participant', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ corrected: 0, skipped: 6, failed: 0 });
    expect(r.stderr).not.toMatch(/backend:/); // no model was started
    expect(stamp()).toEqual(before);
    expect(readdirSync(join(out, 'logs'))).toHaveLength(2);
  });

  it('group: summary.tsv ranked by change, its column descriptions, a figure and a README', async () => {
    const r = await duncan(['bids', BIDS_FIXTURE, out, 'group', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ level: 'group', figureGroups: ['PDw', 'T1w'], missing: [] });
    const lines = readFileSync(join(out, 'group', 'summary.tsv'), 'utf8')
      .trim()
      .split('\n');
    const header = lines[0]!.split('\t');
    expect(header.slice(0, 3)).toEqual(['participant_id', 'session_id', 'suffix']);
    expect(header).toContain('mean_abs_change');
    expect(header).toContain('artefact_mean');
    expect(lines).toHaveLength(7);
    const rows = lines
      .slice(1)
      .map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i], v])));
    const change = rows.map((row) => Number(row.mean_abs_change));
    expect(change).toEqual([...change].sort((a, b) => b - a));
    expect(rows.map((row) => row.change_rank)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(rows.every((row) => row.session_id === 'n/a')).toBe(true);
    for (const row of rows) {
      expect(Number(row.ssim_to_input)).toBeGreaterThan(0.5);
      expect(Number(row.ssim_to_input)).toBeLessThanOrEqual(1);
      expect(existsSync(join(out, row.corrected!))).toBe(true);
    }
    expect(Object.keys(readJson(join(out, 'group', 'summary.json')))).toEqual(header);
    const png = readFileSync(join(out, 'group', 'summary.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(readFileSync(join(out, 'group', 'README.md'), 'utf8')).toMatch(
      /left to right: PDw, T1w/,
    );
    expect(checkDerivativeDataset(out)).toEqual([]); // group/ and logs/ are in .bidsignore
  });

  it('a truncated image is reported (file and reason) and the others complete; a re-run redoes only what changed', async () => {
    const ds = copyFixture(join(work, 'ds-bad'));
    const bad = join(ds, 'sub-02/anat/sub-02_T1w.nii.gz');
    const bytes = readFileSync(bad);
    writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const o = join(work, 'derivatives-bad');
    const r = await duncan(['bids', ds, o, 'participant', '--workers', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sub-02\/anat\/sub-02_T1w\.nii\.gz: FAILED: .*\[CORRUPT_FILE\]/);
    expect(r.stdout).toMatch(/^5 corrected, 0 skipped \(already done\), 1 failed/);
    expect(r.stdout).toMatch(/failed: sub-02\/anat\/sub-02_T1w\.nii\.gz: .*CORRUPT_FILE/);
    for (const image of BIDS_FIXTURE_IMAGES) {
      const done = image !== 'sub-02/anat/sub-02_T1w.nii.gz';
      expect([
        image,
        existsSync(join(o, corrected(image))),
        existsSync(join(o, artefact(image))),
      ]).toEqual([image, done, done]);
    }
    expect(readdirSync(join(o, 'sub-02/anat')).filter((f) => f.startsWith('.'))).toEqual([]); // no staging left
    expect(checkDerivativeDataset(o)).toEqual([]);
    const log = readFileSync(join(o, 'logs', readdirSync(join(o, 'logs'))[0]!), 'utf8');
    expect(log).toMatch(
      /sub-02\/anat\/sub-02_T1w\.nii\.gz\tfailed\t[^\t]*CORRUPT_FILE[^\t]*\tn\/a\tn\/a\t/,
    );

    // A source whose time changed but whose bytes did not is still done; one whose bytes
    // changed is reported until --overwrite.
    const t1 = join(ds, 'sub-01/anat/sub-01_T1w.nii.gz');
    utimesSync(t1, new Date(), new Date(Date.now() + 5000));
    copyFileSync(
      join(ds, 'sub-03/anat/sub-03_run-1_T1w.nii.gz'),
      join(ds, 'sub-03/anat/sub-03_run-2_T1w.nii.gz'),
    );
    const again = await duncan(['bids', ds, o, 'participant', '--workers', '0', '--json']);
    expect(again.code).toBe(1);
    const outcomes = Object.fromEntries(
      JSON.parse(again.stdout).images.map(
        (i: { source: string; status: string; reason: string }) => [i.source, i],
      ),
    );
    expect(outcomes['sub-01/anat/sub-01_T1w.nii.gz'].status).toBe('skipped');
    expect(outcomes['sub-03/anat/sub-03_run-2_T1w.nii.gz']).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/the source image changed .*pass --overwrite/),
    });
    const fix = await duncan([
      'bids',
      ds,
      o,
      'participant',
      '--participant-label',
      '03',
      '--overwrite',
      '--workers',
      '0',
      '--json',
    ]);
    expect(fix.code).toBe(0);
    expect(JSON.parse(fix.stdout)).toMatchObject({ corrected: 2, failed: 0 });
    const sidecar = readJson(join(o, 'sub-03/anat/sub-03_run-2_desc-duncan_T1w.json'));
    expect(sidecar.SourceFile.Sha256).toBe(sha256(join(ds, 'sub-03/anat/sub-03_run-2_T1w.nii.gz')));

    // The group level names what has no derivative.
    const group = await duncan(['bids', ds, o, 'group']);
    expect(group.code).toBe(0);
    expect(group.stderr).toMatch(
      /1 image of bids_dir has no derivative yet .*sub-02\/anat\/sub-02_T1w\.nii\.gz/,
    );
    expect(
      readFileSync(join(o, 'group', 'summary.tsv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(6);

    // Another model: refused over these derivatives until --overwrite.
    const other = join(work, 'other-model');
    mkdirSync(other);
    const manifest = readJson(join(defaultModelDirectory(), 'manifest.json'));
    manifest.config.lossWeights.cycle += 1; // a training-only setting: same corrector, new hash
    writeFileSync(join(other, 'manifest.json'), JSON.stringify(manifest));
    copyFileSync(join(defaultModelDirectory(), 'weights.bin'), join(other, 'weights.bin'));
    const withOther = ['bids', ds, o, 'participant', '--model', other, '--participant-label', '01'];
    const refused = await duncan(withOther);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /pass --overwrite.*names another model: bundled default model .*this run's is other-model/,
    );
    const replaced = await duncan([
      ...withOther,
      '--suffix',
      'T1w',
      '--overwrite',
      '--workers',
      '0',
      '--json',
    ]);
    expect(replaced.code).toBe(0);
    const configSha = createHash('sha256').update(jcs(manifest.config)).digest('hex');
    expect(readJson(join(o, 'dataset_description.json')).GeneratedBy[0].Description).toContain(
      configSha,
    );
    expect(readJson(join(o, 'sub-01/anat/sub-01_desc-duncan_T1w.json')).DuncanModel).toMatchObject({
      Name: 'other-model',
      ConfigSha256: configSha,
    });
  });

  it('sessions, labels with or without their prefix, --suffix, --no-flips, and output under derivatives/', async () => {
    const ds = join(work, 'ds-sessions');
    for (const [sub, ses, from] of [
      ['01', '1', 'sub-01/anat/sub-01_T1w.nii.gz'],
      ['01', '2', 'sub-02/anat/sub-02_T1w.nii.gz'],
      ['02', '1', 'sub-03/anat/sub-03_run-1_T1w.nii.gz'],
    ] as const) {
      mkdirSync(join(ds, `sub-${sub}/ses-${ses}/anat`), { recursive: true });
      copyFileSync(
        join(BIDS_FIXTURE, from),
        join(ds, `sub-${sub}/ses-${ses}/anat/sub-${sub}_ses-${ses}_T1w.nii.gz`),
      );
    }
    copyFileSync(
      join(BIDS_FIXTURE, 'sub-01/anat/sub-01_PDw.nii.gz'),
      join(ds, 'sub-01/ses-2/anat/sub-01_ses-2_PDw.nii.gz'),
    );
    copyFileSync(
      join(BIDS_FIXTURE, 'dataset_description.json'),
      join(ds, 'dataset_description.json'),
    );
    const o = join(ds, 'derivatives', 'duncan');
    const r = await duncan([
      'bids',
      ds,
      o,
      'participant',
      '--participant-label',
      'sub-01',
      '02',
      '--session-label',
      'ses-2',
      '--suffix',
      'T1w',
      '--no-flips',
      '--workers',
      '0',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ axis: 'z', flips: false, corrected: 1 });
    expect(JSON.parse(r.stdout).images.map((i: { source: string }) => i.source)).toEqual([
      'sub-01/ses-2/anat/sub-01_ses-2_T1w.nii.gz',
    ]);
    expect(filesUnder(o).filter((f) => f.startsWith('sub-'))).toEqual([
      'sub-01/ses-2/anat/sub-01_ses-2_desc-artefact_T1w.json',
      'sub-01/ses-2/anat/sub-01_ses-2_desc-artefact_T1w.nii.gz',
      'sub-01/ses-2/anat/sub-01_ses-2_desc-duncan_T1w.json',
      'sub-01/ses-2/anat/sub-01_ses-2_desc-duncan_T1w.nii.gz',
    ]);
    expect(readJson(join(o, 'dataset_description.json')).DatasetLinks).toEqual({ raw: '../..' });
    expect(checkDerivativeDataset(o)).toEqual([]);
    const group = await duncan(['bids', ds, o, 'group', '--session-label', '2', '--json']);
    expect(group.code).toBe(0);
    expect(JSON.parse(group.stdout).rows).toMatchObject([
      { participant_id: 'sub-01', session_id: 'ses-2', suffix: 'T1w' },
    ]);

    // One forward pass is recorded: a default run reports the image as stale (before loading
    // the model), a --no-flips run skips it.
    const sidecar = readJson(join(o, 'sub-01/ses-2/anat/sub-01_ses-2_desc-duncan_T1w.json'));
    expect(sidecar.CorrectionSettings).toMatchObject({ Axis: 'z', MirrorAveraging: false });
    expect(sidecar.Description).not.toMatch(/mirror averaging/);
    // ... and was run: the same source (sub-02's T1w) corrected by default differs.
    const onePass = await readVolumeFile(
      join(o, 'sub-01/ses-2/anat/sub-01_ses-2_desc-duncan_T1w.nii.gz'),
    );
    const fourViews = await readVolumeFile(join(out, corrected('sub-02/anat/sub-02_T1w.nii.gz')));
    let largest = 0;
    for (let i = 0; i < onePass.volume.data.length; i++)
      largest = Math.max(largest, Math.abs(onePass.volume.data[i]! - fourViews.volume.data[i]!));
    expect(largest).toBeGreaterThan(1e-3);
    const selection = ['--participant-label', '01', '--session-label', '2', '--suffix', 'T1w'];
    const mirrored = await duncan(['bids', ds, o, 'participant', ...selection, '--json']);
    expect(mirrored.code).toBe(1);
    expect(mirrored.stderr).not.toMatch(/backend:/);
    expect(JSON.parse(mirrored.stdout)).toMatchObject({
      flips: true,
      failed: 1,
      images: [
        {
          status: 'failed',
          reason:
            'its outputs exist but it was corrected with one forward pass per slice, not with mirror averaging; pass --overwrite to replace them',
        },
      ],
    });
    const single = await duncan(['bids', ds, o, 'participant', ...selection, '--no-flips']);
    expect(single.code).toBe(0);
    expect(single.stdout).toMatch(/^0 corrected, 1 skipped/);
    // The residual shrinkage is recorded (1, the default) and compared the same way.
    expect(sidecar.CorrectionSettings.ResidualShrinkage).toBe(1);
    const other = await duncan([
      'bids',
      ds,
      o,
      'participant',
      ...selection,
      '--no-flips',
      '--shrinkage',
      '0.5',
      '--json',
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).not.toMatch(/backend:/);
    expect(JSON.parse(other.stdout)).toMatchObject({
      shrinkage: 0.5,
      images: [
        {
          status: 'failed',
          reason:
            'its outputs exist but it was corrected with residual shrinkage 1, not with residual shrinkage 0.5; pass --overwrite to replace them',
        },
      ],
    });
  });

  it('input checks, and --skip-bids-validation', async () => {
    const ds = copyFixture(join(work, 'ds-invalid'));
    rmSync(join(ds, 'dataset_description.json'));
    copyFileSync(
      join(ds, 'sub-01/anat/sub-01_T1w.nii.gz'),
      join(ds, 'sub-01/anat/sub-02_T1w.nii.gz'),
    );
    copyFileSync(
      join(ds, 'sub-01/anat/sub-01_T1w.nii.gz'),
      join(ds, 'sub-01/anat/sub-01_T1w_bis.nii.gz'),
    );
    const o = join(work, 'derivatives-invalid');
    const missing = await duncan(['bids', ds, o, 'participant']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /pass --skip-bids-validation.*dataset_description\.json is missing/,
    );
    copyFileSync(
      join(BIDS_FIXTURE, 'dataset_description.json'),
      join(ds, 'dataset_description.json'),
    );
    const names = await duncan(['bids', ds, o, 'participant']);
    expect(names.code).toBe(1);
    expect(names.stderr).toMatch(
      /sub-01\/anat\/sub-02_T1w\.nii\.gz: must have the label of its folder, sub-01/,
    );
    expect(names.stderr).toMatch(/sub-01\/anat\/sub-01_T1w_bis\.nii\.gz: is not a BIDS file name/);
    expect(existsSync(o)).toBe(false); // refused before writing anything
    rmSync(join(ds, 'dataset_description.json'));
    const skipped = await duncan([
      'bids',
      ds,
      o,
      'participant',
      '--skip-bids-validation',
      '--participant-label',
      '01',
      '--suffix',
      'T1w',
      '--workers',
      '0',
      '--json',
    ]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/passed over \(not BIDS names/);
    expect(JSON.parse(skipped.stdout).images.map((i: { source: string }) => i.source)).toEqual([
      'sub-01/anat/sub-01_T1w.nii.gz',
    ]);
    expect(readJson(join(o, 'dataset_description.json')).Name).toBe(
      'duncan-mri artefact removal: ds-invalid',
    );
  });

  it('bad arguments are refused before any work: usage errors exit 2, the rest 1', async () => {
    const help = await duncan(['bids', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: duncan bids[\s\S]*Example:\n {2}duncan bids/);
    expect((await duncan(['--help'])).stdout).toMatch(/\n {2}bids {7}/);
    const o = join(work, 'never');
    const usage: [string[], RegExp][] = [
      [['bids', BIDS_FIXTURE, o], /missing <bids_dir> <output_dir> <participant\|group>/],
      [['bids', BIDS_FIXTURE, o, 'session'], /analysis level must be participant or group/],
      [
        ['bids', BIDS_FIXTURE, o, 'participant', '--suffix', 'T1map'],
        /--suffix must be anatomical/,
      ],
      [
        ['bids', BIDS_FIXTURE, o, 'participant', '--participant-label', 'a/b'],
        /--participant-label must be BIDS labels/,
      ],
      [['bids', BIDS_FIXTURE, o, 'participant', '--axis', 'w'], /--axis must be x, y or z/],
    ];
    for (const [args, message] of usage) {
      const r = await duncan(args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(message);
    }
    const failures: [string[], RegExp][] = [
      [['bids', join(work, 'nope'), o, 'participant'], /bids_dir must be a directory/],
      [
        ['bids', BIDS_FIXTURE, o, 'participant', '--participant-label', '07'],
        /sub-01, sub-02, sub-03\), got sub-07 \[INVALID_ARGUMENT\]/,
      ],
      [
        ['bids', BIDS_FIXTURE, o, 'participant', '--session-label', '1'],
        /--session-label must name sessions .*they have none/,
      ],
      [
        ['bids', BIDS_FIXTURE, join(BIDS_FIXTURE, 'sub-01', 'out'), 'participant'],
        /output_dir must be outside bids_dir or under its derivatives\//,
      ],
      [
        ['bids', BIDS_FIXTURE, work, 'participant'],
        /output_dir must be new, empty or a duncan bids derivative dataset/,
      ],
      [
        ['bids', BIDS_FIXTURE, o, 'participant', '--suffix', 'FLAIR'],
        /must have images to correct, got none in anat\/ with suffix FLAIR/,
      ],
      [
        ['bids', BIDS_FIXTURE, o, 'group'],
        /output_dir must hold the results of the participant level/,
      ],
    ];
    for (const [args, message] of failures) {
      const r = await duncan(args);
      expect([args, r.code]).toEqual([args, 1]);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(o)).toBe(false);
    expect(existsSync(join(BIDS_FIXTURE, 'sub-01', 'out'))).toBe(false);
  });

  it('a model that does not load fails the run once, not every image', async () => {
    const broken = join(work, 'broken-model');
    mkdirSync(broken);
    const manifest = readJson(join(defaultModelDirectory(), 'manifest.json'));
    manifest.weightSpecs = manifest.weightSpecs.slice(0, 3);
    writeFileSync(join(broken, 'manifest.json'), JSON.stringify(manifest));
    copyFileSync(join(defaultModelDirectory(), 'weights.bin'), join(broken, 'weights.bin'));
    const o = join(work, 'derivatives-broken-model');
    const r = await duncan([
      'bids',
      BIDS_FIXTURE,
      o,
      'participant',
      '--model',
      broken,
      '--workers',
      '1',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^duncan bids: loadCheckpoint: .*\[SHAPE_MISMATCH\]$/m);
    expect(r.stderr).not.toMatch(/FAILED/);
    expect(filesUnder(o).filter((f) => f.startsWith('sub-'))).toEqual([]);
  });

  it('the derivative checks find what is wrong (they are not vacuous)', () => {
    const o = join(work, 'broken');
    cpSync(out, o, { recursive: true });
    const sidecar = join(o, 'sub-01/anat/sub-01_desc-duncan_T1w.json');
    const value = readJson(sidecar);
    delete value.SkullStripped;
    value.Sources = [
      'bids:elsewhere:sub-01/anat/sub-01_T1w.nii.gz',
      'bids:raw:sub-01/anat/nothing.nii.gz',
    ];
    writeFileSync(sidecar, JSON.stringify(value));
    copyFileSync(
      join(o, 'sub-01/anat/sub-01_desc-duncan_T1w.nii.gz'),
      join(o, 'sub-01/anat/sub-01_desc-duncan_run-1_T1w.nii.gz'),
    );
    rmSync(join(o, 'sub-02/anat/sub-02_desc-artefact_T1w.json'));
    writeFileSync(join(o, 'notes.txt'), 'x');
    const description = readJson(join(o, 'dataset_description.json'));
    delete description.GeneratedBy;
    writeFileSync(join(o, 'dataset_description.json'), JSON.stringify(description));
    const problems = checkDerivativeDataset(o).join('\n');
    expect(problems).toMatch(/GeneratedBy must be a non-empty array/);
    expect(problems).toMatch(/sub-01_desc-duncan_T1w\.json: SkullStripped must be a boolean/);
    expect(problems).toMatch(/Sources uses dataset elsewhere, which DatasetLinks lacks/);
    expect(problems).toMatch(/bids:raw:sub-01\/anat\/nothing\.nii\.gz does not resolve/);
    expect(problems).toMatch(/sub-01_desc-duncan_run-1_T1w\.nii\.gz: run out of order/);
    expect(problems).toMatch(/sub-02_desc-artefact_T1w\.nii\.gz: has no JSON sidecar/);
    expect(problems).toMatch(/notes\.txt: is not a top-level file/);
  });
});
