import { defineConfig } from 'tsup';

export default defineConfig({
  // The library, the `duncan` bin and the worker-thread entry (loaded by URL at run time, so it
  // must exist as its own file next to index.js).
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'correct-worker': 'src/correct-worker.ts',
  },
  format: ['esm'],
  // tfjs-core's gradients exist only as its ES-module sources, whose extensionless relative
  // imports plain Node cannot load: bundle that one entry (as the `@tensorflow/tfjs` bundle
  // does). Its ops share tfjs-core's global engine and gradient registry, so the registered
  // gradients are those tfjs-core uses; the rest of tfjs-core stays an ordinary dependency.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  // tsup 8 sets `baseUrl` for its declaration build, which TypeScript 6 deprecates.
  dts: { entry: { index: 'src/index.ts' }, compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
});
