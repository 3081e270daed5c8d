import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { isMriError } from '@duncan-mri/volume';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/helpers.js';

// A switch at the file-system boundary: `kill.atStep` makes the n-th change on disk (from 1)
// fail, and every later one, as after a SIGKILL, so the test sees exactly what a kill at that
// point leaves; `kill.failAtStep` makes one rename fail (EXDEV) and the process go on. `kill.writeError` makes writes fail with
// that code (ENOSPC: a full disk, which no portable test can make for real).
const kill = vi.hoisted(() => ({
  atStep: 0,
  failAtStep: 0,
  steps: 0,
  dead: false,
  writeError: '',
}));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const dead = () => Object.assign(new Error('killed'), { code: 'EKILLED' });
  const mutating =
    <A extends unknown[], R>(f: (...a: A) => R, isRename = false) =>
    (...a: A): R => {
      if (kill.dead) throw dead();
      kill.steps++;
      if (kill.atStep > 0 && kill.steps >= kill.atStep) {
        kill.dead = true;
        throw dead();
      }
      if (isRename && kill.steps === kill.failAtStep)
        throw Object.assign(new Error('cross-device link'), { code: 'EXDEV' });
      return f(...a);
    };
  const writeSync = (...a: Parameters<typeof fs.writeSync>) => {
    if (kill.writeError !== '')
      throw Object.assign(new Error(kill.writeError), { code: kill.writeError });
    return mutating(fs.writeSync as (...b: unknown[]) => number)(...a);
  };
  return {
    ...fs,
    renameSync: mutating(fs.renameSync, true),
    linkSync: mutating(fs.linkSync),
    unlinkSync: mutating(fs.unlinkSync),
    rmSync: mutating(fs.rmSync),
    rmdirSync: mutating(fs.rmdirSync),
    mkdirSync: mutating(fs.mkdirSync),
    openSync: mutating(fs.openSync),
    writeSync,
  };
});

/** A fresh copy of the module: what the next process would run (no memory of live temps). */
async function freshModule() {
  vi.resetModules();
  return import('./atomic-write.js');
}

afterEach(() => {
  Object.assign(kill, { atStep: 0, failAtStep: 0, steps: 0, dead: false, writeError: '' });
});

const SITE = { where: 'test', argument: 'path' };

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isMriError(error)) return error;
    throw error;
  }
  throw new Error('expected an MriError');
}

