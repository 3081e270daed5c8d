// The web package in a real browser: Debian's Chromium, headless, driven by playwright-core,
// on an http://127.0.0.1 page (WebGPU needs a secure context) served by a tiny static server.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Checkpoint } from '@duncan-mri/core';
import { readDicomSeries, writeNifti } from '@duncan-mri/io';
import { maxAbsDiff } from '@duncan-mri/test-helpers';
import { browserAvailable, launchChromium } from '@duncan-mri/test-helpers/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness, PlainVolume } from './browser/page.js';
import { bundleTestPage, PAGE_HTML } from './helpers/bundle.js';
import { phantom, smallModel, useNodeWasm } from './helpers/node-model.js';
import { type StaticServer, startStaticServer } from './helpers/static-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const TOLERANCE = 1e-3;

// A 32x32x2 phantom on a [0, 1] scale: small enough for WebGPU on SwiftShader.
const volume = phantom(32, 32, 2);
const plain: PlainVolume = { data: Array.from(volume.data), shape: [32, 32, 2] };

describe.skipIf(!browserAvailable('the browser tests of @duncan-mri/web'))(
  '@duncan-mri/web in Chromium',
  () => {
    let bundleDir = '';
    let server: StaticServer;
    let isolated: StaticServer;
    let browser: Browser;
    let context: BrowserContext;
    let reference: Float32Array;
    let single: Float32Array;
    let byShrinkage: ReadonlyMap<number, Float32Array>;
    let checkpoint: Checkpoint;
    const foreign: string[] = [];
    const pageErrors: string[] = [];

    const serveModel = (path: string, c: Checkpoint, on = server) => {
      on.files.set(`${path}manifest.json`, JSON.stringify(c.manifest));
      on.files.set(`${path}weights.bin`, c.weights);
    };

    /** A browser context that records (and refuses) every request to another origin than `origin`. */
    async function newContext(origin: string): Promise<BrowserContext> {
      const ctx = await browser.newContext();
      await ctx.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(`${origin}/`)) return route.continue();
        foreign.push(url);
        return route.abort();
      });
      return ctx;
    }

    async function openPage(on = server, ctx = context): Promise<Page> {
      const page = await ctx.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${on.origin}/index.html`);
      await page.waitForFunction(() => 'harness' in globalThis);
      return page;
    }

    function call<K extends keyof Harness>(
      page: Page,
      name: K,
      ...args: Parameters<Harness[K]>
    ): Promise<Awaited<ReturnType<Harness[K]>>> {
      return page.evaluate(
        ({ name, args }) => {
          const h = (
            globalThis as unknown as { harness: Record<string, (...a: unknown[]) => unknown> }
          ).harness;
          return h[name]!(...args);
        },
        { name, args: args as unknown[] },
      ) as Promise<Awaited<ReturnType<Harness[K]>>>;
    }

    beforeAll(async () => {
      await useNodeWasm();
      ({ checkpoint, reference, single, byShrinkage } = await smallModel(7, volume));
      bundleDir = await bundleTestPage();
      server = await startStaticServer({ '/bundle/': bundleDir });
      server.files.set('/index.html', PAGE_HTML);
      serveModel('/model/', checkpoint);
      server.files.set('/fixtures/phantom.nii', writeNifti(volume));
      server.files.set('/fixtures/phantom.nii.gz', writeNifti(volume, { gzip: true }));
      // The same page, cross-origin isolated: the wasm backend may use threads there.
      isolated = await startStaticServer(
        { '/bundle/': bundleDir },
        {
          headers: {
            'cross-origin-opener-policy': 'same-origin',
            'cross-origin-embedder-policy': 'require-corp',
          },
        },
      );
      isolated.files.set('/index.html', PAGE_HTML);
      serveModel('/model/', checkpoint, isolated);
      browser = await launchChromium();
      // Every request to another origin is recorded and refused; the last test asserts none.
      context = await newContext(server.origin);
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await isolated?.close();
      if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
    });

    it('corrects on webgpu in a worker, slice by slice, matching Node wasm within 1e-3', async () => {
      const page = await openPage();
      const r = await call(page, 'correctInWorker', '/model/', 'webgpu', plain);
      expect(r.backend.backend).toBe('webgpu');
      expect(r.backend.attempts).toEqual([]);
      expect(r.model).toMatchObject({ seed: 7, step: 0, fromCache: false });
      expect(r.shape).toEqual([32, 32, 2]);
      expect(r.progress).toEqual([
        { done: 1, total: 2 },
        { done: 2, total: 2 },
      ]);
      expect(r.inputUnchanged).toBe(true);
      expect(r.mainThreadTicks).toBeGreaterThan(0); // the page kept running meanwhile
      const diff = maxAbsDiff(r.corrected, reference);
      console.log(`webgpu vs Node wasm: max |difference| ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
      // artefactMap = input - corrected
      expect(
        maxAbsDiff(
          r.artefactMap,
          volume.data.map((x, i) => x - r.corrected[i]!),
        ),
      ).toBeLessThan(1e-6);
      await page.close();
    });

    it('falls back to webgl and to wasm, both matching Node wasm within 1e-3', async () => {
      const page = await openPage();
      for (const backend of ['webgl', 'wasm'] as const) {
        const r = await call(page, 'correctInWorker', '/model/', backend, plain);
        expect(r.backend.backend).toBe(backend);
        if (backend === 'wasm') {
          expect(r.backend.simd).toBe(true);
          expect(r.backend.threads).toBe(false); // the page is not cross-origin isolated
        }
        expect(r.model.fromCache).toBe(true); // the first test cached it in IndexedDB
        expect(maxAbsDiff(r.corrected, reference)).toBeLessThanOrEqual(TOLERANCE);
      }
      await page.close();
    });

    it('runs one forward pass per slice in the worker with flips: false, as Node does', async () => {
      // The small untrained model is not mirror-symmetric: its single pass differs from the mean
      // of the four mirrored ones by more than the tolerance, so the worker must honour flips.
      expect(maxAbsDiff(single, reference)).toBeGreaterThan(10 * TOLERANCE);
      const page = await openPage();
      const r = await call(page, 'correctInWorker', '/model/', 'wasm', plain, { flips: false });
      expect(maxAbsDiff(r.corrected, single)).toBeLessThanOrEqual(TOLERANCE);
      await page.close();
    });

    it('shrinks each slice correction in the worker by the shrinkage asked for, as Node does', async () => {
      // Off (0) and strong (10) differ from the default (1) by more than the tolerance (the
      // phantom's texture gives a noise level of 0.0045), so the worker must honour shrinkage.
      expect(maxAbsDiff(byShrinkage.get(0)!, reference)).toBeGreaterThan(4 * TOLERANCE);
      expect(maxAbsDiff(byShrinkage.get(10)!, reference)).toBeGreaterThan(10 * TOLERANCE);
      const page = await openPage();
      for (const shrinkage of [0, 10]) {
        const r = await call(page, 'correctInWorker', '/model/', 'wasm', plain, { shrinkage });
        const difference = maxAbsDiff(r.corrected, byShrinkage.get(shrinkage)!);
        expect(difference, `shrinkage ${shrinkage}`).toBeLessThanOrEqual(TOLERANCE);
      }
      await page.close();
    });

    it('uses wasm threads when the page is cross-origin isolated', async () => {
      const ctx = await newContext(isolated.origin);
      const page = await openPage(isolated, ctx);
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      const r = await call(page, 'correctInWorker', '/model/', 'wasm', plain);
      expect(r.backend).toMatchObject({ backend: 'wasm', simd: true, threads: true });
      expect(maxAbsDiff(r.corrected, reference)).toBeLessThanOrEqual(TOLERANCE);
      await ctx.close();
    });

    it('chooses webgpu, then webgl without an adapter, then wasm without WebGL, else BACKEND_UNAVAILABLE', async () => {
      const cases = [
        { disabled: {}, prefer: undefined, expected: 'webgpu', tried: [] },
        { disabled: { gpu: true }, prefer: undefined, expected: 'webgl', tried: ['webgpu'] },
        {
          disabled: { gpu: true, webgl: true },
          prefer: undefined,
          expected: 'wasm',
          tried: ['webgpu', 'webgl'],
        },
        { disabled: {}, prefer: 'wasm', expected: 'wasm', tried: [] },
      ] as const;
      for (const c of cases) {
        const page = await openPage();
        const r = await call(page, 'chooseBackend', c.prefer, { ...c.disabled });
        expect(r.ok, JSON.stringify(r)).toBe(true);
        if (r.ok) {
          expect(r.info.backend, JSON.stringify(r.info)).toBe(c.expected);
          expect(r.info.attempts.map((a) => a.backend)).toEqual(c.tried);
        }
        await page.close();
      }
      const page = await openPage();
      const r = await call(page, 'chooseBackend', ['webgpu', 'webgl'], { gpu: true, webgl: true });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BACKEND_UNAVAILABLE');
        expect(r.error.message).toMatch(
          /webgpu \(navigator\.gpu\.requestAdapter\(\) returned null\)/,
        );
      }
      await page.close();
    });

    it('caches models in IndexedDB and refetches when the version changes', async () => {
      const page = await openPage();
      const other = (await smallModel(8, volume)).checkpoint;
      serveModel('/model-b/', checkpoint);
      const weightRequests = () =>
        server.log.filter((l) => l === 'GET /model-b/weights.bin').length;
      const a = await call(page, 'fetchTwice', '/model-b/');
      expect(a.first.fromCache).toBe(false);
      expect(a.second).toMatchObject({ fromCache: true, version: a.first.version });
      expect(a.first.version).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(a.sameBytes).toBe(true);
      expect(weightRequests()).toBe(1);
      // The server's model changes: the manifest's hash changes, the weights are fetched again.
      serveModel('/model-b/', other);
      const b = await call(page, 'fetchTwice', '/model-b/manifest.json');
      expect(b.first.fromCache).toBe(false);
      expect(b.first.version).not.toBe(a.first.version);
      expect(b.seed).toBe(8);
      expect(weightRequests()).toBe(2);
      // A known version: the second call makes no request at all.
      const before = server.log.length;
      const c = await call(page, 'fetchTwice', '/model-b/', 'v2');
      expect([c.first.fromCache, c.second.fromCache]).toEqual([false, true]);
      expect(server.log.length - before).toBe(2); // manifest + weights, once
      // Other origins are refused before any request.
      const e = await call(page, 'fetchError', 'http://example.invalid/model/');
      expect(e).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect((await call(page, 'fetchError', '/missing/'))?.code).toBe('IO_ERROR');
      await page.close();
    });

    it('cancels a running correction at once and keeps working; transfers buffers; reports worker errors; simulates and scores', async () => {
      const page = await openPage();
      const tall = phantom(32, 32, 8);
      const r = await call(page, 'cancelThenCorrect', '/model/', {
        data: Array.from(tall.data),
        shape: [32, 32, 8],
      });
      expect(r.events).toEqual([1]);
      expect(r.rejection?.name).toBe('AbortError');
      expect(r.againLength).toBe(32 * 32 * 8);
      const t = await call(page, 'transferInput', '/model/', plain);
      expect(t).toEqual({ detached: true, length: 32 * 32 * 2 });
      const w = await call(page, 'workerErrors', '/model/');
      expect(w.start).toMatchObject({ name: 'MriError', code: 'IO_ERROR' });
      expect(w.tiny).toMatchObject({ name: 'MriError', code: 'INVALID_ARGUMENT' });
      expect(w.tiny?.message).toMatch(/^correct: volume slices along axis 2 must be at least 8x8/);
      expect(w.after).toMatchObject({ code: 'INVALID_ARGUMENT' });
      const s = await call(page, 'simulateAndScore', '/model/', plain);
      expect(s.applied).toEqual(['noise']);
      expect(s.same.ssim).toBeCloseTo(1, 6);
      expect(s.noisy.ssim).toBeLessThan(1);
      expect(s.same.psnr).toBe(Number.POSITIVE_INFINITY);
      await page.close();
    });

    it('loads NIfTI and DICOM from URLs, Files and folders, as @duncan-mri/io reads them in Node', async () => {
      const seriesDir = join(here, '../../io/test/fixtures/dicom/series');
      const dicomFiles = [1, 2, 3].map((i) =>
        readFileSync(join(seriesDir, `brain_00${i}.dcm`)).subarray(),
      );
      dicomFiles.forEach((bytes, i) => {
        server.files.set(`/fixtures/IM${i}.dcm`, bytes);
      });
      const [series] = await readDicomSeries(dicomFiles.map((b) => new Uint8Array(b)));
      const page = await openPage();
      const r = await call(
        page,
        'loadVolumes',
        '/fixtures/phantom.nii',
        '/fixtures/phantom.nii.gz',
        dicomFiles.map((_, i) => `/fixtures/IM${i}.dcm`),
      );
      for (const v of [r.fromUrl, r.gz, r.fromBlob, r.again]) {
        expect(v.format).toBe('nifti');
        expect(v.shape).toEqual([32, 32, 2]);
        expect(maxAbsDiff(v.data, volume.data)).toBe(0);
      }
      expect(r.fromUrl.name).toBe('phantom.nii');
      expect(r.fromBlob.name).toBe('scan.nii');
      expect(r.dicom.format).toBe('dicom');
      expect(r.dicom.seriesCount).toBe(1);
      expect(r.dicom.shape).toEqual([...series!.volume.shape]);
      expect(maxAbsDiff(r.dicom.data, series!.volume.data)).toBe(0);
      await page.close();
    });

    it('made no request to any origin but its own, and threw no page errors', () => {
      expect(foreign).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  },
);
