import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/plain; charset=utf-8',
};

/** A tiny static server on 127.0.0.1: folders mounted at URL prefixes, plus in-memory files. */
export interface StaticServer {
  readonly origin: string;
  /** Every request path, in order (`GET /model/weights.bin`). */
  readonly log: string[];
  /** In-memory files by URL path; change them while the server runs. */
  readonly files: Map<string, Uint8Array | string>;
  close(): Promise<void>;
}

export async function startStaticServer(
  mounts: Readonly<Record<string, string>>,
  options: { readonly headers?: Readonly<Record<string, string>> } = {},
): Promise<StaticServer> {
  const log: string[] = [];
  const files = new Map<string, Uint8Array | string>();
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    log.push(`${req.method} ${path}`);
    const send = (status: number, body: Uint8Array | string, type: string) => {
      res.writeHead(status, {
        'content-type': type,
        'cache-control': 'no-cache',
        ...options.headers,
      });
      res.end(body);
    };
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const memory = files.get(path);
    if (memory !== undefined) return send(200, memory, type);
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      let rel = normalize(path.slice(prefix.length));
      if (rel.startsWith('..')) return send(403, 'forbidden', 'text/plain');
      if (rel === '.' || rel.endsWith('/')) rel = join(rel, 'index.html');
      const file = join(dir, rel);
      try {
        if ((await stat(file)).isFile())
          return send(200, await readFile(file), TYPES[extname(file)] ?? type);
      } catch {
        // try the next mount
      }
    }
    send(404, 'not found', 'text/plain');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    log,
    files,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export type { IncomingHttpHeaders };
