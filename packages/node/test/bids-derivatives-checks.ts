// Explicit checks of a BIDS-Derivatives dataset of anatomical images, for the tests of
// `duncan bids`, written from the BIDS specification (1.10) and its schema
// (bids-standard/bids-specification, src/schema) independently of the code under test.
//
// Why not the official validator: the npm registry has only the legacy `bids-validator` 1.x
// (1.15.0, about 900 packages and 700 MB with next, jest, lerna and the AWS SDK; two of them
// with install scripts), and it does not know derivatives: on a derivative dataset it reports
// every `desc-` file as NOT_INCLUDED (tried). The schema-based validator that does (2.x) is
// published for Deno (JSR `@bids/validator`, PyPI `bids-validator-deno`), not on npm.
//
// What is checked (REQUIRED unless said otherwise):
// - dataset_description.json (rules/json/dataset.yaml): an object; Name and BIDSVersion
//   non-empty strings; DatasetType "derivative"; GeneratedBy an array of at least one object,
//   each with a string Name (Version recommended: required here); SourceDatasets (recommended)
//   an array of objects whose keys are URL, DOI or Version with string values; DatasetLinks
//   an object of strings without the reserved "" key, holding every dataset name a BIDS URI
//   uses.
// - Top level: only the files BIDS defines there, `sub-<label>` folders, and what .bidsignore
//   lists (`dir/` lines); hidden files are not data.
// - Data files (rules/files/deriv/imaging.yaml, anat_nonparametric_volumetric): in
//   `sub-<label>/[ses-<label>/]anat/`; entities among those of a raw non-parametric anatomical
//   image plus space, res and desc, each once, in the order of rules/entities.yaml, sub and ses
//   equal to their folders; suffix a non-parametric anatomical one; extension .nii.gz, .nii or
//   .json.
// - Sidecars (rules/sidecars/derivatives/common_derivatives.yaml): every NIfTI image has one
//   (same name, .json), since SkullStripped is required for MRI image derivatives: a JSON object
//   with a boolean SkullStripped; Description (recommended) a string; Sources an array of BIDS
//   URIs (objects/formats.yaml `bids_uri`) that resolve to existing files, through DatasetLinks
//   for a named dataset and inside this dataset for `bids::`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOP_LEVEL_FILES = new Set([
  'dataset_description.json',
  'README',
  'README.md',
  'README.rst',
  'README.txt',
  'CHANGES',
  'LICENSE',
  'CITATION.cff',
  'participants.tsv',
  'participants.json',
  'samples.tsv',
  'samples.json',
  'genetic_info.json',
]);
// rules/entities.yaml order, restricted to what anat_nonparametric_volumetric allows.
const ORDER = [
  'sub',
  'ses',
  'task',
  'acq',
  'ce',
  'rec',
  'run',
  'echo',
  'part',
  'space',
  'chunk',
  'res',
  'desc',
];
const SUFFIXES = [
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
const EXTENSIONS = ['.nii.gz', '.nii', '.json'];
const BIDS_URI = /^bids:[0-9a-zA-Z/#:?_\-.]+$/;

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where a `DatasetLinks` value points (a relative path, or a file: URL), or undefined. */
function linkedFolder(root: string, link: string): string | undefined {
  if (link.startsWith('file:')) return fileURLToPath(link);
  if (/^[a-z][a-z0-9+.-]*:/i.test(link)) return undefined; // a remote URL: not checked
  return isAbsolute(link) ? link : resolve(root, link);
}

/** Every problem found in the derivative dataset at `root` (empty: it passes). */
export function checkDerivativeDataset(root: string): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`${where}: ${what}`);
  const description = readJson(join(root, 'dataset_description.json'));
  let links: Record<string, unknown> = {};
  if (!isObject(description)) {
    problem('dataset_description.json', 'missing, not JSON or not an object');
  } else {
    for (const field of ['Name', 'BIDSVersion'])
      if (typeof description[field] !== 'string' || description[field] === '')
        problem('dataset_description.json', `${field} must be a non-empty string`);
    if (
      typeof description.BIDSVersion === 'string' &&
      !/^\d+\.\d+\.\d+/.test(description.BIDSVersion)
    )
      problem('dataset_description.json', 'BIDSVersion must be a version number');
    if (description.DatasetType !== 'derivative')
      problem('dataset_description.json', 'DatasetType must be "derivative"');
    const generatedBy = description.GeneratedBy;
    if (!Array.isArray(generatedBy) || generatedBy.length === 0)
      problem('dataset_description.json', 'GeneratedBy must be a non-empty array');
    else
      generatedBy.forEach((g, i) => {
        if (!isObject(g) || typeof g.Name !== 'string' || g.Name === '')
          problem('dataset_description.json', `GeneratedBy[${i}] must be an object with a Name`);
        else if (typeof g.Version !== 'string')
          problem('dataset_description.json', `GeneratedBy[${i}].Version should be a string`);
      });
    const sources = description.SourceDatasets;
    if (sources !== undefined) {
      if (!Array.isArray(sources))
        problem('dataset_description.json', 'SourceDatasets must be an array');
      else
        sources.forEach((s, i) => {
          if (!isObject(s))
            problem('dataset_description.json', `SourceDatasets[${i}] must be an object`);
          else
            for (const [k, v] of Object.entries(s))
              if (!['URL', 'DOI', 'Version'].includes(k) || typeof v !== 'string')
                problem(
                  'dataset_description.json',
                  `SourceDatasets[${i}].${k} is not a string URL, DOI or Version`,
                );
        });
    }
    if (description.DatasetLinks !== undefined) {
      if (!isObject(description.DatasetLinks))
        problem('dataset_description.json', 'DatasetLinks must be an object');
      else {
        links = description.DatasetLinks;
        if ('' in links)
          problem('dataset_description.json', 'DatasetLinks must not have the key ""');
        for (const [k, v] of Object.entries(links))
          if (typeof v !== 'string')
            problem('dataset_description.json', `DatasetLinks.${k} must be a string`);
      }
    }
  }
  const ignored = existsSync(join(root, '.bidsignore'))
    ? readFileSync(join(root, '.bidsignore'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.endsWith('/'))
        .map((l) => l.slice(0, -1))
    : [];
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('.') || ignored.includes(entry)) continue;
    const full = join(root, entry);
    if (statSync(full).isDirectory()) {
      if (!/^sub-[a-zA-Z0-9]+$/.test(entry)) problem(entry, 'is not a sub-<label> folder');
    } else if (!TOP_LEVEL_FILES.has(entry)) problem(entry, 'is not a top-level file BIDS defines');
  }
  const checkAnat = (rel: string, subject: string, session: string | undefined) => {
    for (const file of readdirSync(join(root, rel))) {
      if (file.startsWith('.')) continue;
      const where = `${rel}/${file}`;
      const m = /^([^.]+)(\..+)$/.exec(file);
      if (m === null || !EXTENSIONS.includes(m[2]!)) {
        problem(where, 'has no anatomical image or sidecar extension');
        continue;
      }
      const parts = m[1]!.split('_');
      const suffix = parts.pop()!;
      if (!SUFFIXES.includes(suffix))
        problem(where, `suffix ${suffix} is not a non-parametric anatomical one`);
      let last = -1;
      const seen = new Map<string, string>();
      for (const part of parts) {
        const e = /^([a-z]+)-([a-zA-Z0-9]+)$/.exec(part);
        const at = e === null ? -1 : ORDER.indexOf(e[1]!);
        if (e === null || at < 0) {
          problem(where, `${part} is not an entity an anatomical derivative can have`);
          continue;
        }
        if (seen.has(e[1]!)) problem(where, `${e[1]} twice`);
        if (at <= last) problem(where, `${e[1]} out of order`);
        last = at;
        seen.set(e[1]!, e[2]!);
      }
      if (parts.length === 0 || !parts[0]!.startsWith('sub-'))
        problem(where, 'must start with sub-');
      if (seen.get('sub') !== subject) problem(where, `sub must be ${subject}`);
      if (seen.get('ses') !== session) problem(where, `ses must be ${session ?? 'absent'}`);
      if (m[2] === '.json') {
        const sidecar = readJson(join(root, where));
        if (!isObject(sidecar)) {
          problem(where, 'is not a JSON object');
          continue;
        }
        if (typeof sidecar.SkullStripped !== 'boolean')
          problem(where, 'SkullStripped must be a boolean');
        if (sidecar.Description !== undefined && typeof sidecar.Description !== 'string')
          problem(where, 'Description must be a string');
        const sources = sidecar.Sources;
        if (sources !== undefined) {
          if (!Array.isArray(sources)) problem(where, 'Sources must be an array');
          else
            for (const uri of sources) {
              if (typeof uri !== 'string' || !BIDS_URI.test(uri)) {
                problem(where, `Sources entry ${JSON.stringify(uri)} is not a BIDS URI`);
                continue;
              }
              const [, name, ...path] = uri.split(':');
              const base =
                name === ''
                  ? root
                  : typeof links[name!] === 'string'
                    ? linkedFolder(root, links[name!] as string)
                    : undefined;
              if (name !== '' && !(name! in links))
                problem(where, `Sources uses dataset ${name}, which DatasetLinks lacks`);
              else if (base !== undefined && !existsSync(join(base, path.join(':'))))
                problem(where, `Sources entry ${uri} does not resolve to a file`);
            }
        }
      } else if (!existsSync(join(root, `${rel}/${m[1]}.json`))) {
        problem(where, 'has no JSON sidecar (SkullStripped is required)');
      }
    }
  };
  for (const sub of readdirSync(root)) {
    const s = /^sub-([a-zA-Z0-9]+)$/.exec(sub);
    if (s === null || !statSync(join(root, sub)).isDirectory()) continue;
    for (const entry of readdirSync(join(root, sub))) {
      if (entry.startsWith('.')) continue;
      const ses = /^ses-([a-zA-Z0-9]+)$/.exec(entry);
      if (entry === 'anat') checkAnat(`${sub}/anat`, s[1]!, undefined);
      else if (ses !== null) {
        for (const inner of readdirSync(join(root, sub, entry))) {
          if (inner.startsWith('.')) continue;
          if (inner === 'anat') checkAnat(`${sub}/${entry}/anat`, s[1]!, ses[1]);
          else
            problem(
              `${sub}/${entry}/${inner}`,
              'is not a datatype folder of anatomical derivatives',
            );
        }
      } else problem(`${sub}/${entry}`, 'is not anat/ or a ses-<label> folder');
    }
  }
  return problems;
}
