#!/usr/bin/env node
// Checks that the code in every README.md of the repository is correct as written (`npm test`
// runs it after the build):
//
// - ```ts / ```js blocks are type-checked, each as its own ES module, against the BUILT packages
//   (the `.d.ts` files that `@duncan-mri/*` resolve to through node_modules, as a user's project
//   sees them), with the repository's compiler settings (strict, noUncheckedIndexedAccess,
//   exactOptionalPropertyTypes: what `tsc --init` sets) and the DOM and Node types.
//   A block that uses values it does not define (the volume a user already has, a page's
//   <input>) gets them from an HTML comment right above it, invisible on GitHub and npm:
//     <!-- readme-check: declare const volume: Volume; -->
//   Its text is put before the block, with the block's own line numbers kept in the messages.
// - ```bash / ```sh blocks are parsed by `bash -n`; every `duncan` command in them must name a
//   real subcommand and only options that its `--help` lists; `npm run/start/test -w <ws>` must
//   name a workspace that has that script, and `node|bash|python3 <file>` a file that exists.
// - Other blocks (plain ```, text output, licences) are prose and are not checked.
//
// Run: node scripts/check-readme-code.mjs [README.md ...] (after `npx turbo run build`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages', 'node', 'dist', 'cli.js');

/**
 * Blocks that are deliberately not checked: `file` and a text the block contains, and why.
 * Keep this list short; prefer a `readme-check` declaration above the block.
 */
const SKIP = [];

const TS_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console']);

/** The README.md files git knows about, outside test fixtures. */
function readmeFiles() {
  return execFileSync('git', ['ls-files', '*README.md', 'README.md'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f.endsWith('README.md'))
    .filter((f) => !f.startsWith('.changeset/'));
}

/** The fenced code blocks of a Markdown file, with the `readme-check` comment above each. */
export function extractBlocks(file, text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j];
      if (new RegExp(`^${fence[0]}{${fence.length},}$`).test(line.trim())) break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    // The comment directly above the fence (blank lines allowed between).
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    let prelude = '';
    if (k >= 0 && lines[k].trim().endsWith('-->')) {
      let start = k;
      while (start >= 0 && !lines[start].includes('<!--')) start--;
      const comment = lines.slice(start, k + 1).join('\n');
      const m = /<!--\s*readme-check:([\s\S]*?)-->/.exec(comment);
      if (m) prelude = m[1].trim();
    }
    blocks.push({ file, line: i + 2, lang: lang.toLowerCase(), code: body.join('\n'), prelude });
    i = j;
  }
  return blocks;
}

// ---------------------------------------------------------------- TypeScript and JavaScript

