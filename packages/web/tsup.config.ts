import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

export default defineConfig({
  // `worker` is the Web Worker script that `createWorkerCorrector` starts by default.
  entry: ['src/index.ts', 'src/worker.ts'],
  format: ['esm'],
  // tsup 8 sets `baseUrl` for its declaration build, which TypeScript 6 deprecates.
  dts: { entry: 'src/index.ts', compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  // The wasm binaries sit beside the code (`dist/wasm/`), found with
  // `new URL('./wasm/...', import.meta.url)`, so bundlers (Vite) emit them as assets.
  onSuccess: async () => {
    const require = createRequire(import.meta.url);
    const from = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    mkdirSync('dist/wasm', { recursive: true });
    for (const file of WASM_FILES) copyFileSync(join(from, 'dist', file), join('dist/wasm', file));
  },
});
