// End-to-end: what the built `duncan` CLI promises about its outputs. Problems with an output
// surface before the correction, valid long names work, a killed run's temporary files are
// cleaned by the next run, and an interrupt after the outputs are written is not a failure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolumeFile } from '../src/read-volume-file.js';
import { assertCliBuilt, CLI, duncan, NIFTI, tempDir } from './helpers.js';

// A small real volume (33x41x25): the bundled model corrects it in a few seconds.
const INPUT = NIFTI('anatomical.nii');

beforeAll(assertCliBuilt);

// A real full disk: a 32 KiB tmpfs. Mounting needs root and a system that allows it (not most
// CI containers); elsewhere the test is skipped, and the unit tests of internal/atomic-write
// check the ENOSPC message at the file-system boundary instead.
const mountTmpfs = (options: string): string | undefined => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const dir = tempDir('duncan-tmpfs-');
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status === 0
    ? dir
    : undefined;
};
const TINY_DISK = mountTmpfs('size=32k');
// A real read-only directory, which root cannot be kept out of by permission bits.
const READ_ONLY = mountTmpfs('ro,size=16k');
afterAll(() => {
  for (const dir of [TINY_DISK, READ_ONLY]) if (dir !== undefined) spawnSync('umount', [dir]);
});

describe('duncan correct: outputs', () => {
  it('refuses an output it cannot write before the model loads, with one clear line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const cases: [string, RegExp][] = [
      [join(dir, 'file', 'out.nii'), /--output|path has a parent that is not a directory/],
      [join(dir, 'file', 'deeper', 'out.nii'), /path has a parent that is not a directory/],
      [join(dir, `${'n'.repeat(252)}.nii`), /path has a name too long for the file system/],
      [join(dir, 'c'.repeat(256), 'out.nii'), /path has a name too long for the file system/],
    ];
    for (const [output, message] of cases) {
      const r = await duncan(['correct', INPUT, '-o', output, '--workers', '1']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/\[IO_ERROR\]\n$/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      // Before any backend, worker or model: the correction never ran.
      expect(r.stderr).not.toMatch(/backend:/);
    }
    // The map is probed too, and nothing is left behind.
    const map = await duncan([
      'correct',
      INPUT,
      '-o',
      join(dir, 'out.nii'),
      '--artefact-map',
      join(dir, 'file', 'map.nii'),
    ]);
    expect(map.code).toBe(1);
    expect(map.stderr).not.toMatch(/backend:/);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it.skipIf(process.getuid?.() === 0)(
    'refuses a read-only output directory before the model loads (skipped as root)',
    async () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'ro'), { mode: 0o555 });
      const r = await duncan(['correct', INPUT, '-o', join(dir, 'ro', 'out.nii')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is not accessible \(permission denied\).*\[IO_ERROR\]/);
      expect(r.stderr).not.toMatch(/backend:/);
    },
  );

  it("writes valid names of up to 255 bytes, both outputs together, and removes a killed run's temporary files", async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const leftover = `.duncan-tmp-${dead}-0badf00d`;
    writeFileSync(join(dir, leftover), new Uint8Array(65536));
    const output = join(dir, `${'o'.repeat(251)}.nii`);
    const map = join(dir, `${'m'.repeat(248)}.nii.gz`);
    const r = await duncan([
      'correct',
      INPUT,
      '-o',
      output,
      '--artefact-map',
      map,
      '--workers',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/ENAMETOOLONG|\n\s+at /);
    expect(r.stdout).toMatch(/^corrected 33x41x25/);
    expect(readdirSync(dir).sort()).toEqual([map, output].map((p) => p.slice(dir.length + 1)));
    expect((await readVolumeFile(output)).volume.shape).toEqual([33, 41, 25]);
    expect((await readVolumeFile(map)).volume.shape).toEqual([33, 41, 25]);
  });

  it('an interrupt after the outputs are written does not fail the run (exit 0, not 130)', async () => {
    const dir = tempDir();
    const output = join(dir, 'out.nii');
    // A runner of its own: it sends SIGINT, again and again, from the moment the summary line
    // (printed after the outputs are committed) appears until the process has ended.
    const result = await new Promise<{
      code: number | null;
      signal: string | null;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [CLI, 'correct', INPUT, '-o', output, '--workers', '2'],
        { env: { ...process.env, DUNCAN_BACKEND: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.stdout.on('data', (d: Buffer) => {
        if (timer === undefined && d.toString().includes('corrected ')) {
          child.kill('SIGINT');
          timer = setInterval(() => child.kill('SIGINT'), 1);
        }
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearInterval(timer);
        resolve({ code, signal, stderr });
      });
    });
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    expect((await readVolumeFile(output)).volume.shape).toEqual([33, 41, 25]);
  });

  it.runIf(READ_ONLY !== undefined)(
    'refuses a read-only file system before the model loads (a read-only tmpfs, where mounting is allowed)',
    async () => {
      const r = await duncan(['correct', INPUT, '-o', join(READ_ONLY!, 'out.nii')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^duncan correct: writeVolumeFile: path is on a read-only file system, got ".*out\.nii" \[IO_ERROR\]\n$/,
      );
    },
  );

  it.runIf(TINY_DISK !== undefined)(
    'a full disk: an uncompressed output is refused before the model loads; a compressed one says "no space left on device"',
    async () => {
      const plain = await duncan(['correct', INPUT, '-o', join(TINY_DISK!, 'out.nii')]);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(
        /^duncan correct: writeVolumeFile: path cannot be written: no space left on device \(the output needs about 0\.1 MiB, 0\.0 MiB are free\)/,
      );
      expect(plain.stderr).not.toMatch(/backend:/);
      const gz = await duncan(['correct', INPUT, '-o', join(TINY_DISK!, 'out.nii.gz')]);
      expect(gz.code).toBe(1);
      expect(gz.stderr).toMatch(
        /^duncan correct: writeVolumeFile: path could not be written: no space left on device, got ".*out\.nii\.gz" \[IO_ERROR\]$/m,
      );
      expect(gz.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(TINY_DISK!)).toEqual([]);
    },
  );
});
