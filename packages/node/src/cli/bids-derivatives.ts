// The BIDS-Derivatives dataset that `duncan bids` writes: its dataset_description.json, the
// names and sidecars of each corrected image and artefact map, the check that decides whether
// an image is already done, and the commit of an image's four files.
//
// Fields follow the BIDS specification 1.10 / the BIDS schema: dataset_description.json
// (rules/json/dataset.yaml: Name and BIDSVersion required, GeneratedBy required for a derivative,
// DatasetLinks required when BIDS URIs are used), derivative image sidecars
// (rules/sidecars/derivatives/common_derivatives.yaml: SkullStripped required for MRI NIfTI
// images, Description recommended, Sources as BIDS URIs), and the file names of
// rules/files/deriv/imaging.yaml (the raw entities, then desc-<label>, the last entity).
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import type { Checkpoint } from '@duncan-mri/core';
import { sniffFormat } from '@duncan-mri/io';
import { MriError } from '@duncan-mri/volume';
import {
  cleanStaleTemps,
  commitStaged as commitGroup,
  discardTemp,
  tempPath,
} from '../internal/atomic-write.js';
import type { ChangeMeasures } from '../internal/change-measures.js';
import { ioError } from '../internal/errors.js';
import { type BidsImage, formatBidsName } from './bids-layout.js';
import { writeFileAtomic } from './files.js';

/** The BIDS version the derivatives are written to. */
export const BIDS_VERSION = '1.10.1';
/** The `desc-` label of the corrected images. */
export const DESC_CORRECTED = 'duncan';
/** The `desc-` label of the artefact maps. */
export const DESC_ARTEFACT = 'artefact';
/** `DatasetLinks` name of the source dataset in `bids:raw:...` URIs (as fMRIPrep writes). */
export const RAW_LINK = 'raw';

const WHERE = 'duncan bids';

