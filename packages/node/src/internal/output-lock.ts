import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { MriError } from '@duncan-mri/volume';
import { processIsAlive } from './atomic-write.js';
import { ioError } from './errors.js';

/** The lock file a command holds in its output directory while it runs. */
export const OUTPUT_LOCK_FILE = '.duncan.lock';

/** Who holds a lock: what the lock file says. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly started: string;
  /** Tells this lock from an earlier one of the same pid. */
  readonly token: string;
}

/** A held output lock. */
export interface OutputLock {
  /** The lock file. */
  readonly path: string;
  /** A note when a stale lock (of a process that no longer runs) was taken over. */
  readonly note: string | undefined;
  /**
   * Removes the lock file if it is still this lock's, and the directory if the lock created it
   * and it is empty (a run that failed before writing anything). Idempotent; also runs on exit.
   */
  release(): void;
}

function readOwner(path: string): LockOwner | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return (error as { code?: string }).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (
      Number.isInteger(o.pid) &&
      typeof o.host === 'string' &&
      typeof o.token === 'string' &&
      typeof o.command === 'string' &&
      typeof o.started === 'string'
    )
      return o as LockOwner;
  } catch {
    // fall through
  }
  return 'unreadable';
}

/** Creates `path` exclusively (O_EXCL) with `text`; false when it exists. */
function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function describeOwner(o: LockOwner): string {
  return `${o.command} (pid ${o.pid} on host ${o.host}, since ${o.started})`;
}

/**
 * Takes the lock of an output directory (created when missing, and removed again on release if
 * nothing was written) for one run of `command`: a file
 * `.duncan.lock` created with O_EXCL that holds the pid, the host and the start time. A second
 * run into the same directory is refused while the first runs. A lock left by a process of this
 * host that no longer runs (killed with SIGKILL, a crash) is stale: it is taken over, and `note`
 * says so. A lock of another host cannot be checked and is refused (the message says which file
 * to delete if that run is gone).
 *
 * @throws MriError `IO_ERROR` naming `option` when the directory is locked by a running (or
 * unverifiable) process, or cannot be created.
 */
export function lockOutput(
  where: string,
  option: string,
  directory: string,
  command: string,
): OutputLock {
  const dir = resolve(directory);
  const path = join(dir, OUTPUT_LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command,
    started: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const refuse = (why: string) =>
    new MriError(
      'IO_ERROR',
      `${where}: ${option} must not be in use by another run, got ${JSON.stringify(directory)} locked by ${why}; wait for that run to end, or delete ${path} if it is gone`,
      { argument: option },
    );
  let note: string | undefined;
  const created = !existsSync(dir);
  try {
    mkdirSync(dir, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      if (createExclusive(path, `${JSON.stringify(owner)}\n`)) break;
      const held = readOwner(path);
      if (held === 'gone' && attempt < 10) continue;
      if (held === 'gone' || held === 'unreadable') throw refuse(`an unreadable ${path}`);
      if (held.host !== owner.host || processIsAlive(held.pid) || attempt >= 10)
        throw refuse(describeOwner(held));
      // Stale: one taker at a time (the take-over file is named after that lock), and only
      // while the lock is still the stale one.
      const takeover = `${path}.${held.token}.takeover`;
      if (!createExclusive(takeover, `${process.pid}\n`)) throw refuse(describeOwner(held));
      try {
        const again = readOwner(path);
        if (typeof again === 'object' && again.token === held.token) unlinkSync(path);
      } finally {
        unlinkSync(takeover);
      }
      note = `note: took over the stale lock ${path} of ${describeOwner(held)}, which no longer runs`;
    }
  } catch (error) {
    throw ioError(where, option, directory, error);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const held = readOwner(path);
    if (typeof held === 'object' && held.token === owner.token) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
    if (created) {
      try {
        rmdirSync(dir); // only while empty
      } catch {
        // it holds outputs
      }
    }
  };
  process.on('exit', release);
  return { path, note, release };
}
