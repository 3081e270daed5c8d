import { describeValue, isMriError, MriError } from '@duncan-mri/volume';

/** What the system's error codes mean, in the words of an `IO_ERROR` message. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  EACCES: 'is not accessible (permission denied)',
  EPERM: 'is not accessible (permission denied)',
  EISDIR: 'is a directory',
  ENOTDIR: 'has a parent that is not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'could not be written: no space left on device',
  EDQUOT: 'could not be written: disk quota exceeded',
  EROFS: 'is on a read-only file system',
  ENAMETOOLONG: 'has a name too long for the file system',
  EMFILE: 'could not be opened: too many open files',
  ENFILE: 'could not be opened: too many open files',
};

/** An `IO_ERROR` for a failed file-system call, with the path and the system's reason. */
export function ioError(where: string, argument: string, path: string, cause: unknown): MriError {
  if (isMriError(cause)) return cause;
  const code = (cause as { code?: string } | undefined)?.code;
  const reason =
    (code === undefined ? undefined : REASONS[code]) ??
    `could not be used (${code ?? (cause instanceof Error ? cause.message : describeValue(cause))})`;
  return new MriError('IO_ERROR', `${where}: ${argument} ${reason}, got ${JSON.stringify(path)}`, {
    argument,
    cause,
  });
}
