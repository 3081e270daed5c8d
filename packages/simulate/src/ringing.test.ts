import { describe, expect, it } from 'vitest';
import { phantom } from '../test/helpers.js';
import { forwardKspace } from './internal/kspace.js';
import { ringing } from './ringing.js';

describe('ringing', () => {
  const image = phantom(48, 40);

  it('removes energy (Parseval) and more so for a smaller keepFraction', () => {
    const energy = (d: Float32Array) => d.reduce((a, v) => a + v * v, 0);
    const e = [0.8, 0.5, 0.2].map((keepFraction) => energy(ringing(image, { keepFraction }).data));
    expect(e[0]!).toBeLessThan(energy(image.data));
    expect(e[1]!).toBeLessThan(e[0]!);
    expect(e[2]!).toBeLessThan(e[1]!);
  });

  it('only truncates the chosen axes', () => {
    // A row-constant image has no frequency along x, so truncating x changes nothing.
    const data = new Float32Array(48 * 40);
    for (let y = 0; y < 40; y++) data.fill(y < 20 ? 100 : 20, 48 * y, 48 * (y + 1));
    const rows = { ...image, data };
    const out = ringing(rows, { keepFraction: 0.3, axes: [0] });
    for (let i = 0; i < data.length; i++) expect(out.data[i]!).toBeCloseTo(data[i]!, 3);
    const both = ringing(rows, { keepFraction: 0.3 });
    expect(Math.abs(both.data[5 + 48 * 17]! - 100)).toBeGreaterThan(1);
  });

  it('keeps the low frequencies exactly', () => {
    const out = ringing(image, { keepFraction: 0.5 });
    const a = forwardKspace(image.data, image.shape);
    const b = forwardKspace(out.data, out.shape);
    // The DC term is kept (the magnitude can only add a little where the real part went negative).
    expect(b.re[0]!).toBeGreaterThanOrEqual(a.re[0]! * (1 - 1e-6));
  });
});
