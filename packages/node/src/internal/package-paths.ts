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

/** The real T1 slice `duncan demo` runs on by default (see sample/README.md). */
export const DEMO_SAMPLE_FILE = 'sample/itk-midsag-t1.nii.gz';
