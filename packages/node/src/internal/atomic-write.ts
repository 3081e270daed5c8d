// The one home of the write path: every output of the package (volumes, DICOM series, reports,
// figures, JSON) is written here, so that all of them share one set of promises.
//
// - Atomic: bytes go to a temporary name in the target's own directory, are fsynced, and are
//   renamed (or, when an existing output must be refused, hard-linked) into place; the directory
//   is fsynced after the renames. A crash never leaves half a file under the target's name.
// - Short temporary names (`.duncan-tmp-<pid>-<8 hex>`, at most 32 bytes), whatever the target's
//   name: a valid name of up to the file system's limit (255 bytes) never fails because of them.
// - Probed first: `probeOutput` creates and removes a file (or directory) with a name as long as
//   the target's in the target's directory, so a read-only or denied directory, a parent that is
//   a file or a name that is too long fails before a long computation rather than after it.
// - Grouped: `commitStaged` puts several outputs (a corrected volume and its artefact map) in
//   place together or not at all. Failures roll back at once. A kill (SIGKILL, power loss) in the
//   middle leaves a journal, and the next write into that directory rolls the group back, so the
//   previous outputs return. Replacing a directory (a DICOM series) is two renames, the old one
//   to a backup name and the new one into place; POSIX has no atomic swap of two non-empty
//   directories, so a kill between those two system calls leaves the old series under its
//   backup name until the next write into that directory restores it.
// - Cleaned up: temporary files and directories of processes that have died (found by the pid in
//   their name) are removed, and their journals rolled back, the first time this process writes
//   into that directory.
// - Every failure is an `MriError` (`IO_ERROR`) that names the path and the system's reason
//   ("no space left on device", "name too long", ...), never a raw `ENOSPC`.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MriError } from '@duncan-mri/volume';
import { ioError } from './errors.js';

/** The prefix of every temporary name this package writes. */
export const TEMP_PREFIX = '.duncan-tmp-';
const TEMP_NAME = /^\.duncan-tmp-(\d+)-[0-9a-f]{8}/;
const JOURNAL_SUFFIX = '.journal';

/** Temporary paths this process created and has not finished with (never cleaned as stale). */
const live = new Set<string>();
/** Directories already cleaned of stale temporary files by this process. */
const cleaned = new Set<string>();

/** Where a failure is reported: the function (or command) and the argument that named the path. */
export interface WriteSite {
  readonly where: string;
  readonly argument: string;
}

