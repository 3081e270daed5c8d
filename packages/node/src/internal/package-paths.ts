import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A file shipped at the package root (`sample/...`, `model/...`): one level above the bundle in
 * `dist/`, or two above the sources in `src/cli/` when they run directly.
 */
export function packageFile(relative: string): string {
  const fromDist = fileURLToPath(new URL(`../${relative}`, import.meta.url));
  if (existsSync(fromDist)) return fromDist;
  const fromSrc = fileURLToPath(new URL(`../../${relative}`, import.meta.url));
  return existsSync(fromSrc) ? fromSrc : fromDist;
}

/** The bundled real sample (see sample/README.md). */
export const SAMPLE_FILE = 'sample/ge-pd-4-slices.nii.gz';
