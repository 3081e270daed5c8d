import type { Options } from 'tsup';

/** tsup's declaration-build settings (a type it does not export). */
type DtsConfig = Exclude<Options['dts'], boolean | string | undefined>;

/** What a package's build sets beside the shared settings of tsup.base.mjs. */
export interface PackageBuild {
  /** The entry points. Default: src/index.ts. */
  entry?: NonNullable<Options['entry']>;
  /** The entry points of the declaration build. Default: every entry. */
  dtsEntry?: NonNullable<DtsConfig['entry']>;
  /** `neutral` (default): the package runs in Node and in browsers; `node`: Node only. */
  platform?: 'neutral' | 'node';
  /** Dependencies to bundle instead of importing them at run time. */
  noExternal?: NonNullable<Options['noExternal']>;
  /** Runs after each build, in the package's folder (e.g. to copy assets into dist/). */
  onSuccess?: () => Promise<void>;
}

/** The tsup configuration of a published package. */
export function packageBuild(build?: PackageBuild): Options;
