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
  // The corrector's worker imports the tfjs backends on demand: ES module workers split.
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { headers: isolation },
  preview: { headers: isolation },
});
