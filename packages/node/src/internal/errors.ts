import { describeValue, isMriError, MriError } from '@duncan-mri/volume';

/** An `IO_ERROR` for a failed file-system call, with the path and the system's reason. */
export function ioError(where: string, argument: string, path: string, cause: unknown): MriError {
  if (isMriError(cause)) return cause;
  const code = (cause as { code?: string } | undefined)?.code;
  const reason =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'is not accessible (permission denied)'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'ENOTDIR'
            ? 'has a parent that is not a directory'
            : code === 'EEXIST'
              ? 'already exists'
              : `could not be used (${code ?? (cause instanceof Error ? cause.message : describeValue(cause))})`;
  return new MriError('IO_ERROR', `${where}: ${argument} ${reason}, got ${JSON.stringify(path)}`, {
    argument,
    cause,
  });
}

/** The house-style `INVALID_ARGUMENT`. */
export function invalid(where: string, argument: string, rule: string, value: unknown): MriError {
  return new MriError(
    'INVALID_ARGUMENT',
    `${where}: ${argument} ${rule}, got ${describeValue(value)}`,
    {
      argument,
    },
  );
}
