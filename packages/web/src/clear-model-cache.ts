import { clearCached, openCache } from './internal/model-cache.js';
import { modelUrls } from './internal/urls.js';

/**
 * Removes checkpoints that {@link fetchCheckpoint} cached in IndexedDB: the one of `url`
 * (a model directory or manifest URL, as given to `fetchCheckpoint`), or all of them.
 * Does nothing where IndexedDB is missing.
 *
 * @example
 * ```ts
 * await clearModelCache('/models/duncan/');   // that model
 * await clearModelCache();                     // every cached model
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad URL.
 */
export async function clearModelCache(url?: string | URL): Promise<void> {
  const key = url === undefined ? undefined : modelUrls('clearModelCache', url, true).manifest.href;
  const db = await openCache();
  if (db === undefined) return;
  try {
    await clearCached(db, key);
  } finally {
    db.close();
  }
}