describe('writeFileAtomic', () => {
  it('writes valid names up to 255 bytes (short temporary names) and refuses longer ones clearly', async () => {
    const { writeFileAtomic } = await freshModule();
    const dir = tempDir();
    for (const length of [236, 250, 254, 255]) {
      const name = `${'a'.repeat(length - 4)}.nii`;
      writeFileAtomic(join(dir, name), 'x', false, SITE);
      expect(readFileSync(join(dir, name), 'utf8')).toBe('x');
    }
    // Multi-byte names count in bytes: 127 two-byte letters + ".nii" = 258 bytes.
    const e = errorOf(() => writeFileAtomic(join(dir, `${'é'.repeat(127)}.nii`), 'x', false, SITE));
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toMatch(/^test: path has a name too long for the file system, got "/);
    expect(readdirSync(dir)).toHaveLength(4);
  });

  it('says "no space left on device" when the disk is full, and leaves no temporary file', async () => {
    const { writeFileAtomic } = await freshModule();
    const dir = tempDir();
    kill.writeError = 'ENOSPC';
    const e = errorOf(() => writeFileAtomic(join(dir, 'out.json'), '{}', true, SITE));
    expect(e.message).toBe(
      `test: path could not be written: no space left on device, got ${JSON.stringify(join(dir, 'out.json'))}`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('probeOutput', () => {
  it('fails before any computation for a parent that is a file, a missing parent that cannot be made, or a name too long', async () => {
    const { probeOutput } = await freshModule();
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const cases: [string, RegExp][] = [
      [join(dir, 'file', 'out.nii'), /has a parent that is not a directory/],
      [join(dir, 'file', 'sub', 'deeper', 'out.nii'), /has a parent that is not a directory/],
      [join(dir, `${'b'.repeat(256)}.nii`), /has a name too long for the file system/],
      [join(dir, `${'c'.repeat(256)}`, 'out.nii'), /has a name too long for the file system/],
    ];
    for (const [path, message] of cases) {
      const e = errorOf(() => probeOutput(path, SITE));
      expect(e.code).toBe('IO_ERROR');
      expect(e.message).toMatch(message);
    }
    // Nothing left behind: no probe, no half-made directory.
    expect(readdirSync(dir)).toEqual(['file']);
    probeOutput(join(dir, 'new', 'deeper', `${'d'.repeat(251)}.nii`), SITE);
    probeOutput(join(dir, 'series'), SITE, { directory: true });
    expect(readdirSync(dir)).toEqual(['file']);
    const full = errorOf(() => probeOutput(join(dir, 'big.nii'), SITE, { bytes: 2 ** 60 }));
    expect(full.message).toMatch(/cannot be written: no space left on device \(the output needs/);
  });

  it.skipIf(process.getuid?.() === 0)(
    'refuses a read-only directory (skipped as root, whom permission bits do not stop)',
    async () => {
      const { probeOutput } = await freshModule();
      const dir = tempDir();
      mkdirSync(join(dir, 'ro'));
      chmodSync(join(dir, 'ro'), 0o555);
      try {
        const e = errorOf(() => probeOutput(join(dir, 'ro', 'out.nii'), SITE));
        expect(e.message).toMatch(/is not accessible \(permission denied\)/);
      } finally {
        chmodSync(join(dir, 'ro'), 0o755);
      }
    },
  );
});

describe('cleanStaleTemps', () => {
  it('removes the temporary files and directories of dead processes only', async () => {
    const { cleanStaleTemps, tempPath } = await freshModule();
    const dir = tempDir();
    const dead = deadPid();
    writeFileSync(join(dir, `.duncan-tmp-${dead}-0123abcd`), 'x'.repeat(1000));
    mkdirSync(join(dir, `.duncan-tmp-${dead}-89abcdef`));
    writeFileSync(join(dir, `.duncan-tmp-${dead}-89abcdef`, 'IM0001.dcm'), 'x');
    // An earlier process with this very pid (containers reuse pids): not in use here.
    writeFileSync(join(dir, `.duncan-tmp-${process.pid}-00000000`), 'x');
    // A living process (the parent) and this process's own temp in use: kept.
    writeFileSync(join(dir, `.duncan-tmp-${process.ppid}-11111111`), 'x');
    const own = tempPath(dir);
    writeFileSync(own, 'x');
    writeFileSync(join(dir, '.hidden-user-file'), 'x');
    writeFileSync(join(dir, 'scan.nii'), 'x');
    expect(cleanStaleTemps(dir).sort()).toEqual(
      [
        `.duncan-tmp-${dead}-0123abcd`,
        `.duncan-tmp-${dead}-89abcdef`,
        `.duncan-tmp-${process.pid}-00000000`,
      ].sort(),
    );
    expect(readdirSync(dir).sort()).toEqual(
      [
        '.hidden-user-file',
        `.duncan-tmp-${process.ppid}-11111111`,
        own.slice(dir.length + 1),
        'scan.nii',
      ].sort(),
    );
  });
});

describe('commitStaged', () => {
  /** A file and a directory (a DICOM series) output, "old" contents, and staged "new" ones. */
  async function group(mod: Awaited<ReturnType<typeof freshModule>>, dir: string, old: boolean) {
    const file = join(dir, 'corrected.nii');
    const series = join(dir, 'map');
    if (old) {
      writeFileSync(file, 'old');
      mkdirSync(series);
      writeFileSync(join(series, 'IM0001.dcm'), 'old');
    }
    const stagedFile = mod.tempPath(dir);
    writeFileSync(stagedFile, 'new');
    const stagedSeries = mod.tempPath(dir);
    mkdirSync(stagedSeries);
    writeFileSync(join(stagedSeries, 'IM0001.dcm'), 'new');
    return [
      { staged: stagedFile, target: file, shown: file, directory: false },
      { staged: stagedSeries, target: series, shown: series, directory: true },
    ];
  }

  function state(dir: string): string {
    const file = join(dir, 'corrected.nii');
    const series = join(dir, 'map', 'IM0001.dcm');
    const f = existsSync(file) ? readFileSync(file, 'utf8') : 'missing';
    const s = existsSync(series) ? readFileSync(series, 'utf8') : 'missing';
    return `${f}/${s}`;
  }

  it('puts a group in place together, and a kill at any step is rolled back by the next run', async () => {
    for (const overwrite of [true, false]) {
      let completed = false;
      let step = 1;
      for (; !completed; step++) {
        const dir = tempDir();
        const mod = await freshModule();
        const outputs = await group(mod, dir, overwrite);
        Object.assign(kill, { atStep: step, steps: 0 });
        try {
          mod.commitStaged(outputs, overwrite, SITE);
          completed = true;
        } catch {
          expect(kill.dead).toBe(true);
        }
        Object.assign(kill, { atStep: 0, steps: 0, dead: false });
        // The next run into that directory.
        const next = await freshModule();
        next.cleanStaleTemps(dir);
        // Never a mix, never nothing where there was something: all old, or (killed after the
        // commit point, while removing the backups) all new; and no temporary file left.
        const after = state(dir);
        expect([overwrite ? 'old/old' : 'missing/missing', 'new/new']).toContain(after);
        if (completed) expect(after).toBe('new/new');
        expect(readdirSync(dir).sort(), `overwrite ${overwrite}, killed at step ${step}`).toEqual(
          after === 'new/new' || overwrite ? ['corrected.nii', 'map'] : [],
        );
      }
      // The journal, the renames (a link and an unlink without overwrite), the journal's removal.
      expect(step).toBeGreaterThan(overwrite ? 7 : 6);
    }
  });

  it('restores every previous output when a later step fails, and refuses an existing one without overwrite', async () => {
    const mod = await freshModule();
    let completed = false;
    for (let failAtStep = 1; !completed; failAtStep++) {
      const dir = tempDir();
      const outputs = await group(mod, dir, true);
      Object.assign(kill, { failAtStep, steps: 0 });
      try {
        mod.commitStaged(outputs, true, SITE);
        completed = true;
        expect(state(dir)).toBe('new/new');
      } catch (error) {
        expect(isMriError(error) && error.message).toMatch(
          /^test: path could not be used \(EXDEV\)/,
        );
        // In this very process, without waiting for a next run: the old outputs, no temps.
        expect(state(dir)).toBe('old/old');
      }
      expect(readdirSync(dir).sort()).toEqual(['corrected.nii', 'map']);
    }
    kill.failAtStep = 0;
    const dir = tempDir();
    const again = await group(mod, dir, true);
    const refused = errorOf(() => mod.commitStaged(again, false, SITE));
    expect(refused.message).toMatch(/must not exist already/);
    expect(state(dir)).toBe('old/old');
    expect(readdirSync(dir).sort()).toEqual(['corrected.nii', 'map']);
  });
});