/** A fresh temporary path in `dir` (registered as in use until {@link releaseTemp}). */
export function tempPath(dir: string, suffix = ''): string {
  const path = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}${suffix}`);
  live.add(path);
  return path;
}

/** Removes a temporary path (file or directory) if it is there, and forgets it. */
export function discardTemp(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // best effort: a stale temp is cleaned by a later run
  }
  live.delete(path);
}

/** Writes `data` to a new file (refusing an existing one) and fsyncs it. */
export function writeFileDurably(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const fd = openSync(path, 'wx', 0o644);
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * fsyncs a directory, so that the renames in it survive a power loss. Platforms that cannot
 * open or sync a directory (Windows) are skipped: there a rename is as durable as it gets.
 */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether a process of this machine runs (EPERM: it runs, as another user). */
export function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}

function isStale(path: string, pid: number): boolean {
  // Our own pid: stale only if this process did not create it (an earlier process that had the
  // same pid, as happens in containers).
  if (pid === process.pid) return !live.has(path);
  return !processIsAlive(pid);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function inode(path: string): string | undefined {
  try {
    const s = lstatSync(path, { bigint: true });
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Removes the temporary files and directories that dead processes left in `dir`, after rolling
 * back their unfinished groups (journals). Once per directory per process; never throws.
 * @returns the names removed.
 */
export function cleanStaleTemps(dir: string): string[] {
  const absolute = resolve(dir);
  if (cleaned.has(absolute)) return [];
  cleaned.add(absolute);
  let names: string[];
  try {
    names = readdirSync(absolute);
  } catch {
    return [];
  }
  const stale = names.flatMap((name) => {
    const m = TEMP_NAME.exec(name);
    const path = join(absolute, name);
    return m && isStale(path, Number(m[1])) ? [{ name, path }] : [];
  });
  // Journals first: their rollback needs the backups that are stale temps too. If a rollback
  // fails, the temporary paths it names are kept (a backup may hold the only previous output).
  const keep = new Set<string>();
  for (const { name, path } of stale) {
    if (!name.endsWith(JOURNAL_SUFFIX)) continue;
    let journal: Journal;
    try {
      journal = JSON.parse(readFileSync(path, 'utf8')) as Journal;
    } catch {
      continue; // a torn journal (killed while writing it): nothing was renamed yet
    }
    try {
      rollBack(journal);
    } catch {
      keep.add(path);
      for (const e of journal.entries) {
        keep.add(e.staged);
        if (e.backup !== null) keep.add(e.backup);
      }
    }
  }
  const removed: string[] = [];
  for (const { name, path } of stale) {
    if (keep.has(path)) continue;
    try {
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // not ours to insist on
    }
  }
  return removed;
}

/** What must be in place before a target can be committed, and what a commit records. */
export interface StagedOutput {
  /** The complete temporary file or directory (from {@link tempPath} in the target's directory). */
  readonly staged: string;
  /** The absolute final path. */
  readonly target: string;
  /** The path as the user gave it, for messages. */
  readonly shown: string;
  /** A directory (a DICOM series) rather than a file. */
  readonly directory: boolean;
}

interface JournalEntry {
  readonly target: string;
  readonly staged: string;
  /** Where the previous output is kept until the group is committed, or null if there was none. */
  readonly backup: string | null;
  /** The staged file's identity: a target with it is the new output, ours to remove. */
  readonly inode: string | null;
}

interface Journal {
  readonly entries: readonly JournalEntry[];
}

/** Undoes the renames of an unfinished group, newest first (in-process or from a dead one). */
function rollBack(journal: Journal): void {
  for (const e of [...journal.entries].reverse()) {
    const targetIsNew = e.inode !== null && inode(e.target) === e.inode;
    if (e.backup !== null && exists(e.backup)) {
      // A directory cannot be renamed over a non-empty one: move the new series aside first.
      // A file backup is a hard link of the old output: renaming it back is one atomic step.
      if (targetIsNew && lstatSync(e.target).isDirectory()) {
        const trash = tempPath(dirname(e.target));
        renameSync(e.target, trash);
        discardTemp(trash);
      }
      renameSync(e.backup, e.target);
    } else if (e.backup === null && targetIsNew) {
      rmSync(e.target, { recursive: true, force: true });
    }
    discardTemp(e.staged);
  }
}

function existsError(site: WriteSite, shown: string): MriError {
  return new MriError(
    'IO_ERROR',
    `${site.where}: ${site.argument} must not exist already (pass overwrite, or --overwrite, to replace it), got ${JSON.stringify(shown)}`,
    { argument: site.argument },
  );
}

/**
 * Puts staged outputs in place, all of them or none: with `overwrite` the previous outputs are
 * kept under backup names until every new one is in place (and restored if any step fails);
 * without it an output that appeared meanwhile is refused (`IO_ERROR`) and nothing is changed.
 * Synchronous, so no signal handler of this process runs in the middle. The staged paths are
 * consumed (moved or removed) in every case.
 */
export function commitStaged(
  outputs: readonly StagedOutput[],
  overwrite: boolean,
  site: WriteSite,
): void {
  const entries: JournalEntry[] = [];
  let journalPath: string | undefined;
  const current: { output: StagedOutput | undefined } = { output: undefined };
  // One file is one atomic rename (or link): nothing to roll back. A group keeps every previous
  // output under a backup name until all new ones are in place.
  const grouped = outputs.length > 1;
  try {
    for (const o of outputs) {
      current.output = o;
      const present = exists(o.target);
      if (present && !overwrite) throw existsError(site, o.shown);
      let backup: string | null = null;
      if (present && (grouped || o.directory)) {
        backup = tempPath(dirname(o.target));
        // A file's backup is a second link: the old output stays in place until the rename.
        if (!o.directory) linkSync(o.target, backup);
      }
      entries.push({ target: o.target, staged: o.staged, backup, inode: inode(o.staged) ?? null });
    }
    // A journal wherever a kill could leave a mixed or a missing output: a group, or a directory
    // replaced in two renames.
    if (grouped || entries.some((e, i) => outputs[i]!.directory && e.backup !== null)) {
      const dir = dirname(outputs[0]!.target);
      journalPath = tempPath(dir, JOURNAL_SUFFIX);
      writeFileDurably(journalPath, JSON.stringify({ entries } satisfies Journal));
      syncDirectory(dir);
    }
    const applied: JournalEntry[] = [];
    try {
      for (const [i, e] of entries.entries()) {
        const o = outputs[i]!;
        current.output = o;
        // Recorded first: the rollback checks what each step left (a backup, a new target).
        applied.push(e);
        if (e.backup !== null) {
          if (o.directory) renameSync(e.target, e.backup);
          renameSync(e.staged, e.target);
        } else if (o.directory) {
          // rename() would replace an empty directory that appeared meanwhile: refuse it instead.
          if (exists(e.target)) throw existsError(site, o.shown);
          renameSync(e.staged, e.target);
        } else if (overwrite) {
          renameSync(e.staged, e.target);
        } else {
          // link() fails if the target appeared meanwhile: no race between check and write.
          try {
            linkSync(e.staged, e.target);
          } catch (error) {
            if ((error as { code?: string }).code === 'EEXIST') throw existsError(site, o.shown);
            throw error;
          }
          unlinkSync(e.staged);
        }
        live.delete(e.staged);
      }
      for (const dir of new Set(entries.map((e) => dirname(e.target)))) syncDirectory(dir);
    } catch (error) {
      try {
        rollBack({ entries: applied });
      } catch {
        // Keep the journal and the backups: the next write into this directory after this
        // process has ended retries the rollback.
        if (journalPath !== undefined) live.delete(journalPath);
        for (const e of entries) if (e.backup !== null) live.delete(e.backup);
        journalPath = undefined;
        entries.length = 0;
      }
      throw error;
    }
    // The commit point: without the journal, nothing will be rolled back.
    if (journalPath !== undefined) {
      unlinkSync(journalPath);
      live.delete(journalPath);
      syncDirectory(dirname(journalPath));
    }
    for (const e of entries) if (e.backup !== null) discardTemp(e.backup);
  } catch (error) {
    for (const e of entries) if (e.backup !== null && exists(e.backup)) discardTemp(e.backup);
    if (journalPath !== undefined) discardTemp(journalPath);
    throw ioError(site.where, site.argument, current.output?.shown ?? '', error);
  } finally {
    for (const o of outputs) discardTemp(o.staged);
  }
}

/**
 * Writes one file atomically: missing parent directories are created, the bytes go to a short
 * temporary name beside the target and are renamed into place (hard-linked without `overwrite`,
 * so an output that appeared meanwhile is refused). Every failure is an `MriError` `IO_ERROR`.
 */
export function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  overwrite: boolean,
  site: WriteSite,
  shown = path,
): void {
  const target = resolve(path);
  const dir = dirname(target);
  let temp: string | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    cleanStaleTemps(dir);
    temp = tempPath(dir);
    writeFileDurably(temp, data);
  } catch (error) {
    if (temp !== undefined) discardTemp(temp);
    throw ioError(site.where, site.argument, shown, error);
  }
  commitStaged([{ staged: temp, target, shown, directory: false }], overwrite, site);
}

/** Options of {@link probeOutput}. */
export interface ProbeOptions {
  /** The output is a directory (a DICOM series) rather than a file. */
  readonly directory?: boolean;
  /** About how many bytes the output will take; checked against the free space when given. */
  readonly bytes?: number;
  /** The path as the user gave it, for messages (default `path`). */
  readonly shown?: string;
}

/**
 * Checks, before any long computation, that an output can be written where it is asked for:
 * creates the missing parent directories, then a file (or directory) named like a temporary
 * file but as long as the target's name, and removes all of it again. A read-only or denied
 * directory, a parent that is a file, a name too long for the file system or (with `bytes`) too
 * little free space fails here, as an `MriError` `IO_ERROR`, instead of after the computation.
 * Stale temporary files of dead processes in that directory are cleaned on the way.
 */
export function probeOutput(path: string, site: WriteSite, options: ProbeOptions = {}): void {
  const target = resolve(path);
  const shown = options.shown ?? path;
  const dir = dirname(target);
  const created: string[] = [];
  let probe: string | undefined;
  try {
    for (let d = dir; !exists(d); d = dirname(d)) {
      created.unshift(d);
      if (dirname(d) === d) break;
    }
    for (const d of created) mkdirSync(d);
    if (!statSync(dir).isDirectory())
      throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    cleanStaleTemps(dir);
    const base = tempPath(dir);
    const wanted = Buffer.byteLength(basename(target));
    const pad = Math.max(0, wanted - Buffer.byteLength(basename(base)));
    probe = `${base}${'x'.repeat(pad)}`;
    live.delete(base);
    live.add(probe);
    if (options.directory) mkdirSync(probe);
    else closeSync(openSync(probe, 'wx', 0o644));
    if (options.bytes !== undefined) checkFreeSpace(dir, options.bytes, site, shown);
  } catch (error) {
    throw ioError(site.where, site.argument, shown, error);
  } finally {
    if (probe !== undefined) discardTemp(probe);
    for (const d of [...created].reverse()) {
      try {
        rmdirSync(d);
      } catch {
        // not empty any more (someone else writes there too): leave it
      }
    }
  }
}

function checkFreeSpace(dir: string, bytes: number, site: WriteSite, shown: string): void {
  let free: number;
  try {
    const s = statfsSync(dir);
    // root may use the blocks reserved for it; everyone else only the available ones.
    free = (process.getuid?.() === 0 ? s.bfree : s.bavail) * s.bsize;
  } catch {
    return; // no statfs here: the write itself will say
  }
  if (free < bytes) {
    throw new MriError(
      'IO_ERROR',
      `${site.where}: ${site.argument} cannot be written: no space left on device (the output needs about ${megabytes(bytes)}, ${megabytes(free)} are free), got ${JSON.stringify(shown)}`,
      { argument: site.argument },
    );
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
