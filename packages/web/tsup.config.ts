import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageBuild } from '../../tsup.base.mjs';

const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

export default packageBuild({
  // `worker` is the Web Worker script that `createWorkerCorrector` starts by default.
  entry: ['src/index.ts', 'src/worker.ts'],
  dtsEntry: 'src/index.ts',
  // The wasm binaries sit beside the code (`dist/wasm/`), found with
  // `new URL('./wasm/...', import.meta.url)`, so bundlers (Vite) emit them as assets.
  onSuccess: async () => {
    const require = createRequire(import.meta.url);
    const from = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    mkdirSync('dist/wasm', { recursive: true });
    for (const file of WASM_FILES) copyFileSync(join(from, 'dist', file), join('dist/wasm', file));
  },
});