function typecheck(blocks, problems) {
  if (blocks.length === 0) return;
  // Inside the repository, so that `@duncan-mri/*` resolve through node_modules to the built
  // packages exactly as in a user's project.
  const dir = join(ROOT, 'node_modules', '.cache', 'readme-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const files = new Map();
  blocks.forEach((block, n) => {
    const ext = block.lang.startsWith('j') || block.lang === 'mjs' ? 'js' : 'ts';
    const path = join(dir, `block-${n}.${ext}`);
    const head = block.prelude ? `${block.prelude}\n` : '';
    // `export {}` makes every block a module of its own (top-level await, no shared names).
    writeFileSync(path, `${head}${block.code}\nexport {};\n`);
    files.set(path, { block, offset: head.split('\n').length - 1 });
  });
  const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile).config;
  const { options } = ts.convertCompilerOptionsFromJson(
    {
      ...base.compilerOptions,
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      types: ['node'],
      noEmit: true,
      allowJs: true,
      checkJs: true,
      declaration: false,
      sourceMap: false,
      // Each block is a snippet: a value it declares and does not use again is not a mistake.
      noUnusedLocals: false,
    },
    dir,
  );
  const program = ts.createProgram([...files.keys()], options);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
    const entry = d.file ? files.get(d.file.fileName) : undefined;
    if (!entry) {
      problems.push(`TypeScript: ${message}`);
      continue;
    }
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const { block, offset } = entry;
    const where =
      line < offset
        ? `${block.file}:${block.line - 1} (the readme-check comment above the block)`
        : `${block.file}:${block.line + line - offset}`;
    problems.push(`${where}: TS${d.code} ${message}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- shell

const helpCache = new Map();
function duncanHelp(command) {
  const key = command ?? '';
  if (!helpCache.has(key)) {
    const args = command ? [CLI, command, '--help'] : [CLI, '--help'];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    helpCache.set(key, r.status === 0 ? r.stdout : null);
  }
  return helpCache.get(key);
}

function duncanCommands() {
  const help = duncanHelp(undefined) ?? '';
  const section = help.split(/^Commands:$/m)[1]?.split(/\n\s*\n/)[0] ?? '';
  return new Set([...section.matchAll(/^ {2}(\w+)\s/gm)].map((m) => m[1]));
}

const workspaceCache = new Map();
function workspaceScripts(name) {
  if (!workspaceCache.has(name)) {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    let found = null;
    for (const pattern of root.workspaces) {
      const parent = pattern.replace(/\/\*$/, '');
      for (const dir of readdirSync(join(ROOT, parent))) {
        const path = join(ROOT, parent, dir, 'package.json');
        if (!existsSync(path)) continue;
        const pkg = JSON.parse(readFileSync(path, 'utf8'));
        if (pkg.name === name || posix.join(parent, dir) === name) found = pkg.scripts ?? {};
      }
    }
    workspaceCache.set(name, found);
  }
  return workspaceCache.get(name);
}

/** Words of a shell command, quotes removed, the comment dropped (enough for these READMEs). */
function words(command) {
  const out = [];
  for (const m of command.matchAll(/'([^']*)'|"([^"]*)"|(#.*$)|(\S+)/g)) {
    if (m[3] !== undefined) break;
    out.push(m[1] ?? m[2] ?? m[4]);
  }
  return out;
}

function checkShell(block, problems) {
  const at = (i) => `${block.file}:${block.line + i}`;
  const syntax = spawnSync('bash', ['-n'], { input: block.code, encoding: 'utf8' });
  if (syntax.status !== 0) problems.push(`${at(0)}: bash -n: ${syntax.stderr.trim()}`);
  const commands = duncanCommands();
  // Join continuation lines, remembering where each command starts.
  const lines = block.code.split('\n');
  let cwd = ROOT;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i];
    while (text.trimEnd().endsWith('\\') && i + 1 < lines.length) {
      text = `${text.trimEnd().slice(0, -1)} ${lines[++i]}`;
    }
    // A `( ... )` subshell's `cd` ends with it.
    const outer = cwd;
    const subshell = text.trimStart().startsWith('(');
    for (const part of text.split(/&&|;|\|\|/)) {
      const w = words(part.replace(/^\s*\(/, '').replace(/\)\s*$/, ''));
      while (w.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(w[0])) w.shift(); // VAR=value prefixes
      if (w.length === 0) continue;
      if (w[0] === 'cd' && w[1]) {
        cwd = join(cwd, w[1]);
        continue;
      }
      if (w[0] === 'npx' && w[1] === 'duncan') w.shift();
      if (w[0] === 'node' && w[1]?.endsWith('packages/node/dist/cli.js')) w.shift();
      if (w[0] === 'duncan' || w[0]?.endsWith('packages/node/dist/cli.js')) {
        checkDuncan(w.slice(1), commands, at(start), problems);
      } else if (w[0] === 'npm' && ['run', 'start', 'test'].includes(w[1])) {
        checkNpm(w.slice(1), at(start), problems);
      } else if (['node', 'bash', 'python3', '/usr/bin/python3'].includes(w[0]) && w[1]) {
        const file = w[1];
        if (!file.startsWith('-') && !existsSync(join(cwd, file))) {
          problems.push(
            `${at(start)}: ${w[0]} ${file}: no such file (from ${relative(ROOT, cwd) || '.'})`,
          );
        }
      }
    }
    if (subshell) cwd = outer;
  }
}

function checkDuncan(args, commands, where, problems) {
  const [command, ...rest] = args;
  if (command === undefined || command.startsWith('-')) return; // `duncan --help`
  if (!commands.has(command)) {
    problems.push(
      `${where}: duncan ${command}: no such command (duncan --help lists ${[...commands].join(', ')})`,
    );
    return;
  }
  const help = duncanHelp(command) ?? '';
  for (const word of rest) {
    const option = /^(--?[a-zA-Z][\w-]*)/.exec(word)?.[1];
    if (!option || option === '--help' || option === '-h') continue;
    const listed = new RegExp(`(^|[\\s,])${option}([\\s,=]|$)`, 'm').test(help);
    if (!listed)
      problems.push(
        `${where}: duncan ${command} ${option}: not an option of \`duncan ${command} --help\``,
      );
  }
}

function checkNpm(args, where, problems) {
  const [verb, ...rest] = args;
  const script = verb === 'run' ? rest.shift() : verb;
  if (script === undefined || script.startsWith('-')) return;
  const wsIndex = rest.findIndex((w) => w === '-w' || w === '--workspace');
  const workspace = wsIndex >= 0 ? rest[wsIndex + 1] : undefined;
  const scripts = workspace
    ? workspaceScripts(workspace)
    : JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
  if (scripts === null) {
    problems.push(`${where}: npm ${verb} -w ${workspace}: no such workspace`);
  } else if (!(script in scripts)) {
    problems.push(
      `${where}: npm ${verb === 'run' ? `run ${script}` : script}${workspace ? ` -w ${workspace}` : ''}: no such script`,
    );
  }
}

// ---------------------------------------------------------------- main

function main() {
  const only = process.argv.slice(2);
  const files = only.length > 0 ? only : readmeFiles();
  const problems = [];
  const code = [];
  const counts = { typescript: 0, shell: 0, skipped: 0 };
  for (const file of files) {
    const blocks = extractBlocks(file, readFileSync(join(ROOT, file), 'utf8'));
    for (const block of blocks) {
      const skip = SKIP.find((s) => s.file === file && block.code.includes(s.contains));
      if (skip) {
        counts.skipped++;
        continue;
      }
      if (TS_LANGS.has(block.lang)) {
        code.push(block);
        counts.typescript++;
      } else if (SHELL_LANGS.has(block.lang)) {
        checkShell(block, problems);
        counts.shell++;
      }
    }
  }
  for (const s of SKIP) {
    if (!files.includes(s.file)) continue;
    const text = readFileSync(join(ROOT, s.file), 'utf8');
    if (!text.includes(s.contains))
      problems.push(`${s.file}: the skipped block "${s.contains}" is gone; remove it from SKIP`);
  }
  typecheck(code, problems);
  if (problems.length > 0) {
    console.error(`README code: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log(
    `README code: ${counts.typescript} TypeScript/JavaScript and ${counts.shell} shell blocks ` +
      `in ${files.length} READMEs checked, ${counts.skipped} skipped (see SKIP)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
