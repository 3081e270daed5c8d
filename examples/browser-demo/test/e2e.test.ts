// The built demo (dist/, as `npm run build` leaves it) in headless Chromium: the page opens with
// the T1 slice and moderate simulated motion and corrects it; then the controls do it again. Checks
// the page's promises (panels, difference map and colour bar not blank, metrics with Δ); never a
// model-quality number. Run `npm run build` first (turbo does).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserAvailable, launchChromium } from '@duncan-mri/test-helpers/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, type ServeFolderOptions, serveFolder } from './browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const results = join(root, 'test-results');
const PANELS = ['panel-clean', 'panel-original', 'panel-corrected', 'panel-artefact'] as const;

/**
 * Mean and standard deviation of the grey levels of a PNG, decoded by the browser itself, the
 * fraction of lit pixels, and the fractions of clearly blue and clearly red pixels.
 */
async function pixelStats(
  page: Page,
  png: Buffer,
): Promise<{ mean: number; std: number; lit: number; blue: number; red: number }> {
  return page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    let sum = 0;
    let sum2 = 0;
    let lit = 0;
    let blue = 0;
    let red = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const [r, gr, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      const g = (r + gr + b) / 3;
      sum += g;
      sum2 += g * g;
      if (g > 40) lit++;
      if (b > r + 60) blue++;
      // Red of the diverging map has less green than blue; NiiVue's red crosshair (255, 0, 0),
      // blended or not, has as much green as blue, so it is not counted.
      if (r > b + 60 && b > gr + 2) red++;
    }
    const mean = sum / n;
    return {
      mean,
      std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)),
      lit: lit / n,
      blue: blue / n,
      red: red / n,
    };
  }, png.toString('base64'));
}

/** Waits until the status reads `want`; an `error: ...` status fails at once, with its text. */
async function waitForStatus(page: Page, want: string, timeout: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const status = (await page.getByTestId('status').textContent()) ?? '';
        if (status.startsWith('error')) throw new Error(`the page says ${status}`);
        return status;
      },
      { timeout, interval: 500 },
    )
    .toBe(want);
}

/**
 * Records, from the page's first script on, every change of the download link's `hidden` with
 * the status at that moment: `window.downloadLog`.
 */
async function recordDownloadLink(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const log: { hidden: boolean; status: string }[] = [];
    (window as unknown as { downloadLog: typeof log }).downloadLog = log;
    document.addEventListener('DOMContentLoaded', () => {
      const link = document.getElementById('download')!;
      const status = document.getElementById('status')!;
      log.push({ hidden: link.hasAttribute('hidden'), status: status.textContent ?? '' });
      new MutationObserver(() =>
        log.push({ hidden: link.hasAttribute('hidden'), status: status.textContent ?? '' }),
      ).observe(link, { attributes: true, attributeFilter: ['hidden'] });
    });
  });
}

function downloadLog(page: Page): Promise<{ hidden: boolean; status: string }[]> {
  return page.evaluate(
    () => (window as unknown as { downloadLog: { hidden: boolean; status: string }[] }).downloadLog,
  );
}