/** Which model made a derivative: what its sidecars and dataset_description.json record. */
export interface ModelIdentity {
  /** `bundled default model` or the checkpoint directory's name. */
  readonly name: string;
  readonly architecture: string;
  /**
   * SHA-256 of the model configuration in the canonical JSON of RFC 8785 (JCS). For values
   * that came from `JSON.parse` (strings, finite numbers, booleans, null, arrays, objects) JCS
   * is `JSON.stringify` with object keys sorted by UTF-16 code units, which is what is done here
   * (the `canonicalize` npm package would add a dependency for these ten lines).
   */
  readonly configSha256: string;
  /** SHA-256 of `weights.bin`. */
  readonly weightsSha256: string;
  /** Generator optimiser steps the weights were trained for. */
  readonly trainingStep: number;
  readonly seed: number;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** The {@link ModelIdentity} of a checkpoint. */
export function modelIdentity(checkpoint: Checkpoint, name: string): ModelIdentity {
  return {
    name,
    architecture: checkpoint.manifest.architecture,
    configSha256: sha256(canonicalJson(checkpoint.manifest.config)),
    weightsSha256: sha256(checkpoint.weights),
    trainingStep: checkpoint.manifest.optimiser?.generatorStep ?? 0,
    seed: checkpoint.manifest.seed,
  };
}

/** One line that names the method and the model (GeneratedBy's Description). */
export function generatedByDescription(model: ModelIdentity): string {
  return (
    'MRI artefact removal with a DUNCAN network (Liu et al., "Learning MRI artefact removal with ' +
    'unpaired data", Nature Machine Intelligence 3, 60-67, 2021), slice by slice; model: ' +
    `${model.name} (${model.architecture}, config sha256 ${model.configSha256}, weights sha256 ` +
    `${model.weightsSha256}, training step ${model.trainingStep})`
  );
}

/** The derivative dataset's `dataset_description.json`. */
export function derivativeDescription(options: {
  readonly sourceName: string;
  readonly sourceDoi?: string | undefined;
  /** Where the source dataset is, relative to the derivative dataset (e.g. `../..`) or a URI. */
  readonly sourceLink: string;
  readonly version: string;
  readonly model: ModelIdentity;
}): Record<string, unknown> {
  const source: Record<string, string> = { URL: options.sourceLink };
  if (options.sourceDoi !== undefined) source.DOI = options.sourceDoi;
  return {
    Name: `duncan-mri artefact removal: ${options.sourceName}`,
    BIDSVersion: BIDS_VERSION,
    DatasetType: 'derivative',
    GeneratedBy: [
      {
        Name: 'duncan-mri',
        Version: options.version,
        Description: generatedByDescription(options.model),
      },
    ],
    SourceDatasets: [source],
    DatasetLinks: { [RAW_LINK]: options.sourceLink },
  };
}

/**
 * Writes `dataset_description.json` (and a `.bidsignore` listing `logs/` and `group/`) into the
 * output folder, or checks the one there: it must be a duncan-mri derivative of the same
 * version and model, unless `overwrite` (then it is replaced). Safe when several processes
 * start on one output folder at once (one per participant): the file is created with a
 * link, never half-written, and whoever comes second compares.
 */
export function ensureDerivativeDescription(
  outputDir: string,
  description: Record<string, unknown>,
  overwrite: boolean,
): void {
  const path = join(outputDir, 'dataset_description.json');
  const text = `${JSON.stringify(description, null, 2)}\n`;
  const wanted = (description.GeneratedBy as Record<string, unknown>[])[0]!;
  const check = (): 'same' | string => {
    let existing: unknown;
    try {
      existing = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      if ((error as { code?: string }).code) throw ioError(WHERE, 'output_dir', path, error);
      return 'is not valid JSON';
    }
    const e = existing as { DatasetType?: unknown; GeneratedBy?: unknown };
    const first = Array.isArray(e.GeneratedBy)
      ? (e.GeneratedBy[0] as Record<string, unknown>)
      : undefined;
    if (e.DatasetType !== 'derivative' || first?.Name !== 'duncan-mri')
      return 'is not that of a duncan-mri derivative dataset';
    if (first.Version !== wanted.Version)
      return `was written by duncan-mri ${String(first.Version)}, this is ${String(wanted.Version)}`;
    const modelOf = (d: unknown) => String(d).replace(/^.*; model: /, '');
    if (first.Description !== wanted.Description)
      return `names another model: ${modelOf(first.Description)}; this run's is ${modelOf(wanted.Description)}`;
    return 'same';
  };
  let present = true;
  try {
    statSync(path);
  } catch {
    present = false;
  }
  if (present) {
    const verdict = check();
    if (verdict !== 'same') {
      if (!overwrite) {
        throw new MriError(
          'IO_ERROR',
          `${WHERE}: output_dir must be empty or hold derivatives of this duncan-mri and model (pass --overwrite to replace them), got ${JSON.stringify(outputDir)} whose dataset_description.json ${verdict}`,
          { argument: 'output_dir' },
        );
      }
      writeFileAtomic(path, text, true);
    }
  } else {
    try {
      writeFileAtomic(path, text, false);
    } catch (error) {
      // Another process made it meanwhile: it must agree.
      const verdict = check();
      if (verdict !== 'same') throw error;
    }
  }
  try {
    writeFileAtomic(join(outputDir, '.bidsignore'), 'logs/\ngroup/\n', false);
  } catch {
    // already there (ours, or the user's own)
  }
}

/** Absolute paths of the four files of one image's derivative, and their dataset paths. */
export interface DerivativeFiles {
  readonly corrected: string;
  readonly correctedSidecar: string;
  readonly artefactMap: string;
  readonly artefactSidecar: string;
  /** Path of the corrected image inside the derivative dataset (`/` separators). */
  readonly correctedRelative: string;
  readonly artefactRelative: string;
}

/** Where the derivative of `image` goes: same folders, the raw entities, then `desc-<label>`. */
export function derivativeFiles(outputDir: string, image: BidsImage): DerivativeFiles {
  const folder = image.relativePath.slice(0, image.relativePath.lastIndexOf('/'));
  const named = (desc: string, extension: string) =>
    formatBidsName({
      entities: [...image.name.entities, ['desc', desc] as const],
      suffix: image.name.suffix,
      extension,
    });
  const rel = (desc: string, extension: string) => `${folder}/${named(desc, extension)}`;
  const abs = (desc: string, extension: string) =>
    join(outputDir, ...rel(desc, extension).split('/'));
  return {
    corrected: abs(DESC_CORRECTED, '.nii.gz'),
    correctedSidecar: abs(DESC_CORRECTED, '.json'),
    artefactMap: abs(DESC_ARTEFACT, '.nii.gz'),
    artefactSidecar: abs(DESC_ARTEFACT, '.json'),
    correctedRelative: rel(DESC_CORRECTED, '.nii.gz'),
    artefactRelative: rel(DESC_ARTEFACT, '.nii.gz'),
  };
}

/** The source file as a sidecar records it, to tell later whether it changed. */
export interface SourceFileRecord {
  readonly Size: number;
  readonly MTimeMs: number;
  readonly Sha256: string;
}

/** Size, modification time and SHA-256 of a source image. */
export function sourceFileRecord(path: string): SourceFileRecord {
  try {
    const s = statSync(path);
    return { Size: s.size, MTimeMs: s.mtimeMs, Sha256: sha256(readFileSync(path)) };
  } catch (error) {
    throw ioError(WHERE, 'source', path, error);
  }
}

/** The correction settings that change the result (recorded, and compared on a re-run). */
export interface CorrectionSettings {
  readonly axis: 0 | 1 | 2;
  /**
   * Mirror averaging (core's `flips`): each slice corrected as it is and mirrored three ways,
   * the four outputs averaged. Recorded as `CorrectionSettings.MirrorAveraging`.
   */
  readonly flips: boolean;
  /**
   * Residual shrinkage (core's `shrinkage`): each slice's correction soft-thresholded at this
   * multiple of the slice's noise level; 0 is off. Recorded as
   * `CorrectionSettings.ResidualShrinkage`.
   */
  readonly shrinkage: number;
}

const AXIS_NAMES = ['x', 'y', 'z'] as const;

/** How a derivative's slices were corrected, as a stale reason says it. */
const passes = (flips: unknown) =>
  flips === true
    ? 'with mirror averaging'
    : flips === false
      ? 'with one forward pass per slice'
      : `with MirrorAveraging ${JSON.stringify(flips)}`;

/** How a derivative's corrections were shrunk, as a stale reason says it. */
const shrunk = (k: unknown) =>
  k === 0
    ? 'without residual shrinkage'
    : typeof k === 'number'
      ? `with residual shrinkage ${k}`
      : `with ResidualShrinkage ${JSON.stringify(k)}`;

/** 7 significant digits: float32 arithmetic carries no more. */
const round = (v: number | null) => (v === null ? null : Number(v.toPrecision(7)));

/** The sidecars of the corrected image and of the artefact map. */
export function derivativeSidecars(options: {
  readonly image: BidsImage;
  readonly files: DerivativeFiles;
  readonly model: ModelIdentity;
  readonly settings: CorrectionSettings;
  readonly source: SourceFileRecord;
  readonly nonFinite: number;
  readonly measures: ChangeMeasures;
}): { corrected: Record<string, unknown>; artefactMap: Record<string, unknown> } {
  const { image, files, model, settings, source, measures } = options;
  const sourceUri = `bids:${RAW_LINK}:${image.relativePath}`;
  const correctedUri = `bids::${files.correctedRelative}`;
  const modelRecord = {
    Name: model.name,
    Architecture: model.architecture,
    ConfigSha256: model.configSha256,
    WeightsSha256: model.weightsSha256,
    TrainingStep: model.trainingStep,
    Seed: model.seed,
  };
  const settingsRecord = {
    Axis: AXIS_NAMES[settings.axis],
    MirrorAveraging: settings.flips,
    ResidualShrinkage: settings.shrinkage,
    NonFiniteVoxels: options.nonFinite,
    NonFiniteRule: 'corrected as 0, written back as NaN',
  };
  return {
    corrected: {
      Description: `The source ${image.name.suffix} image with MRI artefacts removed by a DUNCAN network (duncan-mri), slice by slice along ${AXIS_NAMES[settings.axis]}${settings.flips ? ", with mirror averaging (the network's outputs on each slice and on its left-right, up-down and both-ways mirror images, averaged)" : ''}${settings.shrinkage > 0 ? `, with residual shrinkage (each slice's correction soft-thresholded at ${settings.shrinkage} times the slice's noise level, estimated from its finest diagonal Haar detail)` : ''}; same grid, affine and intensity scale as the source, float32.`,
      Sources: [sourceUri],
      SpatialReference: sourceUri,
      SkullStripped: false,
      DuncanModel: modelRecord,
      CorrectionSettings: settingsRecord,
      SourceFile: source,
      ChangeMeasures: {
        HeadVoxels: measures.headVoxels,
        RobustRange: round(measures.robustRange),
        MeanAbsChange: round(measures.meanAbsChange),
        MaxSliceMeanAbsChange: round(measures.maxSliceMeanAbsChange),
        ArtefactMean: round(measures.artefactMean),
        SsimToInput: round(measures.ssimToInput),
        ...(measures.note === undefined ? {} : { Note: measures.note }),
        Definition:
          'inside headMask(source) (@duncan-mri/metrics): mean |corrected - source| and mean (source - corrected), divided by the source 99.5th - 0.5th percentile in the head (RobustRange); MaxSliceMeanAbsChange the largest per-z-slice mean; SsimToInput the mean in-head SSIM of corrected against source over z slices',
      },
    },
    artefactMap: {
      Description: `Artefact map: the source ${image.name.suffix} image minus the corrected image (${files.correctedRelative}), what duncan correct --artefact-map writes; same units as the source, float32.`,
      Sources: [sourceUri, correctedUri],
      SpatialReference: sourceUri,
      SkullStripped: false,
      DuncanModel: modelRecord,
      CorrectionSettings: settingsRecord,
    },
  };
}

/** Whether a NIfTI(-gz) file at least starts as one: its header's size field and magic. */
function looksLikeNifti(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    // 4 KiB of gzip hold the 348-byte header many times over, and inflate to at most a few MiB.
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    let bytes = head.subarray(0, n);
    if (sniffFormat(bytes) === 'gzip')
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }); // a prefix is enough
    if (bytes.length < 348) return false;
    const one = bytes.readInt32LE(0) === 348 && bytes.toString('latin1', 344, 347) === 'n+1';
    const two = bytes.readInt32LE(0) === 540 && bytes.toString('latin1', 4, 7) === 'n+2';
    return one || two;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What {@link derivativeState} found for one image. */
