// Finding the anatomical images of a BIDS dataset (https://bids-specification.readthedocs.io).
//
// Written here rather than taken from npm: the registry has no maintained BIDS parser for Node.
// `bids-validator` 1.x (the legacy validator, npm) is a whole application (about 900 packages,
// 700 MB) whose file rules predate BIDS-Derivatives; its successor (the schema-based validator,
// `@bids/validator`) is published for Deno, not on npm; `@bids/schema` and `bids-schema` do not
// exist there. What `duncan bids` needs is small: the entities of a file name (BIDS "file name
// structure": `key-label` pairs joined by `_`, then the suffix and the extension) and the
// folder layout `sub-<label>/[ses-<label>/]anat/`. The entity order and the entities an
// anatomical image may carry are those of the BIDS schema (rules/entities.yaml,
// rules/files/raw/anat.yaml, `nonparametric`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeValue, invalidArgument } from '@duncan-mri/volume';

/** Entity keys in the order BIDS file names must use them (the schema's rules/entities.yaml). */
export const ENTITY_ORDER = [
  'sub',
  'tpl',
  'ses',
  'cohort',
  'sample',
  'task',
  'tracksys',
  'acq',
  'nuc',
  'voi',
  'ce',
  'trc',
  'stain',
  'rec',
  'dir',
  'run',
  'mod',
  'echo',
  'flip',
  'inv',
  'mt',
  'part',
  'proc',
  'hemi',
  'space',
  'split',
  'recording',
  'chunk',
  'atlas',
  'seg',
  'scale',
  'res',
  'den',
  'label',
  'desc',
] as const;

/** The entities a raw non-parametric anatomical image may have (rules/files/raw/anat.yaml). */
export const ANAT_ENTITIES: readonly string[] = [
  'sub',
  'ses',
  'task',
  'acq',
  'ce',
  'rec',
  'run',
  'echo',
  'part',
  'chunk',
];

/** Entities whose value is an index (digits), not a label. */
const INDEX_ENTITIES = new Set(['run', 'echo', 'flip', 'inv', 'split', 'chunk']);

/** The non-parametric (weighted) anatomical suffixes of BIDS: what a corrector may take. */
export const ANAT_SUFFIXES: readonly string[] = [
  'T1w',
  'T2w',
  'PDw',
  'T2starw',
  'FLAIR',
  'inplaneT1',
  'inplaneT2',
  'PDT2',
  'angio',
];

/** The suffixes `duncan bids` corrects unless `--suffix` says otherwise. */
export const DEFAULT_SUFFIXES: readonly string[] = ['T1w', 'T2w', 'FLAIR', 'PDw'];

/** A BIDS file name taken apart. */
export interface BidsName {
  /** `[key, value]` pairs in file-name order, e.g. `[['sub', '01'], ['run', '1']]`. */
  readonly entities: readonly (readonly [string, string])[];
  /** E.g. `T1w`. */
  readonly suffix: string;
  /** Everything from the first dot, e.g. `.nii.gz` (empty when there is none). */
  readonly extension: string;
}

const LABEL = /^[a-zA-Z0-9]+$/;

/**
 * Takes a BIDS file name apart: `sub-01_ses-a_run-1_T1w.nii.gz` gives entities `sub 01, ses a,
 * run 1`, suffix `T1w`, extension `.nii.gz`. Returns `undefined` when the name is not of that
 * shape (a key or label with other characters than letters and digits, an empty part, no
 * suffix). Only the shape is checked here; {@link checkAnatName} checks the rules.
 */
export function parseBidsName(name: string): BidsName | undefined {
  const dot = name.indexOf('.');
  const stem = dot < 0 ? name : name.slice(0, dot);
  const extension = dot < 0 ? '' : name.slice(dot);
  if (extension !== '' && !/^(\.[a-zA-Z0-9]+)+$/.test(extension)) return undefined;
  const parts = stem.split('_');
  const suffix = parts.pop();
  if (suffix === undefined || !LABEL.test(suffix)) return undefined;
  const entities: (readonly [string, string])[] = [];
  for (const part of parts) {
    const dash = part.indexOf('-');
    if (dash <= 0) return undefined;
    const key = part.slice(0, dash);
    const value = part.slice(dash + 1);
    if (!/^[a-z]+$/.test(key) || !LABEL.test(value)) return undefined;
    entities.push([key, value]);
  }
  return { entities, suffix, extension };
}

