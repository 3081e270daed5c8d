import './style.css';
import { headMask } from '@duncan-mri/metrics';
import {
  createWorkerCorrector,
  type LoadedVolume,
  loadVolume,
  toNiftiBlob,
  type WebBackendName,
  type WorkerCorrector,
} from '@duncan-mri/web';
import { formatRange, paintColourBar, signedDifference } from './difference.js';
import { PanelViewer, type Plane, planeOf } from './viewer.js';

type Volume = LoadedVolume['volume'];
type Severity = 'mild' | 'moderate' | 'severe';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  backend: $('backend'),
  notice: $('notice'),
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
  cleanNote: $('clean-note'),
  originalTitle: $('original-title'),
  originalNote: $('original-note'),
  colourBar: $('colour-bar'),
  colourBarCanvas: $<HTMLCanvasElement>('colour-bar-canvas'),
  colourBarMin: $('colour-bar-min'),
  colourBarMax: $('colour-bar-max'),
  metricsSection: $('metrics-section'),
  metricsNote: $('metrics-note'),
  metrics: $<HTMLTableElement>('metrics'),
};

const viewer = new PanelViewer({
  clean: $<HTMLCanvasElement>('canvas-clean'),
  original: $<HTMLCanvasElement>('canvas-original'),
  corrected: $<HTMLCanvasElement>('canvas-corrected'),
  difference: $<HTMLCanvasElement>('canvas-difference'),
});
paintColourBar(ui.colourBarCanvas);

/** The sample the page opens with (copied from @duncan-mri/node's sample/ at build time). */
const SAMPLE_URL = new URL('sample/itk-midsag-t1.nii.gz', location.href);
/** The corruption's seed: the same as `duncan demo`'s, so a 2-D image gets the same motion. */
const SEED = 42;

/**
 * What is loaded: the scan as read, what the corrector gets (with simulated motion, if asked),
 * the clean reference (when motion was simulated), the plane shown and the grey window.
 * `generation` counts loads and severity changes, so that a late answer for an older input is
 * dropped.
 */
const state: {
  loaded: LoadedVolume | undefined;
  input: Volume | undefined;
  reference: Volume | undefined;
  plane: Plane;
  window: readonly [number, number] | undefined;
  busy: AbortController | undefined;
  generation: number;
} = {
  loaded: undefined,
  input: undefined,
  reference: undefined,
  plane: 'axial',
  window: undefined,
  busy: undefined,
  generation: 0,
};

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
  const { backend, simd, threads, threadsFailure } = c.backend;
  const details = [
    simd === undefined ? undefined : `SIMD ${simd ? 'on' : 'off'}`,
    threads === undefined ? undefined : `threads ${threads ? 'on' : 'off'}`,
  ].filter(Boolean);
  ui.backend.textContent = details.length > 0 ? `${backend} (${details.join(', ')})` : backend;
  if (threadsFailure !== undefined) {
    const text = `wasm threads failed to start, running without them: ${threadsFailure}`;
    console.warn(`duncan-mri demo: ${text}`);
    ui.notice.textContent = text;
    ui.notice.hidden = false;
  }
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
/** Set when the corrector could not start: nothing can be corrected, the button stays off. */
let correctorFailure: string | undefined;
corrector.catch((error: unknown) => {
  correctorFailure = `error: ${(error as Error).message}`;
  ui.backend.textContent = 'unavailable';
  ui.model.textContent = 'not loaded';
  ui.correct.disabled = true;
  setStatus(correctorFailure);
});

/** The 0.5 and 99.5 percentiles of a volume: one grey window for clean, corrupted and corrected. */
function greyWindow(volume: Volume): readonly [number, number] {
  const sorted = Float32Array.from(volume.data).filter(Number.isFinite).sort();
  const at = (p: number) => sorted[Math.round(p * (sorted.length - 1))] ?? 0;
  const lo = at(0.005);
  const hi = at(0.995);
  return [lo, hi > lo ? hi : lo + 1];
}

