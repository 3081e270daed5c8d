// The tsup build of every published package: each package's tsup.config.ts calls `packageBuild`
// with what it adds (entries, platform, assets). Its types are in tsup.base.d.mts: a TypeScript
// file here would lie outside the packages' `rootDir` when they typecheck their configs.
import { defineConfig } from 'tsup';

/**
 * ES modules for ES2022 with declarations and source maps, in a clean dist/.
 * @param {import('./tsup.base.d.mts').PackageBuild} [build]
 */
export function packageBuild({ entry = ['src/index.ts'], dtsEntry, ...rest } = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    // tsup 8 sets `baseUrl` for its declaration build, which TypeScript 6 deprecates.
    dts: {
      ...(dtsEntry === undefined ? {} : { entry: dtsEntry }),
      compilerOptions: { ignoreDeprecations: '6.0' },
    },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    ...rest,
  });
}