/** Joins entities (in the given order), a suffix and an extension into a file name. */
export function formatBidsName(name: BidsName): string {
  return `${[...name.entities.map(([k, v]) => `${k}-${v}`), name.suffix].join('_')}${name.extension}`;
}

/**
 * What is wrong with the name of an anatomical NIfTI image of subject `subject` (and session
 * `session`), or `undefined` when it follows BIDS: `sub` first and equal to the folder's label,
 * `ses` present exactly when the folder has one and equal to it, only the entities of a raw
 * anatomical image, each at most once and in the schema's order, indices made of digits.
 */
export function checkAnatName(
  name: BidsName,
  subject: string,
  session: string | undefined,
): string | undefined {
  const keys = name.entities.map(([k]) => k);
  if (keys[0] !== 'sub') return 'must start with sub-<label>';
  if (name.entities[0]![1] !== subject)
    return `must have the label of its folder, sub-${subject}, not sub-${name.entities[0]![1]}`;
  const ses = name.entities.find(([k]) => k === 'ses')?.[1];
  if (session !== undefined && ses !== session)
    return `must have the label of its folder, ses-${session}, not ${ses === undefined ? 'none' : `ses-${ses}`}`;
  if (session === undefined && ses !== undefined)
    return `has ses-${ses} but is not in a ses-${ses} folder`;
  const order = ENTITY_ORDER as readonly string[];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!ANAT_ENTITIES.includes(key))
      return `has the entity ${key}-, which a raw anatomical image cannot have (allowed: ${ANAT_ENTITIES.join(', ')})`;
    if (keys.indexOf(key) !== i) return `has the entity ${key}- twice`;
    if (i > 0 && order.indexOf(key) < order.indexOf(keys[i - 1]!))
      return `must order its entities as BIDS does (${keys[i - 1]}- comes after ${key}-)`;
    if (INDEX_ENTITIES.has(key) && !/^\d+$/.test(name.entities[i]![1]))
      return `must have digits as the value of ${key}-, got ${name.entities[i]![1]}`;
  }
  return undefined;
}

/** One anatomical image found by {@link findAnatImages}. */
export interface BidsImage {
  /** Absolute path. */
  readonly path: string;
  /** Path inside the dataset with `/` separators (what a `bids:` URI holds). */
  readonly relativePath: string;
  /** The participant label (without `sub-`). */
  readonly subject: string;
  /** The session label (without `ses-`), when the image is in a session folder. */
  readonly session: string | undefined;
  readonly name: BidsName;
}

/** Filters of {@link findAnatImages}; labels without their `sub-` / `ses-` prefix. */
export interface AnatFilter {
  readonly participants?: readonly string[] | undefined;
  readonly sessions?: readonly string[] | undefined;
  readonly suffixes: readonly string[];
}

/** What {@link findAnatImages} found, and the files whose names break BIDS rules. */
export interface AnatScan {
  readonly images: readonly BidsImage[];
  /** Every participant label of the dataset (the `sub-*` folders), sorted. */
  readonly participants: readonly string[];
  /** `relative/path: reason` for files in the selected `anat/` folders that break a rule. */
  readonly problems: readonly string[];
}

