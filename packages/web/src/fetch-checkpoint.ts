import type { Checkpoint, CheckpointManifest } from '@duncan-mri/core';
import { describeValue, invalidArgument, MriError, validateObject } from '@duncan-mri/volume';
import {
  manifestVersion,
  openCache,
  readCached,
  sha256Hex,
  writeCached,
} from './internal/model-cache.js';
import { fetchOk, modelUrls, validateFetchOptions } from './internal/urls.js';

/** Options of {@link fetchCheckpoint} and {@link loadModel}. */
export interface FetchCheckpointOptions {
  /** Keep the checkpoint in IndexedDB and reuse it while its version is unchanged. Default true. */
  readonly cache?: boolean;
  /**
   * The model's version, when the application knows it (a release tag, a hash in its build).
   * With it, a cached copy of the same version is used without any request; without it, the
   * manifest is fetched every time (revalidated, `cache: 'no-cache'`) and its SHA-256 is the
   * version, so only `weights.bin` is skipped.
   */
  readonly version?: string;
  /** Allow a model from another origin. Default false: models come from the page's own origin. */
  readonly allowCrossOrigin?: boolean;
  /** Aborts the download; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** What {@link fetchCheckpoint} resolves to. */
export interface FetchedCheckpoint {
  /** The checkpoint, ready for `loadCheckpoint` of `@duncan-mri/core`. */
  readonly checkpoint: Checkpoint;
  /** The absolute URL of the manifest (the cache key). */
  readonly url: string;
  /** The version the cache compared: `options.version`, or `sha256:` and the manifest's hash. */
  readonly version: string;
  /** Whether the weights came from IndexedDB instead of the network. */
  readonly fromCache: boolean;
}

const WHERE = 'fetchCheckpoint';

function parseManifest(text: string, url: string): CheckpointManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new MriError(
      'CORRUPT_FILE',
      `${WHERE}: manifest must be JSON, got invalid JSON at ${url}`,
      {
        argument: 'manifest',
        cause,
      },
    );
  }
  const m = value as Partial<CheckpointManifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== 'duncan-mri-checkpoint') {
    throw new MriError(
      'UNSUPPORTED_FORMAT',
      `${WHERE}: manifest.format must be 'duncan-mri-checkpoint', got ${describeValue(m?.format)} at ${url}`,
      { argument: 'manifest' },
    );
  }
  if (!Number.isInteger(m.byteLength) || (m.byteLength as number) < 0) {
    throw new MriError(
      'CORRUPT_FILE',
      `${WHERE}: manifest.byteLength must be a non-negative integer, got ${describeValue(m.byteLength)}`,
      { argument: 'manifest' },
    );
  }
  return m as CheckpointManifest;
}

/**
 * Downloads a checkpoint (`manifest.json` and `weights.bin`, the format of `saveCheckpoint` in
 * `@duncan-mri/core`) from the page's own origin, and keeps it in IndexedDB (database
 * `duncan-mri`, store `models`) so the next visit skips the weights. The version check:
 * a cached copy is used only while its version equals `options.version`, or, without it, the
 * SHA-256 of the manifest just fetched. Where IndexedDB is missing or full, it just downloads.
 *
 * `url` is the model's directory (`/models/duncan/` or `/models/duncan`, which hold
 * `manifest.json` and `weights.bin`) or the manifest itself (`/models/duncan/manifest.json`,
 * `weights.bin` beside it), absolute or relative to the page (or worker) location.
 *
 * @example
 * ```ts
 * const { checkpoint, fromCache } = await fetchCheckpoint('/models/duncan/', { version: '2026-11' });
 * const model = await loadCheckpoint(checkpoint);
 * ```
 * @throws MriError `INVALID_ARGUMENT` for a bad URL or one on another origin, `IO_ERROR` when a
 * file cannot be fetched, `UNSUPPORTED_FORMAT`/`CORRUPT_FILE` for a bad manifest or a weights
 * file whose size disagrees with it. An aborted `signal` rejects with its reason.
 */
export async function fetchCheckpoint(
  url: string | URL,
  options: FetchCheckpointOptions = {},
): Promise<FetchedCheckpoint> {
  const o = validateObject(WHERE, 'options', options, true);
  const { cache: useCache, allowCrossOrigin, version: given } = validateFetchOptions(WHERE, o);
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    invalidArgument(WHERE, 'options.signal', 'must be an AbortSignal', signal);
  signal?.throwIfAborted();
  const urls = modelUrls(WHERE, url, allowCrossOrigin);
  const key = urls.manifest.href;
  const db = useCache ? await openCache() : undefined;
  try {
    const cached = db === undefined ? undefined : await readCached(db, key);
    if (given !== undefined && cached?.version === given) {
      return fromEntry(cached.manifest, cached.weights, key, given, true);
    }
    const init: RequestInit = { cache: 'no-cache', ...(signal === undefined ? {} : { signal }) };
    const text = await (await fetchOk(WHERE, 'manifest', urls.manifest, init)).text();
    const manifest = parseManifest(text, key);
    const version = given ?? (await manifestVersion(text));
    if (cached !== undefined && cached.version === version) {
      return fromEntry(manifest, cached.weights, key, version, true);
    }
    const response = await fetchOk(WHERE, 'weights', urls.weights, {
      ...(signal === undefined ? {} : { signal }),
    });
    let weights: ArrayBuffer;
    try {
      weights = await response.arrayBuffer();
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      throw new MriError(
        'IO_ERROR',
        `${WHERE}: weights could not be read from ${urls.weights.href}`,
        {
          argument: 'weights',
          cause,
        },
      );
    }
    const result = fromEntry(manifest, weights, key, version, false);
    // A manifest of `writeCheckpoint` records its weights' hash: weights of another version (a
    // stale HTTP cache, a half-finished upload) are refused, never loaded with it.
    const expected = manifest.weightsSha256;
    const actual = typeof expected === 'string' ? await sha256Hex(weights) : undefined;
    if (expected !== undefined && actual !== undefined && actual !== expected) {
      throw new MriError(
        'CORRUPT_FILE',
        `${WHERE}: weights must have the SHA-256 that the manifest records (${expected.slice(0, 16)}...), got ${actual.slice(0, 16)}... from ${urls.weights.href}: the two files come from different versions of the model`,
        { argument: 'weights' },
      );
    }
    if (db !== undefined) await writeCached(db, { url: key, version, manifest, weights });
    return result;
  } finally {
    db?.close();
  }
}

function fromEntry(
  manifest: CheckpointManifest,
  weights: ArrayBuffer,
  url: string,
  version: string,
  fromCache: boolean,
): FetchedCheckpoint {
  if (weights.byteLength !== manifest.byteLength) {
    throw new MriError(
      'CORRUPT_FILE',
      `${WHERE}: weights must have manifest.byteLength = ${manifest.byteLength} bytes, got ${weights.byteLength}`,
      { argument: 'weights' },
    );
  }
  return { checkpoint: { manifest, weights: new Uint8Array(weights) }, url, version, fromCache };
}
