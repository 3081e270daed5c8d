import { codeAndArgumentOf } from '@duncan-mri/test-helpers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchCheckpoint } from './fetch-checkpoint.js';
import { modelUrls } from './internal/urls.js';

const manifest = { format: 'duncan-mri-checkpoint', formatVersion: 1, byteLength: 8 };

function serve(files: Record<string, string | Uint8Array>): string[] {
  const seen: string[] = [];
  vi.stubGlobal('fetch', async (url: URL) => {
    seen.push(url.href);
    const body = files[url.pathname];
    return body === undefined
      ? new Response('no', { status: 404 })
      : new Response(body as BodyInit);
  });
  return seen;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

// IndexedDB caching is tested in Chromium (test/browser.test.ts); Node has no IndexedDB, so
// here every call downloads.
describe('fetchCheckpoint', () => {
  it('finds manifest.json and weights.bin from a directory or the manifest URL', () => {
    for (const url of ['http://h/m/', 'http://h/m', 'http://h/m/manifest.json']) {
      const u = modelUrls('t', url, false);
      expect([u.manifest.href, u.weights.href]).toEqual([
        'http://h/m/manifest.json',
        'http://h/m/weights.bin',
      ]);
    }
  });

  it('downloads a checkpoint and versions it by the SHA-256 of its manifest', async () => {
    const seen = serve({
      '/m/manifest.json': JSON.stringify(manifest),
      '/m/weights.bin': new Uint8Array(8),
    });
    const r = await fetchCheckpoint('http://h/m/');
    expect(r.fromCache).toBe(false);
    expect(r.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.checkpoint.weights.length).toBe(8);
    expect(seen).toEqual(['http://h/m/manifest.json', 'http://h/m/weights.bin']);
    expect((await fetchCheckpoint('http://h/m/', { version: 'v1' })).version).toBe('v1');
  });

  it('refuses weights whose SHA-256 is not the one the manifest records', async () => {
    const weights = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const hex = async (bytes: Uint8Array<ArrayBuffer>) =>
      Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join('');
    const recorded = { ...manifest, weightsSha256: await hex(weights) };
    serve({ '/m/manifest.json': JSON.stringify(recorded), '/m/weights.bin': weights });
    expect((await fetchCheckpoint('http://h/m/')).checkpoint.weights).toEqual(weights);
    serve({ '/m/manifest.json': JSON.stringify(recorded), '/m/weights.bin': new Uint8Array(8) });
    expect(await codeAndArgumentOf(fetchCheckpoint('http://h/m/'))).toBe('CORRUPT_FILE weights');
  });

  it('refuses other origins than the page', async () => {
    vi.stubGlobal('location', new URL('http://127.0.0.1:8000/app/'));
    serve({});
    expect(await codeAndArgumentOf(fetchCheckpoint('http://elsewhere.example/m/'))).toBe(
      'INVALID_ARGUMENT url',
    );
    expect(await codeAndArgumentOf(fetchCheckpoint('file:///m/'))).toBe('INVALID_ARGUMENT url');
    expect(await codeAndArgumentOf(fetchCheckpoint('/m/'))).toBe('IO_ERROR manifest'); // same origin: fetched
  });

  it.each([
    [{ '/m/manifest.json': '{oops' }, 'CORRUPT_FILE manifest'],
    [{ '/m/manifest.json': '{"format":"other"}' }, 'UNSUPPORTED_FORMAT manifest'],
    [{ '/m/manifest.json': JSON.stringify(manifest) }, 'IO_ERROR weights'],
    [
      { '/m/manifest.json': JSON.stringify(manifest), '/m/weights.bin': new Uint8Array(3) },
      'CORRUPT_FILE weights',
    ],
  ])('reports bad files %#', async (files, expected) => {
    serve(files);
    expect(await codeAndArgumentOf(fetchCheckpoint('http://h/m/'))).toBe(expected);
  });

  it.each([
    [{ cache: 'yes' }, 'INVALID_ARGUMENT options.cache'],
    [{ version: 3 }, 'INVALID_ARGUMENT options.version'],
    [{ allowCrossOrigin: 1 }, 'INVALID_ARGUMENT options.allowCrossOrigin'],
    [{ signal: 1 }, 'INVALID_ARGUMENT options.signal'],
  ])('refuses options %j', async (options, expected) => {
    expect(await codeAndArgumentOf(fetchCheckpoint('http://h/m/', options as never))).toBe(
      expected,
    );
  });
});
