/**
 * headMask on a real T1 head: Colin27 at 2 mm (Debian mricron-data; see
 * test/fixtures/segmentation/README.md) with its brain-extracted twin ch2bet. No reference
 * implementation defines this heuristic, so the checks are properties: the mask holds the whole
 * brain, one solid piece per slice, and outside it there is only dark air.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createVolume } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { headMask } from '../src/index.js';
import { fillHoles, largestComponent } from '../src/internal/morphology.js';
import { percentile } from '../src/internal/percentile.js';
import { sameBytes } from '../src/internal/test-helpers.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'segmentation');
const header = JSON.parse(readFileSync(join(FIXTURES, 'colin27-2mm.json'), 'utf8')) as {
  shape: [number, number, number];
  affine: number[];
  files: Record<string, string>;
};
const u8 = (key: string) =>
  new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, header.files[key]!))));

describe('Colin27 (2 mm) head mask', () => {
  const t1 = createVolume({ data: u8('ch2'), shape: header.shape, affine: header.affine });
  const bet = u8('ch2betMask');
  const mask = headMask(t1);
  const [nx, ny, nz] = header.shape;
  const plane = nx * ny;

  it('holds every brain voxel of ch2bet and is larger than the brain by the scalp and skull', () => {
    let brain = 0;
    let covered = 0;
    let voxels = 0;
    for (let i = 0; i < mask.length; i++) {
      voxels += mask[i]!;
      if (bet[i]) {
        brain++;
        covered += mask[i]!;
      }
    }
    expect(covered).toBe(brain);
    expect(voxels / brain).toBeGreaterThan(1.5);
    expect(voxels / brain).toBeLessThan(4);
  });

  it('is one solid piece per slice; outside it only dark air', () => {
    const grid = [nx, ny, 1] as const;
    let slices = 0;
    for (let z = 0; z < nz; z++) {
      const slice = mask.slice(z * plane, (z + 1) * plane);
      if (slice.every((m) => m === 0)) continue;
      slices++;
      expect(sameBytes(largestComponent(slice, grid), slice)).toBe(true);
      expect(sameBytes(fillHoles(slice, grid), slice)).toBe(true);
    }
    expect(slices).toBeGreaterThan(80);
    const threshold = 0.1 * percentile(t1.data, 99.5);
    let outside = 0;
    let brightOutside = 0;
    let bright = 0;
    for (let i = 0; i < mask.length; i++) {
      const above = t1.data[i]! > threshold;
      if (above) bright++;
      if (!mask[i]) {
        outside++;
        if (above) brightOutside++;
      }
    }
    expect(outside).toBeGreaterThan(0.3 * mask.length);
    expect(brightOutside / bright).toBeLessThan(0.01);
  });
});
