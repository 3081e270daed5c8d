import { cpSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Bundles the test page with the BUILT package (its `exports`, i.e. `dist/`), as an application
 * would: `page.js` and the package's `worker.js` side by side (the package starts
 * `new URL('./worker.js', import.meta.url)`), and `wasm/` with the binaries it points to.
 */
export async function bundleTestPage(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'duncan-web-test-'));
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@duncan-mri/web'));
  await build({
    entryPoints: { page: join(here, '../browser/page.ts'), worker: join(dist, 'worker.js') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir,
    logLevel: 'error',
    // The DICOM codecs' Emscripten glue requires these only when it runs under Node.
    external: ['fs', 'path', 'crypto', 'module', 'url', 'worker_threads'],
  });
  cpSync(join(dist, 'wasm'), join(outdir, 'wasm'), { recursive: true });
  return outdir;
}

export const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>duncan-mri web tests</title>
<link rel="icon" href="data:,"></head><body><script type="module" src="/bundle/page.js"></script></body></html>`;
