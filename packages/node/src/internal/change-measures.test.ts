import { affineFromSpacing, createVolume, type Volume, withData } from '@duncan-mri/volume';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeMeasures } from './change-measures.js';

/** A bright disc (a "head") on a dark background, with a gentle ramp, nz slices of n x n. */
function head(n = 32, nz = 3): Volume {
  const data = new Float32Array(n * n * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        const r = Math.hypot(x - n / 2, y - n / 2);
        data[x + n * (y + n * z)] = r < n / 3 ? 100 + x + 10 * z : 0;
      }
  return createVolume({ data, shape: [n, n, nz], affine: affineFromSpacing([1, 1, 2]) });
}

const minus = (a: Volume, b: Volume) =>
  withData(
    a,
    a.data.map((v, i) => v - b.data[i]!),
  );

describe('changeMeasures', () => {
  it('is zero change (and SSIM 1) when the corrector returns its input', () => {
    const v = head();
    const m = changeMeasures(v, v, minus(v, v));
    expect(m.meanAbsChange).toBe(0);
    expect(m.maxSliceMeanAbsChange).toBe(0);
    expect(m.artefactMean).toBe(0);
    expect(m.ssimToInput).toBeCloseTo(1, 10);
    expect(m.headVoxels).toBeGreaterThan(0);
    expect(m.robustRange).toBeGreaterThan(0);
  });

  it('an offset inside the head is the offset over the robust range, signed in the artefact map', () => {
    const v = head();
    const dimmer = withData(
      v,
      v.data.map((x) => (x > 0 ? x - 5 : x)),
    );
    const m = changeMeasures(v, dimmer, minus(v, dimmer));
    expect(m.meanAbsChange).toBeCloseTo(5 / m.robustRange!, 6);
    expect(m.artefactMean).toBeCloseTo(5 / m.robustRange!, 6);
    const brighter = withData(
      v,
      v.data.map((x) => (x > 0 ? x + 5 : x)),
    );
    expect(changeMeasures(v, brighter, minus(v, brighter)).artefactMean).toBeCloseTo(
      -5 / m.robustRange!,
      6,
    );
  });

  it('the largest slice change shows one rewritten slice', () => {
    const v = head(32, 4);
    const plane = 32 * 32;
    const one = withData(
      v,
      v.data.map((x, i) => (i >= 2 * plane && i < 3 * plane && x > 0 ? x + 20 : x)),
    );
    const m = changeMeasures(v, one, minus(v, one));
    expect(m.maxSliceMeanAbsChange).toBeGreaterThan(3 * m.meanAbsChange!);
  });

  it('does not depend on the intensity scale (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        (scale, shift) => {
          const v = head(24, 2);
          const c = withData(
            v,
            v.data.map((x, i) => x + (x > 0 ? shift + (i % 7) : 0)),
          );
          const a = changeMeasures(v, c, minus(v, c));
          const sv = withData(
            v,
            v.data.map((x) => x * scale),
          );
          const sc = withData(
            c,
            c.data.map((x) => x * scale),
          );
          const b = changeMeasures(sv, sc, minus(sv, sc));
          expect(b.meanAbsChange).toBeCloseTo(a.meanAbsChange!, 4);
          expect(b.artefactMean).toBeCloseTo(a.artefactMean!, 4);
          expect(b.headVoxels).toBe(a.headVoxels);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('leaves out voxels that are not finite in the outputs', () => {
    const v = head();
    const c = withData(
      v,
      v.data.map((x, i) => (i === 16 + 32 * 16 ? Number.NaN : x)),
    );
    const m = changeMeasures(v, c, minus(v, c));
    expect(m.meanAbsChange).toBe(0);
    expect(m.headVoxels).toBe(changeMeasures(v, v, minus(v, v)).headVoxels - 1);
  });

  it('takes a non-finite input voxel as the 0 the network saw (NaN in both outputs)', () => {
    const v = head();
    const at = 16 + 32 * 16;
    const input = withData(
      v,
      v.data.map((x, i) => (i === at ? Number.NaN : x)),
    );
    const seen = withData(
      v,
      v.data.map((x, i) => (i === at ? 0 : x)),
    );
    const corrected = withData(
      v,
      v.data.map((x, i) => (i === at ? Number.NaN : x * 0.9)),
    );
    const nan = withData(
      v,
      v.data.map((x, i) => (i === at ? Number.NaN : x - x * 0.9)),
    );
    expect(changeMeasures(input, corrected, nan)).toEqual(changeMeasures(seen, corrected, nan));
  });

  it('says why a measure is null', () => {
    const zero = createVolume({
      data: new Float32Array(16 * 16),
      shape: [16, 16, 1],
      affine: affineFromSpacing([1, 1, 1]),
    });
    const none = changeMeasures(zero, zero, zero);
    expect(none).toMatchObject({ headVoxels: 0, meanAbsChange: null, ssimToInput: null });
    expect(none.note).toMatch(/no head found/);
    const flat = withData(zero, new Float32Array(256).fill(7));
    expect(changeMeasures(flat, flat, zero)).toMatchObject({
      robustRange: 0,
      meanAbsChange: null,
      note: expect.stringMatching(/constant/),
    });
    const small = head(9, 2);
    const m = changeMeasures(small, small, minus(small, small));
    expect(m.meanAbsChange).toBe(0);
    expect(m.ssimToInput).toBeNull();
    expect(m.note).toMatch(/too small for SSIM/);
  });
});