async function showInput(): Promise<boolean> {
  const { loaded } = state;
  if (loaded === undefined) return false;
  const generation = ++state.generation;
  state.busy?.abort();
  const severity = ui.severity.value as Severity | 'none';
  ui.correct.disabled = true;
  ui.download.hidden = true;
  ui.metricsSection.hidden = true;
  ui.colourBar.hidden = true;
  ui.progress.value = 0;
  await Promise.all([viewer.clear('corrected'), viewer.clear('difference')]);
  const name = loaded.name ?? loaded.format;
  let input: Volume;
  let reference: Volume | undefined;
  if (severity === 'none') {
    input = loaded.volume;
    reference = undefined;
  } else {
    setStatus('simulating');
    const c = await corrector;
    ({ volume: input } = await c.simulate(loaded.volume, [{ artefact: 'motion', severity }], {
      seed: SEED,
    }));
    reference = loaded.volume;
  }
  if (generation !== state.generation) return false;
  state.input = input;
  state.reference = reference;
  state.plane = planeOf(input.shape, input.affine);
  state.window = greyWindow(loaded.volume);
  const shown = { plane: state.plane, window: state.window };
  if (reference === undefined) {
    ui.originalTitle.textContent = 'input';
    ui.originalNote.textContent = `(${name}, no simulated motion)`;
    ui.cleanNote.textContent = '(none: add simulated motion to have a clean reference)';
    await viewer.clear('clean');
  } else {
    ui.originalTitle.textContent = 'corrupted';
    ui.originalNote.textContent = `(${severity} motion, seed ${SEED})`;
    ui.cleanNote.textContent = `(${name}, ${input.shape.join('×')})`;
    await viewer.show('clean', await niftiBytes(reference), shown);
  }
  // Captions are cut to one line; the whole text is in the tooltip.
  for (const note of [ui.cleanNote, ui.originalNote])
    note.parentElement!.title = note.parentElement!.textContent ?? '';
  await viewer.show('original', await niftiBytes(input), shown);
  if (generation !== state.generation) return false;
  if (correctorFailure !== undefined) {
    setStatus(correctorFailure);
    return false;
  }
  ui.correct.disabled = false;
  setStatus('ready');
  return true;
}

async function load(
  source: Parameters<typeof loadVolume>[0],
  options: { correct?: boolean } = {},
): Promise<void> {
  try {
    setStatus('loading');
    ui.correct.disabled = true;
    state.busy?.abort();
    state.loaded = await loadVolume(source);
    if ((await showInput()) && options.correct) await runCorrection();
  } catch (error) {
    setStatus(`error: ${(error as Error).message}`);
  }
}

function formatMetric(value: number | null, digits: number): string {
  if (value === null || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return '∞';
  return value.toFixed(digits);
}

/** A row of the metrics table: a metric of corrupted and corrected against the clean image. */
interface MetricRow {
  readonly label: string;
  readonly better: 'higher' | 'lower';
  readonly digits: number;
  readonly corrupted: number | null;
  readonly corrected: number | null;
}

function deltaCell(row: MetricRow): { text: string; verdict: string } {
  const { corrupted: a, corrected: b } = row;
  if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b))
    return { text: 'n/a', verdict: '' };
  const d = b - a;
  if (!Number.isFinite(d)) return { text: d > 0 ? '+∞' : '−∞', verdict: '' };
  const rounded = Number(d.toFixed(row.digits));
  const text = `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(row.digits)}`;
  if (rounded === 0) return { text, verdict: 'same' };
  return { text, verdict: (row.better === 'higher') === d > 0 ? 'better' : 'worse' };
}

function showMetrics(rows: readonly MetricRow[], note: string): void {
  const body = ui.metrics.tBodies[0]!;
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement('tr');
      const delta = deltaCell(row);
      const cells = [
        `${row.label} ${row.better === 'higher' ? '↑' : '↓'}`,
        formatMetric(row.corrupted, row.digits),
        formatMetric(row.corrected, row.digits),
        `${delta.text}${delta.verdict ? ` ${delta.verdict}` : ''}`,
      ];
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      if (delta.verdict) tr.lastElementChild!.className = delta.verdict;
      return tr;
    }),
  );
  ui.metricsNote.textContent = note;
  ui.metricsSection.hidden = false;
}

/** Root mean squared error over the region, divided by the reference's max − min there. */
function nrmse(reference: Float32Array, test: Float32Array, mask?: Uint8Array): number {
  let sum = 0;
  let n = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < reference.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const r = reference[i]!;
    const e = test[i]! - r;
    sum += e * e;
    n++;
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return n === 0 ? Number.NaN : Math.sqrt(sum / n) / (hi - lo);
}

