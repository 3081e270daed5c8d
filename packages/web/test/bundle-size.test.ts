import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureBundle } from './helpers/bundle-size.js';

const LIMIT_BYTES = 150 * 1024;

describe('bundle size', () => {
  it('adds at most 150 KB gzipped on top of tfjs and the codecs', async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@duncan-mri/web'));
    const entries = [join(dist, 'index.js'), join(dist, 'worker.js')];
    const size = await measureBundle(entries);
    const alone = await measureBundle(entries, ['@duncan-mri/*']);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(
      `@duncan-mri/web with the @duncan-mri/* packages it imports: ${kb(size.minified)} minified, ${kb(size.gzipped)} gzipped (limit 150 KB); its own code alone: ${kb(alone.minified)} minified, ${kb(alone.gzipped)} gzipped`,
    );
    expect(alone.gzipped).toBeLessThan(size.gzipped);
    expect(size.gzipped).toBeLessThanOrEqual(LIMIT_BYTES);
  });
});
