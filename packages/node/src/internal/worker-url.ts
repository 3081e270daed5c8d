import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The built worker entry (`dist/correct-worker.js`). From the bundle it sits beside this code;
 * when the sources run directly (the package's own tests) it is taken from `dist/`.
 */
export function correctWorkerUrl(): URL {
  const beside = new URL('./correct-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../dist/correct-worker.js', import.meta.url);
}
