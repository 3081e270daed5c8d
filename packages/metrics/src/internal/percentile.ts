/**
 * The `p`-th percentile (`p` in 0..100) of `data` with numpy's default rule (`np.percentile`,
 * linear interpolation between the order statistics at `p / 100 * (n - 1)`). Sorts a copy;
 * `data` must be non-empty and finite.
 */
export function percentile(data: Float32Array | Float64Array, p: number): number {
  const sorted = Float64Array.from(data).sort();
  return percentileOfSorted(sorted, p);
}

/** {@link percentile} of values already sorted in increasing order. */
export function percentileOfSorted(sorted: Float64Array, p: number): number {
  const position = (p / 100) * (sorted.length - 1);
  const i = Math.floor(position);
  const fraction = position - i;
  const a = sorted[i]!;
  if (fraction === 0) return a;
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return a + (b - a) * fraction;
}
