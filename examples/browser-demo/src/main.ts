import './style.css';
import {
  createWorkerCorrector,
  type LoadedVolume,
  loadVolume,
  toNiftiBlob,
  type WebBackendName,
  type WorkerCorrector,
} from '@duncan-mri/web';
import { PanelViewer } from './viewer.js';

type Volume = LoadedVolume['volume'];
type Comparison = Awaited<ReturnType<WorkerCorrector['compareImages']>>;
type Severity = 'mild' | 'moderate' | 'severe';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  backend: $('backend'),
  model: $('model'),
  status: $('status'),
  drop: $('drop'),
  file: $<HTMLInputElement>('file'),
  folder: $<HTMLInputElement>('folder'),
  sample: $<HTMLButtonElement>('load-sample'),
  severity: $<HTMLSelectElement>('severity'),
  correct: $<HTMLButtonElement>('correct'),
  cancel: $<HTMLButtonElement>('cancel'),
  progress: $<HTMLProgressElement>('progress'),
  download: $<HTMLAnchorElement>('download'),
  originalNote: $('original-note'),
  metricsSection: $('metrics-section'),
  metrics: $<HTMLTableElement>('metrics'),
};

const viewer = new PanelViewer({
  original: $<HTMLCanvasElement>('canvas-original'),
  corrected: $<HTMLCanvasElement>('canvas-corrected'),
  artefact: $<HTMLCanvasElement>('canvas-artefact'),
});

/** What is loaded: the scan as read, and what the corrector gets (with artefacts, if asked). */
const state: {
  loaded: LoadedVolume | undefined;
  input: Volume | undefined;
  reference: Volume | undefined;
  busy: AbortController | undefined;
} = { loaded: undefined, input: undefined, reference: undefined, busy: undefined };

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function niftiBytes(volume: Volume): Promise<ArrayBuffer> {
  return toNiftiBlob(volume).arrayBuffer();
}

// The model sits next to the page (public/model/); ?backend=wasm|webgl|webgpu picks one.
const params = new URLSearchParams(location.search);
const preferred = params.get('backend') as WebBackendName | null;
const modelUrl = new URL('model/', location.href);

const corrector: Promise<WorkerCorrector> = (async () => {
  const info = await fetch(new URL('model-info.json', modelUrl))
    .then((r) => (r.ok ? r.json() : undefined))
    .catch(() => undefined);
  const c = await createWorkerCorrector(
    modelUrl,
    preferred ? { backend: { prefer: preferred } } : {},
  );
  ui.backend.textContent = c.backend.backend;
  ui.backend.title = [
    c.backend.adapter,
    c.backend.simd === undefined ? undefined : `SIMD ${c.backend.simd ? 'on' : 'off'}`,
    c.backend.threads === undefined ? undefined : `threads ${c.backend.threads ? 'on' : 'off'}`,
    ...c.backend.attempts.map((a) => `${a.backend} refused: ${a.reason}`),
  ]
    .filter(Boolean)
    .join('; ');
  const untrained = info?.untrained ?? c.model.step === 0;
  const label = info?.label ?? (untrained ? 'untrained demo model' : 'model');
  ui.model.textContent = `${untrained ? '⚠ ' : ''}${label}: C=${c.model.config.channels}, R=${c.model.config.residualBlocks}, ${c.model.parameterCount.toLocaleString()} weights${c.model.fromCache ? ', from the cache' : ''}`;
  if (untrained) ui.model.classList.add('untrained');
  return c;
})();
corrector.catch((error: unknown) => {
  ui.backend.textContent = 'unavailable';
  setStatus(`error: ${(error as Error).message}`);
});

async function showInput(): Promise<void> {
  const { loaded } = state;
  if (loaded === undefined) return;
  const severity = ui.severity.value as Severity | 'none';
  ui.download.hidden = true;
  ui.metricsSection.hidden = true;
  await Promise.all([viewer.clear('corrected'), viewer.clear('artefact')]);
  if (severity === 'none') {
    state.input = loaded.volume;
    state.reference = undefined;
    ui.originalNote.textContent = `(${loaded.name ?? loaded.format})`;
  } else {
    setStatus('simulating');
    const c = await corrector;
    const { volume } = await c.simulate(
      loaded.volume,
      [
        { artefact: 'motion', severity },
        { artefact: 'noise', severity },
      ],
      { seed: 1 },
    );
    state.input = volume;
    state.reference = loaded.volume;
    ui.originalNote.textContent = `(${loaded.name ?? loaded.format}, ${severity} simulated motion and noise)`;
  }
  await viewer.show('original', await niftiBytes(state.input));
  ui.correct.disabled = false;
  setStatus('ready');
}

