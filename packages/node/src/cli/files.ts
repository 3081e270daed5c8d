import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { invalidArgument, MriError } from '@duncan-mri/volume';
import { writeFileAtomic as writeFile } from '../internal/atomic-write.js';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Fails early (before any long computation) when an output exists and `overwrite` is off, or
 * when it is one of the inputs.
 */
export function assertOutputFree(
  where: string,
  option: string,
  path: string,
  overwrite: boolean,
  inputs: readonly string[],
): void {
  const target = real(path);
  if (inputs.some((p) => real(p) === target)) {
    invalidArgument(
      where,
      `${option}`,
      'must not be an input (inputs are never overwritten)',
      undefined,
      { got: JSON.stringify(path), argument: option },
    );
  }
  let present = false;
  try {
    statSync(path);
    present = true;
  } catch {
    present = false;
  }
  if (present && !overwrite) {
    throw new MriError(
      'IO_ERROR',
      `${where}: ${option} must not exist already (pass --overwrite to replace it), got ${JSON.stringify(path)}`,
      { argument: option },
    );
  }
}

/**
 * Writes a file of a command atomically (the package's one write path, `internal/atomic-write`:
 * a short temporary name beside it, fsync, rename, or link when not overwriting).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, overwrite: boolean): void {
  writeFile(path, data, overwrite, { where: 'duncan', argument: 'output' });
}