describe.skipIf(!browserAvailable('the browser-demo end-to-end test'))(
  'browser demo (built dist/) in Chromium',
  () => {
    let browser: Browser;
    let server: Awaited<ReturnType<typeof serveFolder>>;
    const foreign: string[] = [];
    const errors: string[] = [];

    beforeAll(async () => {
      if (!existsSync(join(dist, 'index.html'))) {
        throw new Error(
          'dist/index.html is missing: run `npm run build -w examples/browser-demo` first',
        );
      }
      server = await serveFolder(dist);
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    async function openDemo(query = ''): Promise<{ page: Page; close(): Promise<void> }> {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(`${server.origin}/`)) return route.continue();
        foreign.push(url);
        return route.abort();
      });
      await recordDownloadLink(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.origin}/${query}`);
      await expect
        .poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 })
        .not.toBe('starting…');
      return { page, close: () => context.close() };
    }

    it('chooses webgpu by default (WebGPU on SwiftShader here)', async () => {
      const { page, close } = await openDemo();
      expect(await page.getByTestId('backend').textContent()).toBe('webgpu');
      expect(await page.getByTestId('notice').isHidden()).toBe(true);
      await close();
    });

    // The correction itself runs on wasm: WebGPU on SwiftShader (a CPU) is much slower (about 0.7 s
    // per small slice with the untrained model, 4 s with a C = 32 model), too slow for CI. The webgpu
    // numerics are checked in @duncan-mri/web's browser tests.
    it('opens with moderate motion on the T1 slice, corrects it, and shows the panels, the difference map and the metrics', async () => {
      const t0 = Date.now();
      const lap = (what: string) =>
        console.log(`demo e2e: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const { page, close } = await openDemo('?backend=wasm');
      // Served without cross-origin isolation: no threads, and the backend line says so.
      expect(await page.getByTestId('backend').textContent()).toBe('wasm (SIMD on, threads off)');
      lap('corrector ready');
      expect(await page.getByTestId('model').textContent()).toMatch(/model/);

      // Nothing clicked: the page loads the sample, adds moderate motion and corrects it.
      await waitForStatus(page, 'done', 150_000);
      lap('opened, corrected and scored');
      expect(await page.getByTestId('severity').inputValue()).toBe('moderate');
      expect(await page.getByTestId('panel-original').locator('figcaption').textContent()).toMatch(
        /corrupted \(moderate motion, seed 42\)/,
      );
      expect(await page.getByTestId('panel-clean').locator('figcaption').textContent()).toMatch(
        /itk-midsag-t1\.nii\.gz, 217×180×1/,
      );
      expect(
        await page.getByTestId('progress').evaluate((p) => (p as HTMLProgressElement).value),
      ).toBe(1);

      // The metrics: in the head and on the whole image, with a Δ column that says which way is better.
      const header = await page.getByTestId('metrics').locator('thead th').allTextContents();
      expect(header).toEqual(['metric', 'corrupted', 'corrected', 'Δ (corrected − corrupted)']);
      const rows = await page
        .getByTestId('metrics')
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
        );
      expect(rows.map((r) => r[0])).toEqual([
        'SSIM in head ↑',
        'PSNR in head (dB) ↑',
        'NRMSE in head ↓',
        'SSIM whole image ↑',
        'PSNR whole image (dB) ↑',
        'NRMSE whole image ↓',
        'MS-SSIM whole image ↑',
        'VIF whole image ↑',
        'UQI whole image ↑',
      ]);
      for (const [label, before, after, delta] of rows) {
        expect([label, before], 'corrupted').toEqual([label, expect.stringMatching(/^\d+\.\d+$/)]);
        expect([label, after], 'corrected').toEqual([label, expect.stringMatching(/^\d+\.\d+$/)]);
        expect([label, delta], 'Δ').toEqual([
          label,
          expect.stringMatching(/^[+−]\d+\.\d+ (better|worse|same)$/),
        ]);
      }
      expect(await page.locator('#metrics-note').textContent()).toMatch(/In head: [\d,]+ voxels/);
      const download = page.getByTestId('download');
      expect(await download.isVisible()).toBe(true);
      expect(await download.getAttribute('href')).toMatch(/^blob:/);
      expect(await download.getAttribute('download')).toBe('itk-midsag-t1-corrected.nii.gz');

      // The colour bar states a range symmetric about 0.
      const colourBar = page.getByTestId('colour-bar');
      await expect.poll(() => colourBar.isVisible()).toBe(true);
      const lo = await page.getByTestId('colour-bar-min').textContent();
      const hi = await page.getByTestId('colour-bar-max').textContent();
      expect(hi).toMatch(/^\+\d+(\.\d+)?$/);
      expect(lo).toBe(`−${hi!.slice(1)}`);

      // Let NiiVue draw, then screenshot the page and each panel; nothing may be blank.
      await page.waitForTimeout(500);
      mkdirSync(results, { recursive: true });
      writeFileSync(join(results, 'demo.png'), await page.screenshot({ fullPage: true }));
      for (const id of PANELS) {
        const panel = page.getByTestId(id);
        await expect.poll(() => panel.isVisible()).toBe(true);
        const png = await panel.locator('.view canvas').screenshot();
        writeFileSync(join(results, `${id}.png`), png);
        const stats = await pixelStats(page, png);
        expect(stats.std, `${id} looks blank: ${JSON.stringify(stats)}`).toBeGreaterThan(5);
        expect(stats.lit, `${id} looks blank: ${JSON.stringify(stats)}`).toBeGreaterThan(0.01);
      }
      // The difference map: not blank, and drawn in the diverging colours (blue where the correction
      // lowered a voxel, red where it raised one; how many of each depends on the model).
      const map = await page.getByTestId('difference-map').screenshot();
      writeFileSync(join(results, 'difference-map.png'), map);
      const mapStats = await pixelStats(page, map);
      expect(mapStats.std, `difference map: ${JSON.stringify(mapStats)}`).toBeGreaterThan(5);
      expect(mapStats.lit, `difference map: ${JSON.stringify(mapStats)}`).toBeGreaterThan(0.01);
      expect(
        mapStats.blue + mapStats.red,
        `difference map: ${JSON.stringify(mapStats)}`,
      ).toBeGreaterThan(0.001);
      const bar = await colourBar.locator('canvas').screenshot();
      writeFileSync(join(results, 'colour-bar.png'), bar);
      const barStats = await pixelStats(page, bar);
      expect(barStats.std, `colour bar: ${JSON.stringify(barStats)}`).toBeGreaterThan(5);
      expect(barStats.blue, `colour bar: ${JSON.stringify(barStats)}`).toBeGreaterThan(0.2);
      expect(barStats.red, `colour bar: ${JSON.stringify(barStats)}`).toBeGreaterThan(0.2);
      lap('checked the opening view');

      // The controls still work: load the sample again, choose severe motion, correct. A new input
      // hides the download link until it is corrected.
      await page.getByTestId('load-sample').click();
      await waitForStatus(page, 'ready', 60_000);
      expect(await download.isHidden()).toBe(true);
      await page.getByTestId('severity').selectOption('severe');
      await waitForStatus(page, 'ready', 60_000);
      expect(await download.isHidden()).toBe(true);
      expect(await page.getByTestId('panel-original').locator('figcaption').textContent()).toMatch(
        /severe motion, seed 42/,
      );
      await page.getByTestId('correct').click();
      await waitForStatus(page, 'done', 150_000);
      expect(await page.getByTestId('metrics').locator('tbody tr').count()).toBe(9);
      expect(await download.isVisible()).toBe(true);
      // From the first paint on, the link was shown only together with a result.
      const log = await downloadLog(page);
      expect(log[0]?.hidden).toBe(true);
      expect(log.filter((e) => !e.hidden).map((e) => e.status)).toEqual(['done', 'done']);
      lap('corrected again with the controls');
      await close();
    });

    it('made no request to any origin but its own, and threw no page errors', () => {
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    });
  },
);