function listDirectory(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const NIFTI = /\.nii(\.gz)?$/;

/**
 * The NIfTI images of `sub-<label>/[ses-<label>/]anat/` with one of `suffixes`, optionally of
 * some participants and sessions only, in a stable order (participant, session, file name).
 * Hidden files and other files (sidecars, other suffixes) are passed over; a NIfTI file whose
 * name does not parse, or breaks a rule of {@link checkAnatName}, is listed in `problems`
 * instead of `images`.
 *
 * @throws `MriError` `INVALID_ARGUMENT` when a participant or session label given is not in the
 *   dataset (the message lists those that are).
 */
export function findAnatImages(bidsDir: string, filter: AnatFilter): AnatScan {
  const where = 'duncan bids';
  const participants = listDirectory(bidsDir)
    .filter((n) => /^sub-[a-zA-Z0-9]+$/.test(n) && isDirectory(join(bidsDir, n)))
    .map((n) => n.slice(4));
  const wanted = filter.participants ?? participants;
  const missing = wanted.filter((label) => !participants.includes(label));
  if (missing.length > 0) {
    invalidArgument(
      where,
      '--participant-label',
      `must name participants of the dataset (${participants.length === 0 ? 'none found: no sub-<label> folders' : participants.map((p) => `sub-${p}`).join(', ')})`,
      undefined,
      { got: missing.map((m) => `sub-${m}`).join(', '), argument: 'participant-label' },
    );
  }
  const images: BidsImage[] = [];
  const problems: string[] = [];
  const sessionsSeen = new Set<string>();
  for (const subject of wanted) {
    const subDir = join(bidsDir, `sub-${subject}`);
    const folders: { session: string | undefined; rel: string }[] = [];
    if (isDirectory(join(subDir, 'anat')))
      folders.push({ session: undefined, rel: `sub-${subject}/anat` });
    for (const entry of listDirectory(subDir)) {
      const m = /^ses-([a-zA-Z0-9]+)$/.exec(entry);
      if (m === null || !isDirectory(join(subDir, entry))) continue;
      sessionsSeen.add(m[1]!);
      if (isDirectory(join(subDir, entry, 'anat')))
        folders.push({ session: m[1]!, rel: `sub-${subject}/${entry}/anat` });
    }
    for (const { session, rel } of folders) {
      if (
        filter.sessions !== undefined &&
        (session === undefined || !filter.sessions.includes(session))
      )
        continue;
      for (const file of listDirectory(join(bidsDir, rel))) {
        if (file.startsWith('.') || !NIFTI.test(file)) continue;
        const relativePath = `${rel}/${file}`;
        const name = parseBidsName(file);
        if (name === undefined) {
          problems.push(
            `${relativePath}: is not a BIDS file name (entities key-label joined by _, then a suffix)`,
          );
          continue;
        }
        if (!filter.suffixes.includes(name.suffix)) continue;
        const wrong = checkAnatName(name, subject, session);
        if (wrong !== undefined) {
          problems.push(`${relativePath}: ${wrong}`);
          continue;
        }
        images.push({ path: join(bidsDir, rel, file), relativePath, subject, session, name });
      }
    }
  }
  if (filter.sessions !== undefined) {
    const unknown = filter.sessions.filter((s) => !sessionsSeen.has(s));
    if (unknown.length > 0) {
      invalidArgument(
        where,
        '--session-label',
        `must name sessions of the selected participants (${
          sessionsSeen.size === 0
            ? 'they have none'
            : [...sessionsSeen]
                .sort()
                .map((s) => `ses-${s}`)
                .join(', ')
        })`,
        undefined,
        { got: unknown.map((s) => `ses-${s}`).join(', '), argument: 'session-label' },
      );
    }
  }
  return { images, participants, problems };
}

/** The fields of a dataset's `dataset_description.json` that `duncan bids` reads. */
export interface DatasetDescription {
  readonly Name?: string;
  readonly BIDSVersion?: string;
  readonly DatasetType?: string;
  readonly DatasetDOI?: string;
  readonly [key: string]: unknown;
}

/**
 * Reads `<dir>/dataset_description.json`: the object, or the reason it is not a valid one
 * (missing, not JSON, not an object, no string `Name` or `BIDSVersion`; BIDS requires both).
 */
export function readDatasetDescription(
  dir: string,
):
  | { description: DatasetDescription; problem?: undefined }
  | { description?: undefined; problem: string } {
  const path = join(dir, 'dataset_description.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { problem: 'dataset_description.json is missing (BIDS requires it at the top level)' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'dataset_description.json is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      problem: `dataset_description.json must hold a JSON object, got ${describeValue(value)}`,
    };
  const d = value as DatasetDescription;
  for (const field of ['Name', 'BIDSVersion'] as const) {
    if (typeof d[field] !== 'string' || d[field].length === 0)
      return {
        problem: `dataset_description.json must have a non-empty string ${field} (REQUIRED by BIDS)`,
      };
  }
  return { description: d };
}
