// The Web Worker script that `createWorkerCorrector` starts by default (`dist/worker.js`).
import { serveWorkerCorrector } from './serve-worker-corrector.js';

serveWorkerCorrector();
