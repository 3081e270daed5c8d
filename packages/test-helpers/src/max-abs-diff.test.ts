import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from './max-abs-diff.js';

describe('maxAbsDiff', () => {
  it('is the largest absolute difference, and refuses arrays of different lengths', () => {
    expect(maxAbsDiff([1, 2, 3], new Float32Array([1, 4.5, 2]))).toBe(2.5);
    expect(maxAbsDiff([], [])).toBe(0);
    expect(() => maxAbsDiff([1], [1, 2])).toThrow();
  });
});
