import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectMriError, readJson, tempDir } from '../../test/helpers.js';
import { lockOutput, OUTPUT_LOCK_FILE } from './output-lock.js';

/** The pid of a process that has exited (so no process runs under it, barring reuse). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function lockFile(dir: string, owner: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, OUTPUT_LOCK_FILE),
    JSON.stringify({ command: 'duncan train', started: '2020-01-01T00:00:00.000Z', ...owner }),
  );
}

describe('lockOutput', () => {
  it('creates the directory and a lock naming this process; a second lock is refused until release', async () => {
    const dir = join(tempDir(), 'a', 'b');
    const lock = lockOutput('duncan train', '--out', dir, 'duncan train');
    expect(lock.note).toBeUndefined();
    const held = readJson(join(dir, OUTPUT_LOCK_FILE));
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), command: 'duncan train' });
    const refused = await expectMriError(
      () => lockOutput('duncan train', '--out', dir, 'duncan x'),
      {},
    );
    expect(refused.code).toBe('IO_ERROR');
    expect(refused.message).toMatch(
      new RegExp(
        `--out must not be in use by another run, got .* locked by duncan train \\(pid ${process.pid} on host`,
      ),
    );
    writeFileSync(join(dir, 'output.txt'), 'x');
    lock.release();
    expect(readdirSync(dir)).toEqual(['output.txt']);
    lock.release();
    lockOutput('duncan train', '--out', dir, 'duncan train').release();
    // A directory the lock created is removed again when nothing was written into it.
    const empty = join(dir, 'c');
    lockOutput('duncan train', '--out', empty, 'duncan train').release();
    expect(existsSync(empty)).toBe(false);
  });

  it('takes over the lock of a process that no longer runs, with a note', () => {
    const dir = tempDir();
    const pid = deadPid();
    lockFile(dir, { pid, host: hostname(), token: 'stale' });
    const lock = lockOutput('duncan evaluate', '-o/--output', dir, 'duncan evaluate');
    expect(lock.note).toMatch(new RegExp(`took over the stale lock .* \\(pid ${pid} on host`));
    expect(readJson(lock.path).pid).toBe(process.pid);
    lock.release();
  });

  it('refuses a lock of another host (its process cannot be checked) and an unreadable lock', async () => {
    const dir = tempDir();
    lockFile(dir, { pid: deadPid(), host: `not-${hostname()}`, token: 't' });
    const other = await expectMriError(
      () => lockOutput('duncan train', '--out', dir, 'duncan train'),
      {},
    );
    expect(other.message).toMatch(/on host not-.*delete .*\.duncan\.lock if it is gone/);
    writeFileSync(join(dir, OUTPUT_LOCK_FILE), '');
    const unreadable = await expectMriError(
      () => lockOutput('duncan train', '--out', dir, 'duncan train'),
      {},
    );
    expect(unreadable.message).toMatch(/locked by an unreadable/);
  });

  it('release leaves a lock that is no longer its own', () => {
    const dir = tempDir();
    const lock = lockOutput('duncan train', '--out', dir, 'duncan train');
    lockFile(dir, { pid: 1, host: hostname(), token: 'another' });
    lock.release();
    expect(readJson(lock.path).token).toBe('another');
  });
});
