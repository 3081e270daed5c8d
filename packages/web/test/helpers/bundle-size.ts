import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** What an application bundles besides this package's own code (and the other duncan-mri packages). */
export const NOT_OURS = [
  '@tensorflow/*',
  '@cornerstonejs/*',
  'jpeg-lossless-decoder-js',
  'nifti-reader-js',
  'fflate',
  'fs',
  'path',
  'crypto',
];

export interface BundleSize {
  /** Minified bytes of every output file (entries and chunks). */
  readonly minified: number;
  /** Gzipped bytes (level 9), each file gzipped on its own, summed. */
  readonly gzipped: number;
}

/**
 * The size an application pays for `@duncan-mri/web` on top of tfjs and the codecs: the built
 * package (`dist/index.js` and the worker `dist/worker.js`) bundled by esbuild with everything
 * it imports from `@duncan-mri/*` (volume, io, simulate, metrics, core), minified, with tfjs,
 * the DICOM codecs, nifti-reader-js and fflate left out.
 */
export async function measureBundle(
  entries: readonly string[],
  alsoExternal: readonly string[] = [],
): Promise<BundleSize> {
  const result = await build({
    entryPoints: [...entries],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    outdir: 'out',
    external: [...NOT_OURS, ...alsoExternal],
    logLevel: 'error',
  });
  let minified = 0;
  let gzipped = 0;
  for (const file of result.outputFiles) {
    if (!file.path.endsWith('.js')) continue;
    minified += file.contents.length;
    gzipped += gzipSync(file.contents, { level: 9 }).length;
  }
  return { minified, gzipped };
}
