/**
 * Every metric against its independent reference (scikit-image 0.19.3, and numpy
 * transcriptions of the authors' MATLAB code for MS-SSIM, VIFp and UQI), on real MRI
 * (Colin27, an ITK-examples T1) and synthetic edge cases. The values and their provenance
 * are in test/reference/metrics.json, made by tools/reference/metrics_reference.py.
 * Tolerances are those stored with each value: 1e-6 relative for SSIM, UQI and PSNR, 1e-5 for
 * MS-SSIM and VIF (plus an absolute 1e-12 for values that can be 0).
 */
import { isMriError } from '@duncan-mri/volume';
import { describe, expect, it } from 'vitest';
import { compareImages, multiScaleSsim, psnr, ssim, uqi, vif } from '../src/index.js';
import { closeTo, type Expected, image, loadFloat32, mask, reference } from './load-fixtures.js';

type Metric = (c: {
  ref: ReturnType<typeof image>;
  test: ReturnType<typeof image>;
  dataRange: number;
  mask?: Uint8Array;
}) => number;

const METRICS: Record<string, Metric> = {
  ssim: ({ ref, test, dataRange }) => ssim(ref, test, { dataRange }),
  ssimMasked: ({ ref, test, dataRange, mask: m }) => ssim(ref, test, { dataRange, mask: m! }),
  ssimSlicewise: ({ ref, test, dataRange }) => ssim(ref, test, { dataRange, slicewise: true }),
  msssim: ({ ref, test, dataRange }) => multiScaleSsim(ref, test, { dataRange }),
  vif: ({ ref, test, dataRange }) => vif(ref, test, { dataRange }),
  uqi: ({ ref, test }) => uqi(ref, test),
  uqiMasked: ({ ref, test, mask: m }) => uqi(ref, test, { mask: m! }),
  psnr: ({ ref, test, dataRange }) => psnr(ref, test, { dataRange }),
  psnrMasked: ({ ref, test, dataRange, mask: m }) => psnr(ref, test, { dataRange, mask: m! }),
};

const rows: [string, string, Expected][] = reference.cases.flatMap((c) =>
  Object.entries(c.expected).map(
    ([metric, expected]) => [c.id, metric, expected] as [string, string, Expected],
  ),
);

describe('metrics equal their independent references', () => {
  it('covers every metric and the masked, slice-wise and error variants', () => {
    const metrics = new Set(rows.map(([, metric]) => metric));
    for (const name of Object.keys(METRICS)) expect(metrics.has(name), name).toBe(true);
    expect(rows.some(([, , e]) => e.error === 'too small')).toBe(true);
    expect(rows.length).toBeGreaterThan(60);
  });

  it.each(rows)('%s: %s', (id, metric, expected) => {
    const c = reference.cases.find((x) => x.id === id)!;
    const compute = METRICS[metric];
    expect(compute, `no implementation mapped for ${metric}`).toBeDefined();
    const args = {
      ref: image(c.reference),
      test: image(c.test),
      dataRange: c.dataRange,
      ...(expected.mask ? { mask: mask(expected.mask) } : {}),
    };
    if (expected.error !== undefined) {
      let error: unknown;
      try {
        compute!(args);
      } catch (e) {
        error = e;
      }
      expect(isMriError(error), `${metric} should refuse: ${expected.error}`).toBe(true);
      expect((error as { code: string }).code).toBe('INVALID_ARGUMENT');
      expect((error as Error).message).toMatch(/at least/);
      return;
    }
    const { ok, detail } = closeTo(compute!(args), expected);
    expect(ok, `${id} ${metric}: ${detail} [${expected.tool}: ${expected.call}]`).toBe(true);
  });
});

describe('SSIM maps equal scikit-image full=True maps', () => {
  const withMaps = reference.cases.filter((c) => c.ssimMap);
  it('has a 2-D and a 3-D map', () => {
    expect(withMaps.map((c) => c.ssimMap!.shape.length).sort()).toEqual([2, 3]);
  });
  it.each(withMaps.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const expected = loadFloat32(c.ssimMap!.file, c.ssimMap!.shape);
    const { map } = ssim(image(c.reference), image(c.test), { dataRange: c.dataRange, map: true });
    expect(map.shape).toEqual(expected.shape);
    let worst = 0;
    for (let i = 0; i < map.data.length; i++)
      worst = Math.max(worst, Math.abs(map.data[i]! - expected.data[i]!));
    // Both maps are stored as float32: 1e-6 absolute covers float32 rounding of values <= 1.
    expect(worst).toBeLessThanOrEqual(c.ssimMap!.atol);
  });
});

describe('compareImages equals the single-metric functions', () => {
  it.each(reference.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const ref = image(c.reference);
    const test = image(c.test);
    const all = compareImages(ref, test, { dataRange: c.dataRange });
    const check = (metric: string, actual: number | null) => {
      const expected = c.expected[metric]!;
      if (expected.error !== undefined) {
        expect(actual, metric).toBeNull();
        return;
      }
      const { ok, detail } = closeTo(actual!, expected);
      expect(ok, `${metric}: ${detail}`).toBe(true);
    };
    check('ssim', all.ssim);
    check('msssim', all.msssim);
    check('vif', all.vif);
    check('uqi', all.uqi);
    check('psnr', all.psnr);
    const masked = Object.values(c.expected).find((e) => e.mask)?.mask;
    if (masked) {
      const m = mask(masked);
      const inMask = compareImages(ref, test, { dataRange: c.dataRange, mask: m });
      if (c.expected.ssimMasked) expect(closeTo(inMask.ssim, c.expected.ssimMasked).ok).toBe(true);
      if (c.expected.uqiMasked) expect(closeTo(inMask.uqi, c.expected.uqiMasked).ok).toBe(true);
      if (c.expected.psnrMasked) expect(closeTo(inMask.psnr, c.expected.psnrMasked).ok).toBe(true);
    }
  });
});
