import { defineConfig } from 'vite';

// Cross-origin isolation lets the wasm backend use threads (dev server and `vite preview`).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative URLs: dist/ can be served from any folder of any static server.
  base: './',
  publicDir: 'public',
  worker: {
    // The corrector's worker imports the tfjs backends on demand: ES module workers split.
    format: 'es',
    // Workers are minified without the compressor, only mangled. tfjs's threaded wasm backend
    // sends its factory's source (`Function.prototype.toString`) to each wasm thread's worker;
    // the compressor rewrites the factory's `typeof _scriptDir !== "undefined" && _scriptDir` into
    // an unguarded `e !== void 0 && e`, valid where the factory was defined but a
    // `ReferenceError: e is not defined` in the thread's worker, so threads never start.
    rolldownOptions: { output: { minify: { compress: false, mangle: true } } },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { headers: isolation },
  preview: { headers: isolation },
});
