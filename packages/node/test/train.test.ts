// End-to-end: the built `duncan train` under the signals of schedulers and closed terminals,
// concurrent runs into one --out, resumed schedules and failing side outputs.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/checkpoint-files.js';
import { CLI, duncan, readJson, SAMPLE, TINY_CONFIG, tempDir, tinyTraining } from './helpers.js';

interface Started {
  readonly child: ChildProcess;
  /** Everything the run printed so far on stderr. */
  stderr(): string;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function start(args: readonly string[]): Started {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, DUNCAN_BACKEND: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    },
  );
  return { child, stderr: () => stderr, done };
}

/** Resolves once `test` holds (polled every 50 ms) while `run` runs. */
async function until(run: Started, test: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 90_000;
  while (!test()) {
    if (run.child.exitCode !== null || run.child.signalCode !== null)
      throw new Error(`the run ended (${run.child.exitCode}) before ${what}: ${run.stderr()}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The step of the checkpoint in `dir` (0 while there is none or it is being replaced). */
function savedStep(dir: string): number {
  try {
    return readJson(join(dir, 'manifest.json')).optimiser.generatorStep;
  } catch {
    return 0;
  }
}

/** A run leaves its outputs and nothing else: no lock, no temporary or staged file. */
function expectTidy(dir: string): void {
  const files = readdirSync(dir);
  expect(files.filter((f) => f.startsWith('.') || /tmp|weights-/.test(f))).toEqual([]);
  expect(files).toContain('manifest.json');
  expect(files).toContain('weights.bin');
}

let corrupted: string;
/** `duncan train` of the sample against its noisy copy into `out`. */
const unpaired = (out: string) => [
  'train',
  '--clean',
  SAMPLE,
  '--corrupted',
  corrupted,
  '--out',
  out,
];

beforeAll(async () => {
  const work = tempDir('duncan-train-');
  corrupted = join(work, 'noise.nii.gz');
  const r = await duncan([
    'simulate',
    SAMPLE,
    '-o',
    corrupted,
    '--artefact',
    'noise',
    '--seed',
    '1',
  ]);
  expect(r.code).toBe(0);
});

const TOTAL = 400;
/** Learning rate 1e-3 decaying linearly from step 0 to 0 at step TOTAL. */
const CONFIG = { ...TINY_CONFIG, learningRate: 1e-3, decayStart: 0 };
const rateOf = (learningRate: number, row: number) => (learningRate * (TOTAL - (row - 1))) / TOTAL;

describe('duncan train (built CLI)', () => {
  it('SIGTERM saves and exits 143; a second run into --out is refused; --resume continues the schedule with --config applied', async () => {
    const out = join(tempDir(), 'run');
    const base = unpaired(out);
    const first = start([
      ...base,
      '--steps',
      String(TOTAL),
      '--every',
      '1000',
      '--save-every',
      '3',
      '--config',
      JSON.stringify(CONFIG),
    ]);
    // A periodic checkpoint appears while the run goes on.
    await until(first, () => savedStep(out) >= 3, 'the first periodic checkpoint');
    const second = await duncan([...base, '--steps', '2', '--overwrite']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`--out must not be in use by another run, .*pid ${first.child.pid} on host`),
    );
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.stderr).toMatch(/interrupted by SIGTERM: finishing the current step and saving/);
    expect(stopped.code).toBe(143);
    const n = savedStep(out);
    expect(stopped.stdout).toMatch(
      new RegExp(`stopped at step ${n} of ${TOTAL}; checkpoint saved`),
    );
    expect(n).toBeGreaterThanOrEqual(3);
    expect(readCheckpoint(out).manifest.training).toEqual({
      mode: 'unpaired',
      totalSteps: TOTAL,
      batchSize: 1,
      seed: 1,
      axis: 2,
    });
    expectTidy(out);

    // Resume without --steps: the checkpoint's run (and schedule) continues, at a new rate.
    const resumed = start([
      ...base,
      '--resume',
      '--every',
      '1000',
      '--save-every',
      '2',
      '--config',
      '{"learningRate":0.002}',
    ]);
    await until(resumed, () => savedStep(out) >= n + 2, 'a checkpoint of the resumed run');
    resumed.child.kill('SIGTERM');
    const again = await resumed.done;
    expect(again.code).toBe(143);
    expect(again.stderr).toMatch(
      new RegExp(`training from step ${n} to step ${TOTAL} \\(unpaired\\)`),
    );
    expect(again.stderr).toMatch(
      new RegExp(`--config changes learningRate 0.001 -> 0.002 from step ${n} on`),
    );
    const m = savedStep(out);
    expect(m).toBeGreaterThanOrEqual(n + 2);
    const { manifest } = readCheckpoint(out);
    expect(manifest.config.learningRate).toBe(0.002);
    expect(manifest.training?.totalSteps).toBe(TOTAL);
    const rows = readFileSync(join(out, 'losses.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.map((r) => Number(r.split(',')[0]))).toEqual(
      Array.from({ length: m }, (_, i) => i + 1),
    );
    rows.forEach((r, i) => {
      const row = i + 1;
      const rate = Number(r.split(',').at(-1));
      expect(rate).toBeCloseTo(rateOf(row <= n ? 1e-3 : 2e-3, row), 12);
    });
    expectTidy(out);
    // The architecture cannot change on resume.
    const wider = await duncan([...base, '--resume', '--config', '{"channels":8}']);
    expect(wider.code).toBe(1);
    expect(wider.stderr).toMatch(
      /--config channels must stay 4 when training resumes .* only lossWeights, .* may change/,
    );
    expect(savedStep(out)).toBe(m);
  });

  it('SIGHUP with the terminal gone (closed pipes) still saves and exits 129', async () => {
    const out = join(tempDir(), 'hup');
    const run = start([...unpaired(out), ...tinyTraining(100000), '--save-every', '0']);
    await until(run, () => existsSync(join(out, 'panel-step000002.png')), 'two steps');
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    run.child.kill('SIGHUP');
    const { code } = await run.done;
    expect(code).toBe(129);
    expect(savedStep(out)).toBeGreaterThanOrEqual(2);
    expect(readCheckpoint(out).weights.length).toBeGreaterThan(0);
    expectTidy(out);
  });

  it('a side output that cannot be written warns and training goes on', async () => {
    const out = join(tempDir(), 'side');
    // Directories where the first panel and the loss curve would go: renames onto them fail.
    mkdirSync(join(out, 'panel-step000001.png'), { recursive: true });
    mkdirSync(join(out, 'loss-curve.png'));
    const r = await duncan([...unpaired(out), ...tinyTraining(2), '--json']);
    expect(r.stderr).toMatch(/warning: .*panel-step000001\.png.*; training goes on/);
    expect(r.stderr).toMatch(/warning: .*loss-curve\.png.*; training goes on/);
    expect(r.stderr.match(/warning: .*loss-curve\.png/g)).toHaveLength(1);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ step: 2, aborted: false, signal: null });
    expect(existsSync(join(out, 'panel-step000002.png'))).toBe(true);
    expect(savedStep(out)).toBe(2);
  });
});