export type DerivativeState =
  | { readonly state: 'absent' }
  | { readonly state: 'done' }
  | { readonly state: 'stale'; readonly reason: string };

/**
 * Whether the derivative of an image is done: its four files present, both images NIfTI, and
 * the corrected image's sidecar recording this source (same size, and the same modification
 * time or else the same SHA-256), this model (configuration and weights hashes) and these
 * settings (axis, and mirror averaging: a sidecar without `MirrorAveraging` was written before
 * it existed and counts as one forward pass per slice; residual shrinkage: a sidecar without
 * `ResidualShrinkage` counts as 0, off). `absent` when none of the files exists; `stale` with the reason otherwise.
 */
export function derivativeState(
  files: DerivativeFiles,
  sourcePath: string,
  model: ModelIdentity,
  settings: CorrectionSettings,
): DerivativeState {
  const all = [files.corrected, files.correctedSidecar, files.artefactMap, files.artefactSidecar];
  const present = all.map((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  if (present.every((p) => !p)) return { state: 'absent' };
  const missing = all.filter((_, i) => !present[i]);
  if (missing.length > 0)
    return {
      state: 'stale',
      reason: `incomplete outputs (no ${missing.map((p) => p.slice(dirname(p).length + 1)).join(', ')})`,
    };
  let sidecar: {
    SourceFile?: Partial<SourceFileRecord>;
    DuncanModel?: { ConfigSha256?: unknown; WeightsSha256?: unknown };
    CorrectionSettings?: { Axis?: unknown; MirrorAveraging?: unknown; ResidualShrinkage?: unknown };
  };
  try {
    sidecar = JSON.parse(readFileSync(files.correctedSidecar, 'utf8'));
  } catch {
    return { state: 'stale', reason: 'its sidecar is not valid JSON' };
  }
  const recorded = sidecar.SourceFile;
  let now: { size: number; mtimeMs: number };
  try {
    now = statSync(sourcePath);
  } catch (error) {
    throw ioError(WHERE, 'source', sourcePath, error);
  }
  if (recorded?.Size !== now.size)
    return { state: 'stale', reason: 'the source image changed (size)' };
  if (recorded.MTimeMs !== now.mtimeMs && recorded.Sha256 !== sha256(readFileSync(sourcePath)))
    return { state: 'stale', reason: 'the source image changed (content)' };
  if (
    sidecar.DuncanModel?.ConfigSha256 !== model.configSha256 ||
    sidecar.DuncanModel?.WeightsSha256 !== model.weightsSha256
  )
    return { state: 'stale', reason: 'it was made by another model' };
  if (sidecar.CorrectionSettings?.Axis !== AXIS_NAMES[settings.axis])
    return {
      state: 'stale',
      reason: `it was corrected along ${String(sidecar.CorrectionSettings?.Axis)}, not ${AXIS_NAMES[settings.axis]}`,
    };
  // A sidecar written before mirror averaging existed has no MirrorAveraging: one pass.
  const mirrored = sidecar.CorrectionSettings?.MirrorAveraging ?? false;
  if (mirrored !== settings.flips)
    return {
      state: 'stale',
      reason: `it was corrected ${passes(mirrored)}, not ${passes(settings.flips)}`,
    };
  // A sidecar written before residual shrinkage existed has no ResidualShrinkage: 0, off.
  const shrinkage = sidecar.CorrectionSettings?.ResidualShrinkage ?? 0;
  if (shrinkage !== settings.shrinkage)
    return {
      state: 'stale',
      reason: `it was corrected ${shrunk(shrinkage)}, not ${shrunk(settings.shrinkage)}`,
    };
  if (!looksLikeNifti(files.corrected) || !looksLikeNifti(files.artefactMap))
    return { state: 'stale', reason: 'an output image is not a readable NIfTI file' };
  return { state: 'done' };
}

/**
 * A hidden folder beside the outputs, for writing them before they are put in place (a short
 * temporary name of the package's write path: a killed run's folder is removed by the next).
 */
export function stagingFolder(files: DerivativeFiles): string {
  const folder = dirname(files.corrected);
  try {
    mkdirSync(folder, { recursive: true });
    cleanStaleTemps(folder);
    const stage = tempPath(folder);
    mkdirSync(stage);
    return stage;
  } catch (error) {
    throw ioError(WHERE, 'output_dir', folder, error);
  }
}

/**
 * Moves the staged files into place as one group (the package's `commitStaged`: all of them or
 * none, previous outputs restored on failure), the corrected image's sidecar last (a derivative
 * whose sidecar is there is complete), then removes the staging folder. Without `overwrite` an
 * output that appeared meanwhile is an `IO_ERROR` and is kept.
 */
export function commitStaged(stage: string, targets: readonly string[], overwrite: boolean): void {
  try {
    commitGroup(
      targets.map((target) => ({
        staged: join(stage, basename(target)),
        target,
        shown: target,
        directory: false,
      })),
      overwrite,
      { where: WHERE, argument: 'output_dir' },
    );
  } finally {
    discardTemp(stage);
  }
}

/** Every `*_desc-duncan_<suffix>.json` sidecar under `sub-*` folders of a derivative dataset. */
export function findCorrectedSidecars(outputDir: string): string[] {
  const out: string[] = [];
  const list = (p: string) => {
    try {
      return readdirSync(p, { withFileTypes: true });
    } catch {
      return [];
    }
  };
  const anat = (dir: string) => {
    for (const e of list(join(dir, 'anat')))
      if (e.isFile() && new RegExp(`_desc-${DESC_CORRECTED}_[a-zA-Z0-9]+\\.json$`).test(e.name))
        out.push(join(dir, 'anat', e.name));
  };
  for (const sub of list(outputDir)) {
    if (!sub.isDirectory() || !/^sub-[a-zA-Z0-9]+$/.test(sub.name)) continue;
    const subDir = join(outputDir, sub.name);
    anat(subDir);
    for (const ses of list(subDir))
      if (ses.isDirectory() && /^ses-[a-zA-Z0-9]+$/.test(ses.name)) anat(join(subDir, ses.name));
  }
  return out.sort();
}
