#!/usr/bin/env node
// The release dry run that `npm test` (and so CI) runs after the build: everything a release
// would do short of uploading, failing on what would make a published package wrong.
//
// 1. `changeset status`: the changesets parse, name existing packages, and a branch that changed
//    packages carries at least one changeset.
// 2. The fixed version group of .changeset/config.json lists exactly the publishable packages,
//    which share one version; CITATION.cff cites that version.
// 3. `npm publish --dry-run --offline` in every publishable package: any npm warning fails
//    ("npm auto-corrected some errors", an invalid `bin`, ...), except the one that the dry run
//    is not logged in. `--offline` skips the registry look-up of the version (the only request
//    a dry run makes), so this needs no network.
// 4. The tarball it would upload: LICENSE (the root's, byte for byte), README.md, every file that
//    `main`, `types`, `exports` and `bin` name, a `#!/usr/bin/env node` line on each `bin`, no
//    tests or sources; and the metadata the registry page needs (repository with directory,
//    homepage, bugs, author, license).
// 5. `require()` of every package from CommonJS works without a warning (Node >= 20.19).
//
// Run: node scripts/release-dry-run.mjs (after `npx turbo run build`).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPOSITORY = 'https://github.com/duncan-mri/duncan-mri';
/** npm warnings a dry run always prints and that say nothing about the package. */
const HARMLESS_WARNINGS = [
  /^npm warn publish This command requires you to be logged in/,
  // The repository's .npmrc key that makes onnxruntime-node's install script skip its CUDA
  // download (npm 10 runs that script); npm 11 warns that it is not an npm config of its own.
  /^npm warn Unknown (project|env) config "onnxruntime-node-install"/,
];

const problems = [];
const problem = (where, text) => problems.push(`${where}: ${text}`);
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

function workspaceDirs() {
  const root = readJson(join(ROOT, 'package.json'));
  const dirs = [];
  for (const pattern of root.workspaces) {
    if (!pattern.endsWith('/*')) throw new Error(`unexpected workspace pattern ${pattern}`);
    const parent = pattern.slice(0, -2);
    for (const entry of readdirSync(join(ROOT, parent), { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(posix.join(parent, entry.name));
    }
  }
  return dirs.filter((dir) => {
    try {
      readFileSync(join(ROOT, dir, 'package.json'));
      return true;
    } catch {
      return false;
    }
  });
}

/** `main` as the base branch, or its remote copy; HEAD itself when neither exists (a bare CI checkout). */
function changesetBase() {
  const base = readJson(join(ROOT, '.changeset', 'config.json')).baseBranch ?? 'main';
  for (const ref of [base, `origin/${base}`]) {
    const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: ROOT });
    if (r.status === 0) return ref;
  }
  console.log(`release dry run: no "${base}" branch here; changeset status compares with HEAD`);
  return 'HEAD';
}

function changesetStatus() {
  const base = changesetBase();
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', '@changesets', 'cli', 'bin.js'), 'status', `--since=${base}`],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    problem('changeset status', `failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  } else {
    console.log(`changeset status (since ${base}): ok`);
  }
}

