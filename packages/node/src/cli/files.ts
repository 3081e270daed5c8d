import { randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MriError } from '@duncan-mri/volume';

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
    throw new MriError(
      'INVALID_ARGUMENT',
      `${where}: ${option} must not be an input (inputs are never overwritten), got ${JSON.stringify(path)}`,
      { argument: option },
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

/** Writes a file atomically (temporary file + rename, or link when not overwriting). */
export function writeFileAtomic(path: string, data: Uint8Array | string, overwrite: boolean): void {
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  const temp = join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    writeFileSync(temp, data, { flag: 'wx' });
    if (overwrite) renameSync(temp, target);
    else {
      linkSync(temp, target);
      unlinkSync(temp);
    }
  } catch (error) {
    rmSync(temp, { force: true });
    if ((error as { code?: string }).code === 'EEXIST') {
      throw new MriError(
        'IO_ERROR',
        `duncan: output must not exist already (pass --overwrite to replace it), got ${JSON.stringify(path)}`,
        { argument: 'output' },
      );
    }
    throw new MriError(
      'IO_ERROR',
      `duncan: could not write ${JSON.stringify(path)}: ${(error as Error).message}`,
      {
        argument: 'output',
        cause: error,
      },
    );
  }
}
