import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for headless Chromium with WebGPU on its software adapter (SwiftShader), WebGL on
 * SwiftShader, and nothing that phones home. WebGPU needs a secure context: serve on
 * http://127.0.0.1.
 */
export const CHROMIUM_ARGS: readonly string[] = [
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
  '--metrics-recording-only',
];

/**
 * Whether the browser tests of `suite` run. Without Chromium they are skipped with a loud
 * message, except under CI (`CI` set), where a missing browser is a failure.
 */
export function browserAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) {
    throw new Error(
      `${CHROMIUM} is missing and CI is set: install it (apt-get install -y chromium); .ci/run does this`,
    );
  }
  console.warn(
    `\n!!! SKIPPING ${suite}: ${CHROMIUM} is missing.\n!!! Install it with \`apt-get install -y chromium\` (CI does, and fails without it).\n`,
  );
  return false;
}

/** Launches Chromium headless; playwright gives it a fresh temporary profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
}
