import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Checkpoint, CheckpointManifest } from '@duncan-mri/core';
import { defaultModelUrls } from '@duncan-mri/model';
import { describeValue, invalidArgument, MriError } from '@duncan-mri/volume';
import {
  CHECKPOINT_FILES,
  commitCheckpoint,
  STAGED_WEIGHTS,
  sha256Hex,
} from './internal/checkpoint-commit.js';
import { ioError } from './internal/errors.js';

export { CHECKPOINT_FILES };

/**
 * The directory of the default model: the installed `@duncan-mri/model` package (a dependency),
 * holding `manifest.json` + `weights.bin`, described by its `MODEL_CARD.md`.
 *
 * @example
 * ```ts
 * const checkpoint = readCheckpoint(defaultModelDirectory());
 * ```
 */
export function defaultModelDirectory(): string {
  return fileURLToPath(new URL('./', defaultModelUrls().manifest));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads a checkpoint directory (`manifest.json` + `weights.bin`, as `@duncan-mri/core`'s
 * `saveCheckpoint` makes them and {@link writeCheckpoint} stores them). Without a directory, the
 * bundled default model. When the manifest holds `weightsSha256` (every checkpoint
 * {@link writeCheckpoint} stores), the weights must have that SHA-256, so a manifest and a
 * weights file of different saves never load together; older manifests without it still load
 * (`loadCheckpoint` checks their byte length). A manifest that names its weights file
 * (`weightsFile`, left by a save killed while it committed) is read with that file. The manifest
 * is otherwise only parsed here; `loadCheckpoint` (or a corrector) checks it against the
 * architecture.
 *
 * @example
 * ```ts
 * const model = await loadCheckpoint(readCheckpoint('runs/duncan-1'));
 * ```
 * @throws MriError `IO_ERROR` when the directory or a file is missing (for the bundled model
 * the message says it is not installed), `CORRUPT_FILE` when the manifest is not JSON or the
 * weights do not have the manifest's SHA-256.
 */
export function readCheckpoint(directory?: string): Checkpoint {
  const where = 'readCheckpoint';
  const bundled = directory === undefined;
  if (!bundled && (typeof directory !== 'string' || directory.length === 0))
    invalidArgument(where, 'directory', 'must be a non-empty string', directory);
  const dir = bundled ? defaultModelDirectory() : resolve(directory);
  const manifestPath = join(dir, CHECKPOINT_FILES.manifest);
  const missing = (file: string) =>
    new MriError(
      'IO_ERROR',
      bundled
        ? `${where}: the bundled default model is not installed (MODEL_NOT_FOUND: no ${file}); pass a trained model directory with --model <dir> (or the model option), e.g. one made by \`duncan train\``
        : `${where}: directory must hold ${CHECKPOINT_FILES.manifest} and ${CHECKPOINT_FILES.weights} (MODEL_NOT_FOUND), got ${JSON.stringify(directory)} without ${file}`,
      { argument: bundled ? 'model' : 'directory' },
    );
  if (!isFile(manifestPath)) throw missing(manifestPath);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code) throw ioError(where, 'directory', manifestPath, error);
    throw new MriError(
      'CORRUPT_FILE',
      `${where}: ${CHECKPOINT_FILES.manifest} must be JSON, got unparsable text in ${JSON.stringify(manifestPath)}`,
      { argument: 'directory', cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MriError(
      'CORRUPT_FILE',
      `${where}: ${CHECKPOINT_FILES.manifest} must hold a JSON object, got ${describeValue(parsed)}`,
      { argument: 'directory' },
    );
  }
  const { weightsFile, ...manifest } = parsed;
  if (
    weightsFile !== undefined &&
    (typeof weightsFile !== 'string' || !STAGED_WEIGHTS.test(weightsFile))
  )
    throw new MriError(
      'CORRUPT_FILE',
      `${where}: ${CHECKPOINT_FILES.manifest} weightsFile must be weights-<16 hex digits>.bin, got ${describeValue(weightsFile)} in ${JSON.stringify(manifestPath)}`,
      { argument: 'directory' },
    );
  const sha256 = manifest.weightsSha256;
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)))
    throw new MriError(
      'CORRUPT_FILE',
      `${where}: ${CHECKPOINT_FILES.manifest} weightsSha256 must be 64 lower-case hex digits, got ${describeValue(sha256)} in ${JSON.stringify(manifestPath)}`,
      { argument: 'directory' },
    );
  // A save killed between renaming the named file to weights.bin and rewriting the manifest
  // leaves the named file gone: weights.bin holds it (the hash below says so).
  const weightsPath = [weightsFile as string | undefined, CHECKPOINT_FILES.weights]
    .filter((name) => name !== undefined)
    .map((name) => join(dir, name))
    .find(isFile);
  if (weightsPath === undefined) throw missing(join(dir, CHECKPOINT_FILES.weights));
  let weights: Uint8Array;
  try {
    const b = readFileSync(weightsPath);
    weights = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (error) {
    throw ioError(where, 'directory', weightsPath, error);
  }
  if (sha256 !== undefined) {
    const actual = sha256Hex(weights);
    if (actual !== sha256)
      throw new MriError(
        'CORRUPT_FILE',
        `${where}: ${CHECKPOINT_FILES.weights} must have the SHA-256 that ${CHECKPOINT_FILES.manifest} records (${sha256.slice(0, 16)}...), got ${actual.slice(0, 16)}... in ${JSON.stringify(weightsPath)}: the two files come from different saves (or the weights were altered); restore the pair they were saved as`,
        { argument: 'directory' },
      );
  }
  return { manifest: manifest as unknown as CheckpointManifest, weights };
}

/**
 * Stores a checkpoint (`saveCheckpoint`'s output) as `manifest.json` + `weights.bin` in a
 * directory, creating it. The manifest gets `weightsSha256`, the SHA-256 of the weights, which
 * {@link readCheckpoint} checks. The pair is replaced as one unit: a kill at any moment leaves
 * the previous checkpoint or the new one readable, never a mixture (the weights are written under
 * a name of their own and the manifest's replacement is the one step that switches; see the
 * package README, "Checkpoints"). One writer per directory at a time.
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
    invalidArgument(where, 'directory', 'must be a non-empty string', directory);
  if (
    typeof checkpoint !== 'object' ||
    checkpoint === null ||
    !(checkpoint.weights instanceof Uint8Array) ||
    typeof checkpoint.manifest !== 'object' ||
    checkpoint.manifest === null
  )
    invalidArgument(
      where,
      'checkpoint',
      'must be { manifest, weights } from saveCheckpoint',
      checkpoint,
    );
  const dir = resolve(directory);
  const manifestPath = join(dir, CHECKPOINT_FILES.manifest);
  try {
    mkdirSync(dir, { recursive: true });
    if (!options.overwrite && isFile(manifestPath)) {
      throw new MriError(
        'IO_ERROR',
        `${where}: directory must not hold a checkpoint already (pass overwrite to replace it), got ${JSON.stringify(directory)}`,
        { argument: 'directory' },
      );
    }
    commitCheckpoint(
      dir,
      checkpoint.manifest as unknown as Readonly<Record<string, unknown>>,
      checkpoint.weights,
    );
  } catch (error) {
    throw ioError(where, 'directory', directory, error);
  }
  return { directory: dir, bytes: checkpoint.weights.length };
}
