/**
 * brainMask and segmentTissues on a real T1 head: Colin27 at 2 mm with its brain-extracted twin
 * ch2bet (Debian mricron-data), against independent numpy/scipy/scikit-image implementations.
 * Fixtures: test/fixtures/segmentation/ (README there); values and provenance:
 * test/reference/segmentation.json; both made by tools/reference/segmentation_reference.py.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createVolume, type Volume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { brainMask, dice, segmentTissues } from '../src/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, 'fixtures', 'segmentation');

interface Header {
  readonly shape: [number, number, number];
  readonly affine: number[];
  readonly files: Record<string, string>;
}
interface Stats {
  readonly means: number[];
  readonly stds: number[];
  readonly proportions: number[];
  readonly rtol: number;
}
const header: Header = JSON.parse(readFileSync(join(FIXTURES, 'colin27-2mm.json'), 'utf8'));
const reference = JSON.parse(
  readFileSync(join(HERE, 'reference', 'segmentation.json'), 'utf8'),
) as {
  brainMask: { file: string; minDice: number; diceVsCh2bet: number };
  gmm: Stats;
  hmrf: Stats & { file: string; minDice: number };
};

function u8(key: string): Uint8Array {
  const file = header.files[key];
  if (!file) throw new Error(`no fixture ${key} in colin27-2mm.json`);
  return new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, file))));
}
function volume(data: ArrayLike<number>): Volume {
  return createVolume({ data, shape: header.shape, affine: header.affine });
}
function maskDice(a: Uint8Array, b: Uint8Array): number {
  return dice(volume(a), volume(b), { classes: 1 }).perClass[0]!;
}
function expectClose(actual: number[], expected: number[], rtol: number): void {
  actual.forEach((a, k) => {
    expect(
      Math.abs(a - expected[k]!),
      `class ${k + 1}: ${a} vs ${expected[k]}`,
    ).toBeLessThanOrEqual(rtol * Math.abs(expected[k]!));
  });
}

const t1 = volume(u8('ch2'));
const bet = u8('ch2betMask');

describe('Colin27 (2 mm) brain mask', () => {
  const mask = brainMask(t1);

  it('covers the brain and excludes most skull: Dice >= 0.9 against ch2bet', () => {
    expect(maskDice(mask, bet)).toBeGreaterThanOrEqual(0.9);
    let brain = 0;
    let covered = 0;
    let inMask = 0;
    let outside = 0;
    let head = 0;
    let headInMask = 0;
    for (let i = 0; i < mask.length; i++) {
      if (bet[i]) {
        brain++;
        if (mask[i]) covered++;
      } else if (t1.data[i]! > 49) {
        // non-brain head tissue (scalp, muscle, marrow, eyes) above the Otsu threshold
        head++;
        if (mask[i]) headInMask++;
      }
      if (mask[i]) {
        inMask++;
        if (!bet[i]) outside++;
      }
    }
    expect(covered / brain).toBeGreaterThanOrEqual(0.95);
    expect(outside / inMask).toBeLessThanOrEqual(0.06);
    expect(headInMask / head).toBeLessThanOrEqual(0.1);
  });

  it('matches the scipy/scikit-image implementation of the same method (Dice >= 0.99)', () => {
    expect(maskDice(mask, u8('ch2BrainMaskScipy'))).toBeGreaterThanOrEqual(
      reference.brainMask.minDice,
    );
  });

  it('also works on the skull-stripped ch2bet (Dice >= 0.9 against its own mask)', () => {
    expect(maskDice(brainMask(volume(u8('ch2bet'))), bet)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('Colin27 (2 mm) tissue segmentation inside the ch2bet mask', () => {
  /** Three classes inside ch2bet, run to `tolerance` (the reference ran to convergence too). */
  const segmentInBet = (beta: number, tolerance: number) =>
    segmentTissues(t1, { classes: 3, mask: bet, beta, tolerance, maxIterations: 1000 });

  it('beta = 0 (Gaussian mixture by EM) equals the numpy EM', () => {
    const r = segmentInBet(0, 1e-6);
    expect(r.converged).toBe(true);
    expectClose(r.means, reference.gmm.means, reference.gmm.rtol);
    expectClose(r.stds, reference.gmm.stds, reference.gmm.rtol);
    expectClose(r.proportions, reference.gmm.proportions, reference.gmm.rtol);
  });

  it('beta = 0.3 (mean-field HMRF) agrees with the numpy HMRF-EM (Dice >= 0.99 per class)', () => {
    const r = segmentInBet(0.3, 1e-5);
    expectClose(r.means, reference.hmrf.means, reference.hmrf.rtol);
    expectClose(r.stds, reference.hmrf.stds, reference.hmrf.rtol);
    const truth = volume(u8('ch2HmrfLabels'));
    for (const d of dice(truth, r.labels, { classes: 3 }).perClass) {
      expect(d).toBeGreaterThanOrEqual(reference.hmrf.minDice);
    }
  });

  it('with default options and the automatic mask, orders CSF < GM < WM like the reference', () => {
    const r = segmentTissues(t1, { classes: 3 });
    const ref = reference.hmrf.means;
    for (let k = 0; k < 3; k++) expect(Math.abs(r.means[k]! - ref[k]!)).toBeLessThan(10);
    const { perClass } = dice(volume(u8('ch2HmrfLabels')), r.labels, { classes: 3, mask: bet });
    expect(perClass[1]).toBeGreaterThan(0.8);
    expect(perClass[2]).toBeGreaterThan(0.8);
  });
});
