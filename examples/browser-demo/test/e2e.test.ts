// The built demo (dist/, as `npm run build` leaves it) in headless Chromium: load the sample,
// add artefacts, correct, and check the page's promises. Run `npm run build` first (turbo does).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, serveFolder } from './browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const results = join(root, 'test-results');
const PANELS = ['panel-original', 'panel-corrected', 'panel-artefact'] as const;

/** Mean and standard deviation of the grey levels of a PNG, decoded by the browser itself. */
async function pixelStats(
  page: Page,
  png: Buffer,
): Promise<{ mean: number; std: number; lit: number }> {
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
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const g = (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
      sum += g;
      sum2 += g * g;
      if (g > 40) lit++;
    }
    const mean = sum / n;
    return { mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), lit: lit / n };
  }, png.toString('base64'));
}

describe.skipIf(!browserAvailable())('browser demo (built dist/) in Chromium', () => {
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
    await close();
  });

  // The correction itself runs on wasm: WebGPU on SwiftShader (a CPU) takes about 0.7 s per
  // slice of the sample with the small untrained model and about 4 s with a C = 32 model, too
  // slow for CI. The webgpu numerics are checked in @duncan-mri/web's browser tests.
  it('loads the sample, adds artefacts, corrects, and shows three panels and the metrics', async () => {
    const t0 = Date.now();
    const lap = (what: string) =>
      console.log(`demo e2e: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const { page, close } = await openDemo('?backend=wasm');
    expect(await page.getByTestId('backend').textContent()).toBe('wasm');
    lap('corrector ready');
    expect(await page.getByTestId('model').textContent()).toMatch(/model/);

    await page.getByTestId('load-sample').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 })
      .toBe('ready');
    await page.getByTestId('severity').selectOption('moderate');
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 })
      .toBe('ready');
    lap('sample loaded, artefacts added');
    await page.getByTestId('correct').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), { timeout: 150_000, interval: 500 })
      .toBe('done');
    lap('corrected and scored');

    expect(
      await page.getByTestId('progress').evaluate((p) => (p as HTMLProgressElement).value),
    ).toBe(1);
    const metrics = await page.getByTestId('metrics').locator('tbody tr').allTextContents();
    expect(metrics).toHaveLength(5);
    expect(metrics[0]).toMatch(/^SSIM0\.\d{4}0\.\d{4}$/);
    expect(metrics[4]).toMatch(/^PSNR \(dB\)\d+\.\d{4}\d+\.\d{4}$/);
    const download = page.getByTestId('download');
    expect(await download.getAttribute('href')).toMatch(/^blob:/);
    expect(await download.getAttribute('download')).toBe('anatomical-corrected.nii.gz');

    // Let NiiVue draw, then screenshot the page and each panel; no panel may be blank.
    await page.waitForTimeout(500);
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'demo.png'), await page.screenshot({ fullPage: true }));
    for (const id of PANELS) {
      const panel = page.getByTestId(id);
      await expect.poll(() => panel.isVisible()).toBe(true);
      const png = await panel.locator('canvas').screenshot();
      writeFileSync(join(results, `${id}.png`), png);
      const stats = await pixelStats(page, png);
      expect(stats.std, `${id} looks blank: ${JSON.stringify(stats)}`).toBeGreaterThan(5);
      expect(stats.lit, `${id} looks blank: ${JSON.stringify(stats)}`).toBeGreaterThan(0.01);
    }
    await close();
  });

  it('made no request to any origin but its own, and threw no page errors', () => {
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });
});
