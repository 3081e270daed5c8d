import type { Rng } from '@duncan-mri/volume';
import { invalidArgument, type NumberRule } from '@duncan-mri/volume';
import { type FieldReader, fieldReader } from './validate.js';

/** A uniform draw in `[low, high]`; exactly `low` when the range is a single value. */
export function drawUniform(rng: Rng, range: readonly [number, number]): number {
  const [low, high] = range;
  return low === high ? low : low + (high - low) * rng.float();
}

/** A uniform integer in `[low, high]` (inclusive). */
export function drawInteger(rng: Rng, range: readonly [number, number]): number {
  const [low, high] = range;
  return low === high ? low : low + rng.int(high - low + 1);
}

/** A seed for an artefact's own generator (noise, drift, bias field). */
export function drawSeed(rng: Rng): number {
  return rng.nextUint32();
}

/** Checks that `rng` looks like an Rng from `createRng`. */
export function validateRng(where: string, rng: unknown): Rng {
  const r = rng as Partial<Rng> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.float !== 'function' ||
    typeof r.int !== 'function' ||
    typeof r.nextUint32 !== 'function' ||
    typeof r.normal !== 'function'
  ) {
    invalidArgument(where, 'rng', 'must be an Rng (createRng from @duncan-mri/volume)', rng);
  }
  return rng as Rng;
}

/**
 * Checks the arguments of a sampler (`rng`, then the `ranges` object) and reads its ranges, each
 * checked against its entry of `rules`.
 */
export function readRanges<K extends string>(
  where: string,
  rng: unknown,
  ranges: unknown,
  rules: Readonly<Record<K, NumberRule>>,
): FieldReader<K> {
  validateRng(where, rng);
  return fieldReader(where, 'ranges', ranges, rules);
}
