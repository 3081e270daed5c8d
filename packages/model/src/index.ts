/**
 * The default DUNCAN corrector as files: an inference checkpoint of `@duncan-mri/core`
 * (`manifest.json` + `weights.bin`) and its model card (`MODEL_CARD.md`), at the package root.
 * No code beyond their addresses: read them with `fs` in Node, `fetch` them in a browser, or
 * import them as assets (`import weightsUrl from '@duncan-mri/model/weights.bin?url'` in Vite).
 *
 * @packageDocumentation
 */

/** The file names of the default model, as `@duncan-mri/core`'s checkpoints name them. */
export const DEFAULT_MODEL_FILES = Object.freeze({
  manifest: 'manifest.json',
  weights: 'weights.bin',
  modelCard: 'MODEL_CARD.md',
} as const);

/** Where each file of the default model lies. */
export interface DefaultModelUrls {
  /** `manifest.json`: the checkpoint's config and weight specs (JSON). */
  readonly manifest: URL;
  /** `weights.bin`: the float32 weights the manifest describes. */
  readonly weights: URL;
  /** `MODEL_CARD.md`: how the model was trained and scored, and its limits. */
  readonly modelCard: URL;
}

/**
 * The URLs of the default model's files, beside this module in the installed package: `file:`
 * URLs in Node (`fileURLToPath` gives paths), and in a browser the URLs the page serves them at
 * when the bundler keeps `new URL('...', import.meta.url)` assets (Vite, webpack 5, Rollup with
 * its URL plugin). Written as literals so that bundlers can see them.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { defaultModelUrls } from '@duncan-mri/model';
 *
 * const { manifest, weights } = defaultModelUrls();
 * const checkpoint = {
 *   manifest: JSON.parse(readFileSync(manifest, 'utf8')),
 *   weights: new Uint8Array(readFileSync(weights)),
 * };
 * ```
 */
export function defaultModelUrls(): DefaultModelUrls {
  return Object.freeze({
    manifest: new URL('../manifest.json', import.meta.url),
    weights: new URL('../weights.bin', import.meta.url),
    modelCard: new URL('../MODEL_CARD.md', import.meta.url),
  });
}
