import { invalidArgument, MriError } from '@duncan-mri/volume';

/** The base URL relative URLs resolve against: the page's or the worker's location. */
export function baseUrl(): string | undefined {
  return globalThis.location?.href;
}

/** Resolves a URL or string against the current location; `INVALID_ARGUMENT` when it cannot. */
export function resolveUrl(where: string, argument: string, value: unknown): URL {
  if (!(value instanceof URL) && typeof value !== 'string') {
    invalidArgument(where, argument, 'must be a URL or a string', value);
  }
  try {
    return new URL(value, baseUrl());
  } catch (cause) {
    invalidArgument(where, argument, 'must be a valid URL', String(value), { cause });
  }
}

/** Fetches a URL, turning network failures and HTTP errors into `IO_ERROR`. */
export async function fetchOk(
  where: string,
  argument: string,
  url: URL,
  init: RequestInit = {},
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    if (init.signal?.aborted) throw init.signal.reason;
    throw new MriError('IO_ERROR', `${where}: ${argument} could not be fetched, got ${url.href}`, {
      argument,
      cause,
    });
  }
  if (!response.ok) {
    throw new MriError(
      'IO_ERROR',
      `${where}: ${argument} must answer HTTP 200, got ${response.status} for ${url.href}`,
      { argument },
    );
  }
  return response;
}

/** The manifest and weights URLs of a model URL (a directory, or its `manifest.json`). */
export function modelUrls(
  where: string,
  value: unknown,
  allowCrossOrigin: boolean,
): { manifest: URL; weights: URL } {
  const url = resolveUrl(where, 'url', value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    invalidArgument(where, 'url', 'must be an http(s) URL', url.href);
  }
  const page = baseUrl();
  if (!allowCrossOrigin && page !== undefined && new URL(page).origin !== url.origin) {
    invalidArgument(
      where,
      'url',
      `must be on this page's origin (${new URL(page).origin})`,
      url.href,
    );
  }
  const manifest = url.pathname.endsWith('.json')
    ? url
    : new URL(url.pathname.endsWith('/') ? 'manifest.json' : `${url.pathname}/manifest.json`, url);
  return { manifest, weights: new URL('weights.bin', manifest) };
}

/** The fetch options of {@link validateFetchOptions}, checked and completed. */
export interface FetchOptions {
  readonly cache: boolean;
  readonly allowCrossOrigin: boolean;
  readonly version: string | undefined;
}

/**
 * The options every fetch of a model by URL takes (`fetchCheckpoint`, `createWorkerCorrector`):
 * `cache` (default true), `allowCrossOrigin` (default false) and an optional non-empty `version`,
 * checked in that order.
 */
export function validateFetchOptions(where: string, o: Record<string, unknown>): FetchOptions {
  const cache = o.cache ?? true;
  if (typeof cache !== 'boolean')
    invalidArgument(where, 'options.cache', 'must be a boolean', cache);
  const allowCrossOrigin = o.allowCrossOrigin ?? false;
  if (typeof allowCrossOrigin !== 'boolean')
    invalidArgument(where, 'options.allowCrossOrigin', 'must be a boolean', allowCrossOrigin);
  const version = o.version;
  if (version !== undefined && (typeof version !== 'string' || version === ''))
    invalidArgument(where, 'options.version', 'must be a non-empty string', version);
  return { cache, allowCrossOrigin, version: version as string | undefined };
}
