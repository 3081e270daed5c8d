/** A URL prefix ending in `/`, or a map from wasm file name to URL (tfjs's `setWasmPaths`). */
export type WasmPaths =
  | string
  | {
      readonly 'tfjs-backend-wasm.wasm'?: string;
      readonly 'tfjs-backend-wasm-simd.wasm'?: string;
      readonly 'tfjs-backend-wasm-threaded-simd.wasm'?: string;
    };

/**
 * The copies of tfjs's wasm binaries in this package's `dist/wasm/`. Written as literal
 * `new URL('…', import.meta.url)` so that bundlers (Vite, webpack 5, Parcel) emit them as assets.
 */
export function defaultWasmPaths(): {
  'tfjs-backend-wasm.wasm': string;
  'tfjs-backend-wasm-simd.wasm': string;
  'tfjs-backend-wasm-threaded-simd.wasm': string;
} {
  return {
    'tfjs-backend-wasm.wasm': new URL('./wasm/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('./wasm/tfjs-backend-wasm-simd.wasm', import.meta.url)
      .href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL(
      './wasm/tfjs-backend-wasm-threaded-simd.wasm',
      import.meta.url,
    ).href,
  };
}
