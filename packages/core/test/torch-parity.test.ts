// The networks, the loss terms and their gradients against an independent PyTorch implementation
// (tools/reference/duncan_torch.py): the same checkpoint, the same inputs, the same numbers.
// Two fixtures: residual translations with content skips (the shipped kind of model) and the
// plain translations of ../shared/design/MODEL.md. Regenerate with the commands in
// tools/reference/core_parity_reference.py.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CheckpointManifest, loadCheckpoint } from '../src/checkpoint.js';
import { discriminatorLoss, GENERATOR_TERMS, generatorLosses } from '../src/internal/losses.js';
import { stateOf } from '../src/internal/model-state.js';
import { tf, useBackend } from './helpers.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface Stats {
  sum: number;
  l2: number;
  first: number[];
}
interface Reference {
  inputs: {
    corrupted: number[];
    clean: number[];
    size: number;
    correctInput: { height: number; width: number; data: number[] };
  };
  corrected: number[];
  fakeF: number[];
  terms: Record<string, number>;
  total: number;
  discriminator: number;
  generatorGradients: Record<string, Stats>;
  discriminatorGradients: Record<string, Stats>;
}

async function load(DIR: string) {
  return loadCheckpoint({
    manifest: JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as CheckpointManifest,
    weights: new Uint8Array(readFileSync(join(DIR, 'weights.bin'))),
  });
}

function expectClose(actual: number, expected: number, tol: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tol * Math.max(1, Math.abs(expected)),
  );
}

function expectStats(t: tf.Tensor, s: Stats, label: string): void {
  const v = t.dataSync();
  let sum = 0;
  let sq = 0;
  for (const x of v) {
    sum += x;
    sq += x * x;
  }
  // Sums of many small terms cancel: compare them on the scale of the L2 norm.
  expect(Math.abs(sum - s.sum), `${label} sum ${sum} vs ${s.sum}`).toBeLessThanOrEqual(
    1e-3 * Math.max(s.l2, 1e-6) + 1e-6,
  );
  expectClose(Math.sqrt(sq), s.l2, 1e-3, `${label} l2`);
  s.first.forEach((x, i) => {
    expect(Math.abs(v[i]! - x), `${label}[${i}]`).toBeLessThanOrEqual(1e-3 * s.l2 + 1e-7);
  });
}

describe.each([
  ['cpu', 'torch-parity-residual'],
  ['wasm', 'torch-parity-residual'],
  ['cpu', 'torch-parity-plain'],
  ['wasm', 'torch-parity-plain'],
] as const)('PyTorch parity on %s (%s)', (backend, fixture) => {
  const DIR = join(FIXTURES, fixture);
  const reference = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as Reference;

  it('gives the same corrector output on a 36x44 image', async () => {
    await useBackend(backend);
    const model = await load(DIR);
    const { nets } = stateOf('test', model);
    const { height, width, data } = reference.inputs.correctInput;
    const out = tf.tidy(() => {
      const x = tf.tensor4d(data, [1, height, width, 1]);
      return nets.translateF(nets.contentEncoderA(x), x).dataSync();
    });
    let worst = 0;
    for (let i = 0; i < out.length; i++)
      worst = Math.max(worst, Math.abs(out[i]! - reference.corrected[i]!));
    expect(worst).toBeLessThan(1e-4);
    model.dispose();
  });

  it('gives the same six loss terms and generator gradients', async () => {
    await useBackend(backend);
    const model = await load(DIR);
    const state = stateOf('test', model);
    const n = reference.inputs.size;
    const xa = tf.tensor4d(reference.inputs.corrupted, [1, n, n, 1]);
    const xf = tf.tensor4d(reference.inputs.clean, [1, n, n, 1]);
    let terms: Record<string, number> = {};
    let fakeF: Float32Array | undefined;
    const { value, grads } = tf.variableGrads(
      () => {
        const r = generatorLosses(state.nets, xa, xf, state.config.lossWeights);
        terms = Object.fromEntries(GENERATOR_TERMS.map((t) => [t, r.terms[t].dataSync()[0]!]));
        fakeF = r.fakeF.dataSync() as Float32Array;
        return r.total;
      },
      state.generatorVariables.map(([, v]) => v),
    );
    for (const t of GENERATOR_TERMS) expectClose(terms[t]!, reference.terms[t]!, 1e-4, t);
    expectClose(value.dataSync()[0]!, reference.total, 1e-4, 'total');
    let worst = 0;
    for (let i = 0; i < reference.fakeF.length; i++)
      worst = Math.max(worst, Math.abs(fakeF![i]! - reference.fakeF[i]!));
    expect(worst).toBeLessThan(1e-4);
    for (const [name, v] of state.generatorVariables) {
      const g = grads[v.name];
      expect(g, name).toBeDefined();
      expectStats(g!, reference.generatorGradients[name]!, name);
    }
    tf.dispose([value, xa, xf, ...Object.values(grads)]);
    model.dispose();
  });

  it('gives the same discriminator loss and gradients', async () => {
    await useBackend(backend);
    const model = await load(DIR);
    const state = stateOf('test', model);
    const n = reference.inputs.size;
    const xa = tf.tensor4d(reference.inputs.corrupted, [1, n, n, 1]);
    const xf = tf.tensor4d(reference.inputs.clean, [1, n, n, 1]);
    const { fakeF, fakeA } = tf.tidy(() => {
      const r = generatorLosses(state.nets, xa, xf, state.config.lossWeights);
      return { fakeF: r.fakeF, fakeA: r.fakeA };
    });
    const { value, grads } = tf.variableGrads(
      () =>
        tf.add(
          discriminatorLoss(state.nets.discriminatorF, xf, fakeF),
          discriminatorLoss(state.nets.discriminatorA, xa, fakeA),
        ) as tf.Scalar,
      state.discriminatorVariables.map(([, v]) => v),
    );
    expectClose(value.dataSync()[0]!, reference.discriminator, 1e-4, 'discriminator');
    for (const [name, v] of state.discriminatorVariables) {
      expectStats(grads[v.name]!, reference.discriminatorGradients[name]!, name);
    }
    tf.dispose([value, xa, xf, fakeF, fakeA, ...Object.values(grads)]);
    model.dispose();
  });
});
