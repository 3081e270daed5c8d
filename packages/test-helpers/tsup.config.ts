import { defineConfig } from 'tsup';

export default defineConfig({
  // Two entries, so that tests without a browser never load playwright.
  entry: ['src/index.ts', 'src/chromium.ts'],
  format: ['esm'],
  // tsup 8 sets `baseUrl` for its declaration build, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  // Everything is a devDependency of this private package: leave it to the tests' node_modules.
  external: ['@duncan-mri/volume', 'playwright-core', 'vitest'],
});
