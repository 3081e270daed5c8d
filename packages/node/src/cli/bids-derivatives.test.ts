import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint } from '@duncan-mri/core';
import { isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { BIDS_FIXTURE } from '../../test/bids-fixture.js';
import { readJson, tempDir } from '../../test/helpers.js';
import {
  type CorrectionSettings,
  commitStaged,
  derivativeDescription,
  derivativeFiles,
  derivativeSidecars,
  derivativeState,
  ensureDerivativeDescription,
  type ModelIdentity,
  modelIdentity,
  sourceFileRecord,
  stagingFolder,
} from './bids-derivatives.js';
import { type BidsImage, parseBidsName } from './bids-layout.js';

const temp = () => tempDir('duncan-derivatives-');

/** Change measures for sidecars whose values do not matter to the test. */
const MEASURES = {
  headVoxels: 1,
  robustRange: 1,
  meanAbsChange: 0,
  maxSliceMeanAbsChange: 0,
  artefactMean: 0,
  ssimToInput: 1,
};

function checkpoint(
  config: Record<string, unknown>,
  weights = new Uint8Array([1, 2, 3]),
): Checkpoint {
  return {
    manifest: {
      format: 'duncan-mri-checkpoint',
      formatVersion: 1,
      architecture: 'duncan-2d',
      config,
      seed: 3,
      optimiser: { generatorStep: 42, discriminatorStep: 42 },
      weightSpecs: [],
      byteLength: weights.length,
    },
    weights,
  } as unknown as Checkpoint;
}

function image(relativePath: string, bidsDir = BIDS_FIXTURE): BidsImage {
  const file = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  const name = parseBidsName(file)!;
  return {
    path: join(bidsDir, relativePath),
    relativePath,
    subject: name.entities[0]![1],
    session: name.entities.find(([k]) => k === 'ses')?.[1],
    name,
  };
}

describe('modelIdentity', () => {
  it('hashes the configuration canonically (key order does not matter) and the weights', () => {
    const a = modelIdentity(
      checkpoint({ channels: 16, lossWeights: { cycle: 10, identity: 5 } }),
      'm',
    );
    const b = modelIdentity(
      checkpoint({ lossWeights: { identity: 5, cycle: 10 }, channels: 16 }),
      'm',
    );
    expect(a.configSha256).toBe(b.configSha256);
    expect(a.configSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(modelIdentity(checkpoint({ channels: 8 }), 'm').configSha256).not.toBe(a.configSha256);
    expect(
      modelIdentity(
        checkpoint({ channels: 16, lossWeights: { cycle: 10, identity: 5 } }, new Uint8Array([9])),
        'm',
      ).weightsSha256,
    ).not.toBe(a.weightsSha256);
    expect(a).toMatchObject({ name: 'm', architecture: 'duncan-2d', trainingStep: 42, seed: 3 });
  });
});

describe('derivativeFiles', () => {
  it('keeps the folders and entities and puts desc last', () => {
    const f = derivativeFiles(
      '/out',
      image('sub-01/ses-2/anat/sub-01_ses-2_acq-fast_run-1_T1w.nii'),
    );
    expect(f.correctedRelative).toBe(
      'sub-01/ses-2/anat/sub-01_ses-2_acq-fast_run-1_desc-duncan_T1w.nii.gz',
    );
    expect(f.artefactRelative).toBe(
      'sub-01/ses-2/anat/sub-01_ses-2_acq-fast_run-1_desc-artefact_T1w.nii.gz',
    );
    expect(f.correctedSidecar).toBe(
      join('/out', 'sub-01/ses-2/anat/sub-01_ses-2_acq-fast_run-1_desc-duncan_T1w.json'),
    );
  });
});

describe('ensureDerivativeDescription', () => {
  const model = (name: string): ModelIdentity => modelIdentity(checkpoint({ c: name }), name);
  const description = (m: ModelIdentity, version = '0.1.0') =>
    derivativeDescription({ sourceName: 'ds', sourceLink: '../..', version, model: m });

  it('writes the description and .bidsignore once, accepts the same again, refuses another', () => {
    const out = temp();
    ensureDerivativeDescription(out, description(model('a')), false);
    const written = readJson(join(out, 'dataset_description.json'));
    expect(written).toMatchObject({
      DatasetType: 'derivative',
      DatasetLinks: { raw: '../..' },
      SourceDatasets: [{ URL: '../..' }],
    });
    expect(readFileSync(join(out, '.bidsignore'), 'utf8')).toBe('logs/\ngroup/\n');
    ensureDerivativeDescription(out, description(model('a')), false);
    let error: unknown;
    try {
      ensureDerivativeDescription(out, description(model('b')), false);
    } catch (e) {
      error = e;
    }
    expect(isMriError(error) && error.code).toBe('IO_ERROR');
    expect(String((error as Error).message)).toMatch(/names another model: a .*this run's is b/);
    expect(() => ensureDerivativeDescription(out, description(model('a'), '0.2.0'), false)).toThrow(
      /written by duncan-mri 0\.1\.0, this is 0\.2\.0/,
    );
    ensureDerivativeDescription(out, description(model('b')), true);
    expect(readFileSync(join(out, 'dataset_description.json'), 'utf8')).toContain('model: b (');
    writeFileSync(
      join(out, 'dataset_description.json'),
      '{"Name":"x","BIDSVersion":"1.10.1","DatasetType":"raw"}',
    );
    expect(() => ensureDerivativeDescription(out, description(model('b')), false)).toThrow(
      /not that of a duncan-mri derivative/,
    );
  });
});

/** The sidecars of `img` corrected with `settings` by a test model, `nonFinite` voxels replaced. */
function sidecarsOf(img: BidsImage, settings: CorrectionSettings, nonFinite: number) {
  return derivativeSidecars({
    image: img,
    files: derivativeFiles('/out', img),
    model: modelIdentity(checkpoint({ c: 1 }), 'm'),
    settings,
    source: { Size: 1, MTimeMs: 0, Sha256: '0' },
    nonFinite,
    measures: MEASURES,
  });
}

describe('derivativeSidecars', () => {
  it('records the axis and mirror averaging in both sidecars, and says so in the description', () => {
    const img = image('sub-01/anat/sub-01_T1w.nii.gz');
    const sidecars = (flips: boolean) => sidecarsOf(img, { axis: 1, flips, shrinkage: 1 }, 2);
    const on = sidecars(true);
    const off = sidecars(false);
    for (const [written, flips] of [
      [on, true],
      [off, false],
    ] as const) {
      for (const sidecar of [written.corrected, written.artefactMap])
        expect(sidecar.CorrectionSettings).toMatchObject({
          Axis: 'y',
          MirrorAveraging: flips,
          NonFiniteVoxels: 2,
        });
    }
    expect(on.corrected.Description).toMatch(/slice by slice along y, with mirror averaging \(/);
    expect(off.corrected.Description).not.toMatch(/mirror/);
  });

  it('records the residual shrinkage in both sidecars, and says so in the description when on', () => {
    const img = image('sub-01/anat/sub-01_T1w.nii.gz');
    const sidecars = (shrinkage: number) => sidecarsOf(img, { axis: 2, flips: true, shrinkage }, 0);
    for (const shrinkage of [0, 1, 2.5]) {
      const written = sidecars(shrinkage);
      for (const sidecar of [written.corrected, written.artefactMap])
        expect(sidecar.CorrectionSettings).toMatchObject({ ResidualShrinkage: shrinkage });
    }
    expect(sidecars(2.5).corrected.Description).toMatch(
      /, with residual shrinkage \(each slice's correction soft-thresholded at 2.5 times the slice's noise level, /,
    );
    expect(sidecars(0).corrected.Description).not.toMatch(/shrinkage/);
  });
});

describe('derivativeState and the staged commit', () => {
  it('goes absent -> done; a changed source, model, axis, mirror averaging, shrinkage or a missing file makes it stale', () => {
    const ds = temp();
    const rel = 'sub-01/anat/sub-01_T1w.nii.gz';
    mkdirSync(join(ds, 'sub-01/anat'), { recursive: true });
    copyFileSync(join(BIDS_FIXTURE, rel), join(ds, rel));
    const out = temp();
    const img = image(rel, ds);
    const files = derivativeFiles(out, img);
    const m = modelIdentity(checkpoint({ c: 1 }), 'm');
    const settings = { axis: 2, flips: true, shrinkage: 1 } as const;
    expect(derivativeState(files, img.path, m, settings)).toEqual({ state: 'absent' });

    const stage = stagingFolder(files);
    const sidecars = derivativeSidecars({
      image: img,
      files,
      model: m,
      settings,
      source: sourceFileRecord(img.path),
      nonFinite: 0,
      measures: MEASURES,
    });
    // Any NIfTI will do for the state: the source itself stands in for both images.
    copyFileSync(img.path, join(stage, 'sub-01_desc-duncan_T1w.nii.gz'));
    copyFileSync(img.path, join(stage, 'sub-01_desc-artefact_T1w.nii.gz'));
    writeFileSync(join(stage, 'sub-01_desc-duncan_T1w.json'), JSON.stringify(sidecars.corrected));
    writeFileSync(
      join(stage, 'sub-01_desc-artefact_T1w.json'),
      JSON.stringify(sidecars.artefactMap),
    );
    commitStaged(
      stage,
      [files.artefactMap, files.artefactSidecar, files.corrected, files.correctedSidecar],
      false,
    );
    expect(existsSync(stage)).toBe(false);
    expect(readdirSync(join(out, 'sub-01/anat')).sort()).toEqual([
      'sub-01_desc-artefact_T1w.json',
      'sub-01_desc-artefact_T1w.nii.gz',
      'sub-01_desc-duncan_T1w.json',
      'sub-01_desc-duncan_T1w.nii.gz',
    ]);
    expect(derivativeState(files, img.path, m, settings)).toEqual({ state: 'done' });

    utimesSync(img.path, new Date(), new Date(Date.now() + 10_000)); // same bytes, new time
    expect(derivativeState(files, img.path, m, settings)).toEqual({ state: 'done' });
    expect(
      derivativeState(files, img.path, modelIdentity(checkpoint({ c: 2 }), 'n'), settings),
    ).toMatchObject({
      state: 'stale',
      reason: 'it was made by another model',
    });
    expect(derivativeState(files, img.path, m, { ...settings, axis: 0 })).toMatchObject({
      state: 'stale',
      reason: /corrected along z, not x/,
    });
    expect(derivativeState(files, img.path, m, { ...settings, flips: false })).toEqual({
      state: 'stale',
      reason: 'it was corrected with mirror averaging, not with one forward pass per slice',
    });
    expect(derivativeState(files, img.path, m, { ...settings, shrinkage: 0 })).toEqual({
      state: 'stale',
      reason: 'it was corrected with residual shrinkage 1, not without residual shrinkage',
    });
    expect(derivativeState(files, img.path, m, { ...settings, shrinkage: 1.5 })).toEqual({
      state: 'stale',
      reason: 'it was corrected with residual shrinkage 1, not with residual shrinkage 1.5',
    });
    // A sidecar written before mirror averaging existed (no MirrorAveraging) was one pass: a
    // default run redoes it, a --no-flips run keeps it.
    const recorded = readFileSync(files.correctedSidecar, 'utf8');
    /** Writes the recorded sidecar with its CorrectionSettings changed by `edit`. */
    const rewrite = (edit: (settings: Record<string, unknown>) => void) => {
      const sidecar = JSON.parse(recorded);
      edit(sidecar.CorrectionSettings);
      writeFileSync(files.correctedSidecar, JSON.stringify(sidecar));
    };
    rewrite((s) => delete s.MirrorAveraging);
    expect(derivativeState(files, img.path, m, settings)).toEqual({
      state: 'stale',
      reason: 'it was corrected with one forward pass per slice, not with mirror averaging',
    });
    expect(derivativeState(files, img.path, m, { ...settings, flips: false })).toEqual({
      state: 'done',
    });
    rewrite((s) => {
      s.MirrorAveraging = 'yes';
    });
    expect(derivativeState(files, img.path, m, { ...settings, flips: false })).toEqual({
      state: 'stale',
      reason: 'it was corrected with MirrorAveraging "yes", not with one forward pass per slice',
    });
    // A sidecar written before residual shrinkage existed (no ResidualShrinkage) was not
    // shrunk: a default run redoes it, a --shrinkage 0 run keeps it.
    rewrite((s) => delete s.ResidualShrinkage);
    expect(derivativeState(files, img.path, m, settings)).toEqual({
      state: 'stale',
      reason: 'it was corrected without residual shrinkage, not with residual shrinkage 1',
    });
    expect(derivativeState(files, img.path, m, { ...settings, shrinkage: 0 })).toEqual({
      state: 'done',
    });
    rewrite((s) => {
      s.ResidualShrinkage = '1';
    });
    expect(derivativeState(files, img.path, m, settings)).toEqual({
      state: 'stale',
      reason: 'it was corrected with ResidualShrinkage "1", not with residual shrinkage 1',
    });
    writeFileSync(files.correctedSidecar, recorded);
    expect(derivativeState(files, img.path, m, settings)).toEqual({ state: 'done' });
    const bytes = readFileSync(img.path);
    bytes[bytes.length - 5]! ^= 0xff; // same size, other content
    writeFileSync(img.path, bytes);
    expect(derivativeState(files, img.path, m, settings)).toMatchObject({
      state: 'stale',
      reason: /source image changed \(content\)/,
    });
    writeFileSync(img.path, bytes.subarray(1));
    expect(derivativeState(files, img.path, m, settings)).toMatchObject({
      state: 'stale',
      reason: /source image changed \(size\)/,
    });
    copyFileSync(join(BIDS_FIXTURE, rel), img.path);
    writeFileSync(files.artefactMap, 'not a nifti');
    expect(derivativeState(files, img.path, m, settings)).toMatchObject({
      state: 'stale',
      reason: /not a readable NIfTI/,
    });
    rmSync(files.artefactSidecar);
    expect(derivativeState(files, img.path, m, settings)).toMatchObject({
      state: 'stale',
      reason: 'incomplete outputs (no sub-01_desc-artefact_T1w.json)',
    });

    // Without overwrite a staged file never replaces an existing one.
    const again = stagingFolder(files);
    writeFileSync(join(again, 'sub-01_desc-duncan_T1w.json'), '{}');
    expect(() => commitStaged(again, [files.correctedSidecar], false)).toThrow(
      /must not exist already/,
    );
    expect(existsSync(again)).toBe(false);
    expect(readJson(files.correctedSidecar).SourceFile).toBeDefined();
  });
});
