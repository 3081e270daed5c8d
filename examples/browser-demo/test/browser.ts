import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium with WebGPU and WebGL on SwiftShader, and nothing that phones home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--use-webgpu-adapter=swiftshader',
      '--enable-unsafe-swiftshader',
      '--use-angle=swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-default-apps',
      '--disable-domain-reliability',
    ],
  });
}

/** Skips loudly without Chromium, but fails under CI (`CI` set), where it must be installed. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing and CI is set: apt-get install -y chromium`);
  console.warn(`\n!!! SKIPPING the browser-demo end-to-end test: ${CHROMIUM} is missing.\n`);
  return false;
}

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
