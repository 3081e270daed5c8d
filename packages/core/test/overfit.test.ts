import { ssim } from '@duncan-mri/metrics';
import { simulate } from '@duncan-mri/simulate';
import { createRng } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { correct, createModel, train } from '../src/index.js';
import { phantom, useBackend } from './helpers.js';

describe('a tiny DUNCAN model (C = 8, R = 1) on 32x32 phantoms', () => {
  it('learns from unpaired clean and corrupted images until the corrected images beat the corrupted ones in SSIM', async () => {
    await useBackend('wasm');
    const rng = createRng(5);
    // Four "subjects"; the corrupted set is the same anatomy with strong Rician noise, but
    // training draws clean and corrupted images independently (unpaired).
    const clean = [0, 2, -2, 4].map((shift) => phantom(32, 32, 1, shift));
    const corrupted = clean.map(
      (c) => simulate(c, [{ artefact: 'noise', ranges: { sigma: 0.3 } }], rng).volume,
    );
    const model = createModel(
      {
        channels: 8,
        residualBlocks: 1,
        // The plain translations of MODEL.md: an untrained model's output is far from its input,
        // so learning is visible within 80 steps. Residual models start near the identity; their
        // learning is measured on real data (README, "Learning for real").
        residual: false,
        cropSize: 32,
        poolSize: 8,
        learningRate: 2e-3,
        decayStart: 1,
      },
      { seed: 1 },
    );
    const score = async () => {
      const before: number[] = [];
      const after: number[] = [];
      for (let i = 0; i < clean.length; i++) {
        const { corrected } = await correct(model, corrupted[i]!);
        before.push(ssim(clean[i]!, corrupted[i]!, { dataRange: 160 }));
        after.push(ssim(clean[i]!, corrected, { dataRange: 160 }));
      }
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      return {
        before: mean(before),
        after: mean(after),
        perImage: after.map((a, i) => a - before[i]!),
      };
    };
    const untrained = await score();
    expect(untrained.after).toBeLessThan(untrained.before);
    const result = await train(model, { clean, corrupted }, { steps: 80, seed: 1, batchSize: 2 });
    expect(result.steps).toBe(80);
    const trained = await score();
    expect(trained.after).toBeGreaterThan(trained.before + 0.05);
    for (const gain of trained.perImage) expect(gain).toBeGreaterThan(0);
    model.dispose();
  }, 180_000);
});
