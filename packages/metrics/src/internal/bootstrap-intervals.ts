import { type Rng, validateNumber } from '@duncan-mri/volume';
import { percentileOfSorted } from './percentile.js';

/** The settings of a bootstrap, as `pairedBootstrap` and `summariseCorrection` take them. */
export interface BootstrapSettings {
  readonly seed: number;
  readonly resamples: number;
  readonly confidence: number;
}

/**
 * Reads `seed`, `resamples` (default 2000) and `confidence` (default 0.95) from a validated
 * options object; `seedFallback` makes the seed optional.
 */
export function validateBootstrapSettings(
  where: string,
  options: Record<string, unknown>,
  seedFallback?: number,
): BootstrapSettings {
  const seed = validateNumber(
    where,
    'seed',
    options.seed,
    { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER },
    seedFallback,
  );
  const resamples = validateNumber(
    where,
    'resamples',
    options.resamples,
    { integer: true, min: 1, max: 1_000_000 },
    2000,
  );
  const confidence = validateNumber(
    where,
    'confidence',
    options.confidence,
    { min: 0, max: 1, minExclusive: true, maxExclusive: true },
    0.95,
  );
  return { seed, resamples, confidence };
}

/** A mean with a percentile-bootstrap confidence interval; `low`/`high` null when undefined. */
export interface BootstrapInterval {
  readonly mean: number;
  readonly low: number | null;
  readonly high: number | null;
}

/**
 * Percentile-bootstrap intervals of the means of several samples of the same length `n`,
 * resampled TOGETHER: each of the `resamples` draws picks `n` indices with replacement
 * (`rng.int(n)`, in order) and every sample's mean is taken over those indices. One sample
 * alone gives exactly what `pairedBootstrap` gives with the same generator. The interval is
 * the `(1 - confidence) / 2` and `(1 + confidence) / 2` percentiles (numpy's linear rule) of
 * the resampled means. A sample holding a non-finite value gets its plain mean (possibly
 * +-Infinity or NaN) and a null interval; it still consumes no draws of its own.
 */
export function bootstrapIntervals(
  samples: readonly Float64Array[],
  resamples: number,
  confidence: number,
  rng: Rng,
): BootstrapInterval[] {
  const n = samples[0]?.length ?? 0;
  const means = samples.map((s) => s.reduce((a, b) => a + b, 0) / n);
  const finite = samples.map((s) => s.every((v) => Number.isFinite(v)));
  const live = samples.filter((_, k) => finite[k]);
  const draws = live.map(() => new Float64Array(resamples));
  const sums = new Float64Array(live.length);
  for (let r = 0; live.length > 0 && r < resamples; r++) {
    sums.fill(0);
    for (let k = 0; k < n; k++) {
      const index = rng.int(n);
      for (let s = 0; s < live.length; s++) sums[s]! += live[s]![index]!;
    }
    for (let s = 0; s < live.length; s++) draws[s]![r] = sums[s]! / n;
  }
  const tail = ((1 - confidence) / 2) * 100;
  let next = 0;
  return samples.map((_, k) => {
    if (!finite[k]) return { mean: means[k]!, low: null, high: null };
    const sorted = draws[next++]!.sort();
    return {
      mean: means[k]!,
      low: percentileOfSorted(sorted, tail),
      high: percentileOfSorted(sorted, 100 - tail),
    };
  });
}