/** Every file path a package.json entry point names (conditions and subpaths of `exports` included). */
function entryPoints(pkg) {
  const paths = new Set();
  const visit = (value) => {
    if (typeof value === 'string') paths.add(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(pkg.main);
  visit(pkg.types);
  visit(pkg.exports);
  return [...paths].map((p) => posix.normalize(p));
}

const escapeRegExp = (text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/**
 * The packages are ES modules; on Node >= 20.19 `require()` loads them too (synchronous
 * require of ESM, which fails on top-level await), as the READMEs say. Checked from a CommonJS
 * script, which must print nothing (no warning) on stderr.
 */
function checkRequire(publishable) {
  const names = publishable.map(({ pkg }) => pkg.name);
  const script = `for (const name of ${JSON.stringify(names)}) {
    const m = require(name);
    if (Object.keys(m).length === 0) throw new Error(name + ': require() gave no exports');
  }`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0 || r.stderr.trim() !== '') {
    problem(
      'require()',
      `loading the packages from CommonJS failed or warned (exit ${r.status}):\n${r.stderr}`,
    );
  } else {
    console.log(
      `require() of ${names.length} packages from CommonJS (Node ${process.version}): ok`,
    );
  }
}

function checkMetadata(dir, pkg) {
  const where = pkg.name;
  if (pkg.license !== 'MIT') problem(where, `license must be "MIT", got ${pkg.license}`);
  if (typeof pkg.author !== 'string' && typeof pkg.author?.name !== 'string') {
    problem(where, 'author is missing');
  }
  if (pkg.repository?.url !== `git+${REPOSITORY}.git`) {
    problem(where, `repository.url must be "git+${REPOSITORY}.git", got ${pkg.repository?.url}`);
  }
  if (pkg.repository?.directory !== dir) {
    problem(where, `repository.directory must be "${dir}", got ${pkg.repository?.directory}`);
  }
  if (pkg.homepage !== `${REPOSITORY}/tree/main/${dir}#readme`) {
    problem(where, `homepage must be "${REPOSITORY}/tree/main/${dir}#readme", got ${pkg.homepage}`);
  }
  if (pkg.bugs?.url !== `${REPOSITORY}/issues`) {
    problem(where, `bugs.url must be "${REPOSITORY}/issues", got ${pkg.bugs?.url}`);
  }
}

function publishDryRun(dir, pkg) {
  const where = pkg.name;
  const r = spawnSync('npm', ['publish', '--dry-run', '--offline', '--json'], {
    cwd: join(ROOT, dir),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (r.status !== 0) {
    problem(where, `npm publish --dry-run failed (exit ${r.status}):\n${r.stderr}`);
    return;
  }
  const warnings = r.stderr
    .split('\n')
    .filter((line) => /^npm warn/i.test(line))
    .filter((line) => !HARMLESS_WARNINGS.some((re) => re.test(line)));
  if (warnings.length > 0) {
    problem(where, `npm publish --dry-run warned:\n  ${warnings.join('\n  ')}`);
  }
  // npm prints the pack result as JSON on stdout, keyed by the package name.
  const result = JSON.parse(r.stdout)[pkg.name] ?? JSON.parse(r.stdout);
  const files = new Set(result.files.map((f) => f.path));
  for (const required of ['package.json', 'README.md', 'LICENSE']) {
    if (!files.has(required)) problem(where, `the tarball lacks ${required}`);
  }
  if (files.has('LICENSE')) {
    const own = readFileSync(join(ROOT, dir, 'LICENSE'));
    if (!own.equals(readFileSync(join(ROOT, 'LICENSE')))) {
      problem(where, `${dir}/LICENSE differs from the root LICENSE (copy it: cp LICENSE ${dir}/)`);
    }
  }
  for (const entry of entryPoints(pkg)) {
    // A subpath pattern ("./sample/*") must match at least one file.
    const pattern = new RegExp(`^${entry.split('*').map(escapeRegExp).join('[^/]+')}$`);
    if (![...files].some((f) => pattern.test(f))) {
      problem(where, `the tarball lacks ${entry}, named in package.json`);
    }
  }
  for (const [name, target] of Object.entries(pkg.bin ?? {})) {
    if (target.startsWith('./')) problem(where, `bin.${name} must not start with "./": ${target}`);
    const path = posix.normalize(target);
    if (!files.has(path)) {
      problem(where, `the tarball lacks bin.${name} ${target}`);
    } else if (!readFileSync(join(ROOT, dir, path), 'utf8').startsWith('#!/usr/bin/env node\n')) {
      problem(where, `bin.${name} ${target} does not start with "#!/usr/bin/env node"`);
    }
  }
  const stray = [...files].filter((f) => /(^|\/)(src|test)\/|\.test\.[cm]?[jt]s$/.test(f));
  if (stray.length > 0) problem(where, `the tarball holds sources or tests: ${stray.join(', ')}`);
  console.log(
    `npm publish --dry-run ${pkg.name}@${pkg.version}: ${result.entryCount} files, ` +
      `${(result.size / 1024).toFixed(0)} KB packed`,
  );
}

function checkVersions(publishable) {
  const config = readJson(join(ROOT, '.changeset', 'config.json'));
  const fixed = new Set(config.fixed.flat());
  const names = new Set(publishable.map(({ pkg }) => pkg.name));
  for (const name of names) {
    if (!fixed.has(name)) problem('.changeset/config.json', `the fixed group lacks ${name}`);
  }
  for (const name of fixed) {
    if (!names.has(name))
      problem(
        '.changeset/config.json',
        `the fixed group names ${name}, which is not a publishable package`,
      );
  }
  const versions = new Set(publishable.map(({ pkg }) => pkg.version));
  if (versions.size !== 1) {
    problem('versions', `the fixed group must share one version, got ${[...versions].join(', ')}`);
  }
  const [version] = versions;
  const cff = readFileSync(join(ROOT, 'CITATION.cff'), 'utf8');
  const cited = /^version:\s*"?([^"\s]+)"?\s*$/m.exec(cff)?.[1];
  if (cited !== version) problem('CITATION.cff', `version must be ${version}, got ${cited}`);
  if (!/^\s*doi:\s*10\.1038\/s42256-020-00270-2\s*$/m.test(cff)) {
    problem('CITATION.cff', "the preferred citation must give the DUNCAN paper's doi");
  }
}

function main() {
  const publishable = workspaceDirs()
    .map((dir) => ({ dir, pkg: readJson(join(ROOT, dir, 'package.json')) }))
    .filter(({ pkg }) => pkg.private !== true);
  changesetStatus();
  checkVersions(publishable);
  for (const { dir, pkg } of publishable) {
    checkMetadata(dir, pkg);
    publishDryRun(dir, pkg);
  }
  checkRequire(publishable);
  if (problems.length > 0) {
    console.error(`release dry run: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log(`release dry run: ${publishable.length} packages ready to publish`);
}

main();
