// The worker-thread entry of createCorrector: one tfjs backend (wasm or cpu) per worker, one
// copy of the model, correcting the runs of slices the main thread sends (core's
// splitCorrection: the whole volume's statistics, non-finite policy, flips and shrinkage come
// with each run).
import { parentPort, workerData } from 'node:worker_threads';
import { correct, loadCheckpoint } from '@duncan-mri/core';
import { createVolume, errorToWire } from '@duncan-mri/volume';
import { importBackend, loadTfjs } from './internal/tfjs.js';
import type { FromWorker, ToWorker, WorkerInit } from './internal/worker-protocol.js';

if (parentPort === null) throw new Error('correct-worker.js must run in a worker thread');
const port = parentPort;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const tf = await loadTfjs();
  await importBackend(init.backend);
  if (!(await tf.setBackend(init.backend))) {
    throw new Error(`correct-worker: the ${init.backend} backend did not initialise`);
  }
  await tf.ready();
  const model = await loadCheckpoint({ manifest: init.manifest, weights: init.weights });
  port.on('message', async (message: ToWorker) => {
    if (message.type === 'close') {
      model.dispose();
      port.close();
      return;
    }
    const { id } = message;
    try {
      const volume = createVolume({ data: message.data, shape: message.shape });
      const { corrected } = await correct(model, volume, {
        ...message.options,
        // The run the main thread planned for this worker's memory, in one forward pass.
        batchSize: message.shape[message.options.axis],
      });
      const data = new Float32Array(corrected.data);
      post({ type: 'result', id, corrected: data }, [data.buffer]);
    } catch (error) {
      post({ type: 'error', id, error: errorToWire(error) });
    }
  });
  post({ type: 'ready', config: model.config });
}

main().catch((error: unknown) => {
  post({ type: 'error', id: undefined, error: errorToWire(error) });
});
