import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Checkpoint, CheckpointManifest } from '@duncan-mri/core';
import { describeValue, MriError } from '@duncan-mri/volume';
import { invalid, ioError } from './internal/errors.js';

/** File names of a checkpoint directory. */
export const CHECKPOINT_FILES = Object.freeze({
  manifest: 'manifest.json',
  weights: 'weights.bin',
});

/**
 * The directory of the default model that ships with the package (`model/` beside `dist/`):
 * `manifest.json` + `weights.bin`, described by `model/MODEL_CARD.md`.
 *
 * @example
 * ```ts
 * const checkpoint = readCheckpoint(defaultModelDirectory());
 * ```
 */
export function defaultModelDirectory(): string {
  return fileURLToPath(new URL('../model/', import.meta.url));
}

/**
 * Reads a checkpoint directory (`manifest.json` + `weights.bin`, as `@duncan-mri/core`'s
 * `saveCheckpoint` makes them and {@link writeCheckpoint} stores them). Without a directory, the
 * bundled default model. The manifest is only parsed here; `loadCheckpoint` (or a corrector)
 * checks it against the architecture.
 *
 * @example
 * ```ts
 * const model = await loadCheckpoint(readCheckpoint('runs/duncan-1'));
 * ```
 * @throws MriError `IO_ERROR` when the directory or a file is missing (for the bundled model
 * the message says it is not installed), `CORRUPT_FILE` when the manifest is not JSON.
 */
export function readCheckpoint(directory?: string): Checkpoint {
  const where = 'readCheckpoint';
  const bundled = directory === undefined;
  if (!bundled && (typeof directory !== 'string' || directory.length === 0))
    throw invalid(where, 'directory', 'must be a non-empty string', directory);
  const dir = bundled ? defaultModelDirectory() : resolve(directory);
  const manifestPath = join(dir, CHECKPOINT_FILES.manifest);
  const weightsPath = join(dir, CHECKPOINT_FILES.weights);
  for (const file of [manifestPath, weightsPath]) {
    let ok = false;
    try {
      ok = statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new MriError(
        'IO_ERROR',
        bundled
          ? `${where}: the bundled default model is not installed (MODEL_NOT_FOUND: no ${file}); pass a trained model directory with --model <dir> (or the model option), e.g. one made by \`duncan train\``
          : `${where}: directory must hold ${CHECKPOINT_FILES.manifest} and ${CHECKPOINT_FILES.weights} (MODEL_NOT_FOUND), got ${JSON.stringify(directory)} without ${file}`,
        { argument: bundled ? 'model' : 'directory' },
      );
    }
  }
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as CheckpointManifest;
  } catch (error) {
    if ((error as { code?: string }).code) throw ioError(where, 'directory', manifestPath, error);
    throw new MriError(
      'CORRUPT_FILE',
      `${where}: ${CHECKPOINT_FILES.manifest} must be JSON, got unparsable text in ${JSON.stringify(manifestPath)}`,
      { argument: 'directory', cause: error },
    );
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new MriError(
      'CORRUPT_FILE',
      `${where}: ${CHECKPOINT_FILES.manifest} must hold a JSON object, got ${describeValue(manifest)}`,
      { argument: 'directory' },
    );
  }
  let weights: Uint8Array;
  try {
    const b = readFileSync(weightsPath);
    weights = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (error) {
    throw ioError(where, 'directory', weightsPath, error);
  }
  return { manifest, weights };
}

function replaceFile(path: string, data: Uint8Array | string): void {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Stores a checkpoint (`saveCheckpoint`'s output) as `manifest.json` + `weights.bin` in a
 * directory, creating it. Each file is written to a temporary name and renamed into place, the
 * weights first, so an interrupted write leaves the previous checkpoint readable.
 *
 * @example
 * ```ts
 * writeCheckpoint('runs/duncan-1', await saveCheckpoint(model), { overwrite: true });
 * ```
 * @throws MriError `IO_ERROR` when the directory already holds a checkpoint and `overwrite` is
 * not set, or the file system refuses.
 */
export function writeCheckpoint(
  directory: string,
  checkpoint: Checkpoint,
  options: { readonly overwrite?: boolean } = {},
): { readonly directory: string; readonly bytes: number } {
  const where = 'writeCheckpoint';
  if (typeof directory !== 'string' || directory.length === 0)
    throw invalid(where, 'directory', 'must be a non-empty string', directory);
  if (
    typeof checkpoint !== 'object' ||
    checkpoint === null ||
    !(checkpoint.weights instanceof Uint8Array) ||
    typeof checkpoint.manifest !== 'object'
  )
    throw invalid(
      where,
      'checkpoint',
      'must be { manifest, weights } from saveCheckpoint',
      checkpoint,
    );
  const dir = resolve(directory);
  const manifestPath = join(dir, CHECKPOINT_FILES.manifest);
  try {
    mkdirSync(dir, { recursive: true });
    if (!options.overwrite) {
      let present = false;
      try {
        statSync(manifestPath);
        present = true;
      } catch {
        present = false;
      }
      if (present) {
        throw new MriError(
          'IO_ERROR',
          `${where}: directory must not hold a checkpoint already (pass overwrite to replace it), got ${JSON.stringify(directory)}`,
          { argument: 'directory' },
        );
      }
    }
    replaceFile(join(dir, CHECKPOINT_FILES.weights), checkpoint.weights);
    replaceFile(manifestPath, `${JSON.stringify(checkpoint.manifest)}\n`);
  } catch (error) {
    throw ioError(where, 'directory', directory, error);
  }
  return { directory: dir, bytes: checkpoint.weights.length };
}