async function load(source: Parameters<typeof loadVolume>[0]): Promise<void> {
  try {
    setStatus('loading');
    ui.correct.disabled = true;
    state.loaded = await loadVolume(source);
    await showInput();
  } catch (error) {
    setStatus(`error: ${(error as Error).message}`);
  }
}

function formatMetric(value: number | null): string {
  if (value === null) return 'n/a (image too small)';
  if (!Number.isFinite(value)) return '∞';
  return value.toFixed(4);
}

function showMetrics(before: Comparison, after: Comparison): void {
  const rows: [string, keyof Comparison][] = [
    ['SSIM', 'ssim'],
    ['MS-SSIM', 'msssim'],
    ['VIF', 'vif'],
    ['UQI', 'uqi'],
    ['PSNR (dB)', 'psnr'],
  ];
  const body = ui.metrics.tBodies[0]!;
  body.replaceChildren(
    ...rows.map(([label, key]) => {
      const tr = document.createElement('tr');
      tr.dataset.metric = key;
      for (const text of [label, formatMetric(before[key]), formatMetric(after[key])]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
  ui.metricsSection.hidden = false;
}

async function runCorrection(): Promise<void> {
  const { input, reference, loaded } = state;
  if (input === undefined || loaded === undefined) return;
  const controller = new AbortController();
  state.busy = controller;
  ui.correct.disabled = true;
  ui.cancel.disabled = false;
  ui.progress.value = 0;
  try {
    const c = await corrector;
    setStatus('correcting');
    const { corrected, artefactMap } = await c.correct(input, {
      signal: controller.signal,
      onProgress: ({ done, total }) => {
        ui.progress.value = done / total;
        setStatus(`correcting: slice ${done} of ${total}`);
      },
    });
    await viewer.show('corrected', await niftiBytes(corrected));
    await viewer.show('artefact', await niftiBytes(artefactMap), 'warm');
    if (reference !== undefined) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const x of reference.data) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      // 3-D windows need 11 slices; thinner stacks are scored slice by slice.
      const options = { dataRange: hi - lo, slicewise: reference.shape[2] < 11 };
      const [before, after] = await Promise.all([
        c.compareImages(reference, input, options),
        c.compareImages(reference, corrected, options),
      ]);
      showMetrics(before, after);
    }
    const header = loaded.format === 'nifti' ? { header: loaded.header } : {};
    if (ui.download.href) URL.revokeObjectURL(ui.download.href);
    ui.download.href = URL.createObjectURL(toNiftiBlob(corrected, { ...header, gzip: true }));
    ui.download.download = `${(loaded.name ?? 'scan').replace(/\.nii(\.gz)?$|\.dcm$/i, '')}-corrected.nii.gz`;
    ui.download.hidden = false;
    setStatus('done');
  } catch (error) {
    setStatus(controller.signal.aborted ? 'cancelled' : `error: ${(error as Error).message}`);
  } finally {
    state.busy = undefined;
    ui.correct.disabled = false;
    ui.cancel.disabled = true;
  }
}

ui.sample.addEventListener('click', () => load(new URL('sample/anatomical.nii', location.href)));
ui.file.addEventListener('change', () => {
  if (ui.file.files?.[0]) void load(ui.file.files[0]);
});
ui.folder.addEventListener('change', () => {
  if (ui.folder.files?.length) void load(ui.folder.files);
});
ui.severity.addEventListener('change', () => {
  showInput().catch((error: unknown) => setStatus(`error: ${(error as Error).message}`));
});
ui.correct.addEventListener('click', () => void runCorrection());
ui.cancel.addEventListener('click', () => state.busy?.abort());

/** Every file of a dropped item, folders walked recursively. */
async function filesOf(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) {
    return [await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail))];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const files: File[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return files;
    for (const child of batch) files.push(...(await filesOf(child)));
  }
}

ui.drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.drop.classList.add('over');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', async (event) => {
  event.preventDefault();
  ui.drop.classList.remove('over');
  const entries = [...(event.dataTransfer?.items ?? [])]
    .map((item) => item.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  const files = (await Promise.all(entries.map(filesOf))).flat();
  if (files.length > 0) await load(files.length === 1 ? files[0]! : files);
});