/**
 * The built demo served as the web README recommends for wasm threads, with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`.
 */
describe.skipIf(!browserAvailable('the browser-demo end-to-end test'))(
  'browser demo (built dist/) cross-origin isolated',
  () => {
    let browser: Browser;
    const servers: Awaited<ReturnType<typeof serveFolder>>[] = [];
    let defaultMinified = '';

    beforeAll(async () => {
      if (!existsSync(join(dist, 'index.html'))) {
        throw new Error(
          'dist/index.html is missing: run `npm run build -w examples/browser-demo` first',
        );
      }
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      for (const s of servers) await s.close();
      if (defaultMinified !== '') rmSync(defaultMinified, { recursive: true, force: true });
    });

    async function openIsolated(
      dir: string,
      options: ServeFolderOptions = {},
    ): Promise<{ page: Page; warnings: string[]; close(): Promise<void> }> {
      const server = await serveFolder(dir, { ...options, headers: ISOLATION_HEADERS });
      servers.push(server);
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.route('**/*', (route) =>
        route.request().url().startsWith(`${server.origin}/`) ? route.continue() : route.abort(),
      );
      await recordDownloadLink(context);
      const page = await context.newPage();
      const warnings: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'warning') warnings.push(m.text());
      });
      await page.goto(`${server.origin}/?backend=wasm`);
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      await expect
        .poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 })
        .not.toBe('starting…');
      return { page, warnings, close: () => context.close() };
    }

    it('corrects on threaded wasm, and the backend line says so', async () => {
      const { page, close } = await openIsolated(dist);
      expect(await page.getByTestId('backend').textContent()).toBe('wasm (SIMD on, threads on)');
      await waitForStatus(page, 'done', 150_000);
      expect(await page.getByTestId('notice').isHidden()).toBe(true);
      expect(await page.getByTestId('metrics').locator('tbody tr').count()).toBe(9);
      expect(await page.getByTestId('download').isVisible()).toBe(true);
      await close();
    });

    // The same page built with Vite's default worker minification, which breaks tfjs's threaded
    // wasm start (`ReferenceError: e is not defined` in each thread's worker; see vite.config.ts):
    // the corrector starts again without threads, says why, and corrects.
    it('falls back to wasm without threads, with a warning and a visible notice, when threads cannot start', async () => {
      defaultMinified = mkdtempSync(join(tmpdir(), 'duncan-demo-default-minify-'));
      await build({
        root,
        logLevel: 'warn',
        build: { outDir: defaultMinified, emptyOutDir: true },
        worker: { rolldownOptions: { output: { minify: true } } },
      });
      const { page, warnings, close } = await openIsolated(defaultMinified);
      expect(await page.getByTestId('backend').textContent()).toBe('wasm (SIMD on, threads off)');
      const notice = page.getByTestId('notice');
      expect(await notice.isVisible()).toBe(true);
      expect(await notice.textContent()).toMatch(
        /^wasm threads failed to start, running without them: .*ReferenceError: e is not defined/,
      );
      expect(warnings.some((w) => w.includes('wasm threads failed to start'))).toBe(true);
      await waitForStatus(page, 'done', 150_000);
      expect(await page.getByTestId('metrics').locator('tbody tr').count()).toBe(9);
      await close();
    });

    it('shows why the corrector could not start, keeps "correct" disabled and the download hidden', async () => {
      const { page, close } = await openIsolated(dist, {
        missing: (path) => path === 'model/manifest.json',
      });
      expect(await page.getByTestId('backend').textContent()).toBe('unavailable');
      const status = page.getByTestId('status');
      await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^error: /);
      const text = (await status.textContent()) ?? '';
      expect(text).toMatch(/manifest\.json/);
      expect(text).toMatch(/404/);
      expect(text).not.toMatch(/\[object \w+\]/);
      expect(await page.getByTestId('model').textContent()).toBe('not loaded');
      // The sample still loads and is shown, but nothing enables "correct".
      await page.waitForTimeout(2000);
      expect(await page.getByTestId('correct').isDisabled()).toBe(true);
      expect(await page.getByTestId('download').isHidden()).toBe(true);
      expect((await downloadLog(page)).every((e) => e.hidden)).toBe(true);
      await close();
    });
  },
);
