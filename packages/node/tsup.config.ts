import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageBuild } from '../../tsup.base.mjs';

// The figures' font (src/internal/figures/figure-font.ts): two TrueType files of the
// dejavu-fonts-ttf package (a devDependency) and their licence, copied into dist/fonts/ so that
// the tarball carries 1.5 MB of font instead of a 12 MB package.
const fonts = dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json'));
function copyFonts() {
  mkdirSync('dist/fonts', { recursive: true });
  for (const file of ['ttf/DejaVuSans.ttf', 'ttf/DejaVuSans-Bold.ttf', 'LICENSE'])
    copyFileSync(join(fonts, file), join('dist/fonts', file.replace('ttf/', '')));
}

export default packageBuild({
  // The library, the `duncan` bin and the worker-thread entry (loaded by URL at run time, so it
  // must exist as its own file next to index.js).
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'correct-worker': 'src/correct-worker.ts',
  },
  dtsEntry: { index: 'src/index.ts' },
  // tfjs-core's gradients exist only as its ES-module sources, whose extensionless relative
  // imports plain Node cannot load: bundle that one entry (as the `@tensorflow/tfjs` bundle
  // does). Its ops share tfjs-core's global engine and gradient registry, so the registered
  // gradients are those tfjs-core uses; the rest of tfjs-core stays an ordinary dependency.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  platform: 'node',
  onSuccess: async () => copyFonts(),
});
