// The bundled default model was trained with the PyTorch implementation of the network
// (tools/reference/train_default_model.py, model/README.md). tfjs must give the same output with
// those weights: the corrector's output on a fixed image, against PyTorch's.
// Regenerate: /usr/bin/python3 tools/reference/core_parity_reference.py \
//   --checkpoint packages/model --input-size 64 --out packages/node/test/fixtures/model-parity.json
import { readFileSync } from 'node:fs';
import { correct, loadCheckpoint } from '@duncan-mri/core';
import { createVolume } from '@duncan-mri/volume';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/checkpoint-files.js';
import { useNodeBackend } from '../src/use-node-backend.js';

interface Reference {
  readonly input: { readonly height: number; readonly width: number; readonly data: number[] };
  readonly corrected: number[];
}

const reference = JSON.parse(
  readFileSync(new URL('./fixtures/model-parity.json', import.meta.url), 'utf8'),
) as Reference;

describe('the bundled default model', () => {
  beforeAll(async () => {
    await useNodeBackend({ prefer: 'wasm', env: {} });
  });

  it('gives the output of PyTorch with the same weights, to 1e-4', async () => {
    const model = await loadCheckpoint(readCheckpoint());
    const { height, width, data } = reference.input;
    // A one-slice volume, [x = width, y = height], with the identity intensity mapping
    // (0 -> 0, 1 -> 1), no clipping, no residual shrinkage and one forward pass (flips: false;
    // the fixture is PyTorch's single pass, not the mirror average): the network's output itself.
    const volume = createVolume({ data: Float32Array.from(data), shape: [width, height, 1] });
    const { corrected } = await correct(model, volume, {
      intensityRange: { low: 0, high: 1 },
      clip: false,
      flips: false,
      shrinkage: 0,
    });
    let worst = 0;
    for (let i = 0; i < corrected.data.length; i++) {
      worst = Math.max(worst, Math.abs(corrected.data[i]! - reference.corrected[i]!));
    }
    expect(worst).toBeLessThan(1e-4);
    // The model changes the image (it is not the identity), so the check is not vacuous.
    let changed = 0;
    for (let i = 0; i < data.length; i++)
      changed = Math.max(changed, Math.abs(corrected.data[i]! - data[i]!));
    expect(changed).toBeGreaterThan(1e-3);
    model.dispose();
  });
});