/** Scores corrupted and corrected against the clean image: in the head and on the whole image. */
async function score(
  c: WorkerCorrector,
  reference: Volume,
  input: Volume,
  corrected: Volume,
): Promise<void> {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of reference.data) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  // 3-D windows need 11 slices; thinner stacks are scored slice by slice.
  const options = { dataRange: hi - lo, slicewise: reference.shape[2] < 11 };
  let mask: Uint8Array | undefined;
  try {
    mask = headMask(reference);
  } catch {
    mask = undefined; // e.g. an image without a dark background: whole-image scores only
  }
  const whole = (test: Volume) => c.compareImages(reference, test, options);
  const head = (test: Volume) =>
    mask === undefined
      ? Promise.resolve(undefined)
      : c.compareImages(reference, test, { ...options, mask });
  const [before, after, headBefore, headAfter] = await Promise.all([
    whole(input),
    whole(corrected),
    head(input),
    head(corrected),
  ]);
  let headVoxels = 0;
  if (mask !== undefined) for (const m of mask) headVoxels += m;
  const row = (
    label: string,
    better: MetricRow['better'],
    digits: number,
    a: number | null | undefined,
    b: number | null | undefined,
  ): MetricRow => ({ label, better, digits, corrupted: a ?? null, corrected: b ?? null });
  showMetrics(
    [
      row('SSIM in head', 'higher', 4, headBefore?.ssim, headAfter?.ssim),
      row('PSNR in head (dB)', 'higher', 2, headBefore?.psnr, headAfter?.psnr),
      row(
        'NRMSE in head',
        'lower',
        4,
        mask && nrmse(reference.data, input.data, mask),
        mask && nrmse(reference.data, corrected.data, mask),
      ),
      row('SSIM whole image', 'higher', 4, before.ssim, after.ssim),
      row('PSNR whole image (dB)', 'higher', 2, before.psnr, after.psnr),
      row(
        'NRMSE whole image',
        'lower',
        4,
        nrmse(reference.data, input.data),
        nrmse(reference.data, corrected.data),
      ),
      row('MS-SSIM whole image', 'higher', 4, before.msssim, after.msssim),
      row('VIF whole image', 'higher', 4, before.vif, after.vif),
      row('UQI whole image', 'higher', 4, before.uqi, after.uqi),
    ],
    mask === undefined
      ? 'No head mask could be made for this image: the in-head rows are n/a, the rest are whole-image scores.'
      : `In head: ${headVoxels.toLocaleString()} voxels of the clean image's head mask (headMask of @duncan-mri/metrics). ↑ higher is better, ↓ lower is better. Data range ${formatRange(hi - lo)} (the clean image's max − min).`,
  );
}

async function runCorrection(): Promise<void> {
  const { input, reference, loaded, plane, window } = state;
  if (input === undefined || loaded === undefined) return;
  const generation = state.generation;
  const controller = new AbortController();
  state.busy = controller;
  ui.correct.disabled = true;
  ui.cancel.disabled = false;
  ui.progress.value = 0;
  try {
    const c = await corrector;
    setStatus('correcting');
    const { corrected } = await c.correct(input, {
      signal: controller.signal,
      onProgress: ({ done, total }) => {
        ui.progress.value = done / total;
        setStatus(`correcting: slice ${done} of ${total}`);
      },
    });
    if (generation !== state.generation) return;
    const difference = signedDifference(corrected.data, input.data);
    await viewer.show('corrected', await niftiBytes(corrected), {
      plane,
      ...(window === undefined ? {} : { window }),
    });
    await viewer.show('difference', await niftiBytes({ ...corrected, data: difference.data }), {
      plane,
      divergingRange: difference.range,
    });
    ui.colourBarMin.textContent = `−${formatRange(difference.range)}`;
    ui.colourBarMax.textContent = `+${formatRange(difference.range)}`;
    ui.colourBar.title = `corrected − corrupted, in the image's intensity units; ±${formatRange(difference.range)} is the 99.5th percentile of |difference| (beyond it the colours saturate)`;
    ui.colourBar.hidden = false;
    if (reference !== undefined) {
      setStatus('scoring');
      await score(c, reference, input, corrected);
    }
    if (generation !== state.generation) return;
    const header = loaded.format === 'nifti' ? { header: loaded.header } : {};
    if (ui.download.href) URL.revokeObjectURL(ui.download.href);
    ui.download.href = URL.createObjectURL(toNiftiBlob(corrected, { ...header, gzip: true }));
    ui.download.download = `${(loaded.name ?? 'scan').replace(/\.nii(\.gz)?$|\.dcm$/i, '')}-corrected.nii.gz`;
    ui.download.hidden = false;
    setStatus('done');
  } catch (error) {
    if (generation !== state.generation) return;
    setStatus(controller.signal.aborted ? 'cancelled' : `error: ${(error as Error).message}`);
  } finally {
    if (state.busy === controller) {
      state.busy = undefined;
      ui.cancel.disabled = true;
      if (generation === state.generation && correctorFailure === undefined)
        ui.correct.disabled = false;
    }
  }
}

ui.sample.addEventListener('click', () => load(SAMPLE_URL));
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

// The page opens with the T1 slice, moderate simulated motion applied, and corrects it at once.
void load(SAMPLE_URL, { correct: true });

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
