import { ssim } from '@duncan-mri/metrics';
import { simulate } from '@duncan-mri/simulate';
import { createRng } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { correct, createModel, train, UNPAIRED_RECIPE } from '../src/index.js';
import { phantom, useBackend } from './helpers.js';

/**
 * Four "subjects" and the same anatomy with strong Rician noise; training draws clean and
 * corrupted images independently (unpaired).
 */
function noisyPhantoms() {
  const rng = createRng(5);
  const clean = [0, 2, -2, 4].map((shift) => phantom(32, 32, 1, shift));
  const corrupted = clean.map(
    (c) => simulate(c, [{ artefact: 'noise', ranges: { sigma: 0.3 } }], rng).volume,
  );
  return { clean, corrupted };
}

// The training runs here take 1-2 minutes alone and several times that under parallel turbo
// load on two cores: 600 s per test.
describe('a tiny DUNCAN model (C = 8, R = 1) on 32x32 phantoms', () => {
  it('learns from unpaired clean and corrupted images until the corrected images beat the corrupted ones in SSIM', async () => {
    await useBackend('wasm');
    const { clean, corrupted } = noisyPhantoms();
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
        // The network's own output (no residual shrinkage): what training taught it.
        const { corrected } = await correct(model, corrupted[i]!, { shrinkage: 0 });
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
  }, 600_000);

  it('moves a residual corrector away from the identity with UNPAIRED_RECIPE, where the paper weights keep it there', async () => {
    await useBackend('wasm');
    const { clean, corrupted } = noisyPhantoms();
    // Mean |corrected - input| inside the phantoms after 40 unpaired steps.
    const change = async (recipe: boolean) => {
      const model = createModel(
        {
          channels: 8,
          residualBlocks: 1,
          residual: true,
          cropSize: 32,
          poolSize: 8,
          learningRate: 2e-3,
          decayStart: 1,
          ...(recipe ? UNPAIRED_RECIPE : {}),
        },
        { seed: 1 },
      );
      await train(model, { clean, corrupted }, { steps: 40, seed: 1, batchSize: 2 });
      let sum = 0;
      let n = 0;
      for (const x of corrupted) {
        const { corrected } = await correct(model, x, { shrinkage: 0 });
        for (let i = 0; i < x.data.length; i++) {
          sum += Math.abs(corrected.data[i]! - x.data[i]!);
          n++;
        }
      }
      model.dispose();
      return sum / n;
    };
    const paper = await change(false);
    const recipe = await change(true);
    console.log(`mean |change|: paper weights ${paper}, UNPAIRED_RECIPE ${recipe}`);
    expect(recipe).toBeGreaterThan(3 * paper);
  }, 600_000);
});
