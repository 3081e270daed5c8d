import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** The headers that make a page cross-origin isolated, which wasm threads need. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
});

/** Options of {@link serveFolder}. */
export interface ServeFolderOptions {
  /** Headers added to every response (e.g. {@link ISOLATION_HEADERS}). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Answers 404 for the paths (relative to the folder, no leading `/`) this returns true for. */
  readonly missing?: (path: string) => boolean;
}

/** Serves a folder as static files on 127.0.0.1 (like any static host would serve dist/). */
export async function serveFolder(
  dir: string,
  options: ServeFolderOptions = {},
): Promise<{ origin: string; close(): Promise<void> }> {
  const { headers = {}, missing = () => false } = options;
  const server = createServer(async (req, res) => {
    let rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (rel.endsWith('/')) rel += 'index.html';
    const file = join(dir, rel);
    try {
      if (!file.startsWith(dir) || missing(rel.replace(/^\/+/, ''))) throw new Error('not served');
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      res.writeHead(200, {
        ...headers,
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
