import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { processIsAlive, syncDirectory, writeFileDurably } from './atomic-write.js';

/** File names of a checkpoint directory. */
export const CHECKPOINT_FILES = Object.freeze({
  manifest: 'manifest.json',
  weights: 'weights.bin',
});

/** The name of a weights file that a manifest may name (`weightsFile`) while a save commits. */
export const STAGED_WEIGHTS = /^weights-[0-9a-f]{16}\.bin$/;

/** Temporary files of a save: `<name>.tmp-<pid>-<random>`. */
const TEMPORARY =
  /^(?:manifest\.json|weights\.bin|weights-[0-9a-f]{16}\.bin)\.tmp-(\d+)-[0-9a-f]{8}$/;

/** SHA-256 of the weights, lower-case hex: the manifest's `weightsSha256`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes `data` to a temporary file beside `path`, flushed, and renames it over `path`. */
function replaceFile(path: string, data: Uint8Array | string): void {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileDurably(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Stores a checkpoint in `dir` so that a kill at any moment leaves either the previous pair
 * (manifest.json + weights.bin) or the new one readable, never a mixture:
 *
 * 1. the weights go to `weights-<first 16 hex of their SHA-256>.bin` (nothing old is touched);
 * 2. manifest.json is replaced by the new manifest naming that file (`weightsFile`) and holding
 *    the hash (`weightsSha256`): the one step that switches from the old checkpoint to the new;
 * 3. the weights file is renamed to weights.bin (a reader that misses the named file falls back
 *    to weights.bin and checks the hash);
 * 4. manifest.json is replaced by the same manifest without `weightsFile`: the usual layout.
 *
 * Then staged weights and temporary files left by earlier, killed saves are removed. Every file
 * is written to a temporary name, flushed and renamed; the directory is synced after renames.
 * `afterStep` (tests) is called after each step with its number, when a kill would leave the
 * directory as it is then. One writer per directory at a time (`duncan train` holds a lock).
 */
export function commitCheckpoint(
  dir: string,
  manifest: Readonly<Record<string, unknown>>,
  weights: Uint8Array,
  afterStep?: (step: number) => void,
): void {
  const sha256 = sha256Hex(weights);
  const staged = `weights-${sha256.slice(0, 16)}.bin`;
  const { weightsFile: _ignored, ...rest } = manifest;
  const final = { ...rest, weightsSha256: sha256 };
  replaceFile(join(dir, staged), weights);
  syncDirectory(dir);
  afterStep?.(1);
  replaceFile(
    join(dir, CHECKPOINT_FILES.manifest),
    `${JSON.stringify({ ...final, weightsFile: staged })}\n`,
  );
  syncDirectory(dir);
  afterStep?.(2);
  renameSync(join(dir, staged), join(dir, CHECKPOINT_FILES.weights));
  syncDirectory(dir);
  afterStep?.(3);
  replaceFile(join(dir, CHECKPOINT_FILES.manifest), `${JSON.stringify(final)}\n`);
  syncDirectory(dir);
  afterStep?.(4);
  for (const name of readdirSync(dir)) {
    const temporary = TEMPORARY.exec(name);
    if (STAGED_WEIGHTS.test(name) || (temporary && !processIsAlive(Number(temporary[1])))) {
      rmSync(join(dir, name), { force: true });
    }
  }
}
