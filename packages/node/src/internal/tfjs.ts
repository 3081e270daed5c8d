// The one place the Node binding loads TensorFlow.js. Only `@tensorflow/tfjs-core` and the
// backends in use: not the `@tensorflow/tfjs` bundle (layers, converter, data, webgl), which this
// package never needs and which alone is ~140 MB of node_modules.
import type * as TfCore from '@tensorflow/tfjs-core';

export type Tf = typeof TfCore;

let loading: Promise<Tf> | undefined;

/**
 * tfjs-core with its gradients registered. The gradients ship inside tfjs-core itself
 * (`dist/register_all_gradients.js`, the module the bundle imports for the same purpose), so
 * training needs no further package; `loadCheckpoint` needs them too, as its variables are
 * trainable. Loaded once per thread.
 */
export function loadTfjs(): Promise<Tf> {
  loading ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    return tf;
  })();
  return loading;
}

/** Registers the backend's factory with tfjs-core, importing its package (wasm or cpu). */
export async function importBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else await import('@tensorflow/tfjs-backend-cpu');
}
