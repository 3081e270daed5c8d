import { invalidArgument } from '@duncan-mri/volume';

/**
 * Pair indices a source must accept: `[0, 2^21)`, the range of `createTrainingPairs` of
 * @duncan-mri/simulate.
 */
export const PAIR_INDEX_RANGE = 2 ** 21;

/** What a pair source returns for one index (structurally, `TrainingPair` of @duncan-mri/simulate). */
export interface PairImages {
  readonly clean: Float32Array;
  readonly corrupted: Float32Array;
  readonly mask: Uint8Array;
}

/** A random-access pair source (structurally, `TrainingPairSource` of @duncan-mri/simulate). */
export interface PairSource {
  readonly size: number;
  pair(index: number): PairImages;
}

/** Row-major images of one batch: corrupted, clean and the head masks as 0/1 floats. */
export interface PairBatch {
  readonly corrupted: Float32Array[];
  readonly clean: Float32Array[];
  readonly mask: Float32Array[];
}

/**
 * The pairs of a paired training step: pair indices `step * batchSize` to
 * `step * batchSize + batchSize - 1`, so that a resumed run reads exactly the pairs of the
 * uninterrupted one (tools/reference/train_default_model.py reads the same indices).
 */
export function pairIndices(step: number, batchSize: number): number[] {
  return Array.from({ length: batchSize }, (_, k) => step * batchSize + k);
}

/**
 * The pair whose clean image a semi-supervised step uses as the unpaired clean image beside
 * pair `index`'s corrupted one: `(index + 2^20) mod 2^21`, half the index range away, so that no
 * pair of a run shorter than 2^20 images meets its own partner.
 */
export function semiPartner(index: number): number {
  return (index + PAIR_INDEX_RANGE / 2) % PAIR_INDEX_RANGE;
}

/** Reads and checks the pairs `indices` of `source` (images of `size` x `size`). */
export function readPairs(
  where: string,
  source: PairSource,
  indices: readonly number[],
  size: number,
): PairBatch {
  const batch: PairBatch = { corrupted: [], clean: [], mask: [] };
  for (const index of indices) {
    const p = source.pair(index) as unknown;
    const argument = `data.pair(${index})`;
    if (typeof p !== 'object' || p === null)
      invalidArgument(where, argument, 'must return an object', p);
    const { clean, corrupted, mask } = p as Record<string, unknown>;
    batch.clean.push(image(where, `${argument}.clean`, clean, size));
    batch.corrupted.push(image(where, `${argument}.corrupted`, corrupted, size));
    if (!(mask instanceof Uint8Array) || mask.length !== size * size) {
      invalidArgument(
        where,
        `${argument}.mask`,
        `must be a Uint8Array of ${size * size} values`,
        mask,
      );
    }
    batch.mask.push(Float32Array.from(mask, (v) => (v !== 0 ? 1 : 0)));
  }
  return batch;
}

function image(where: string, argument: string, value: unknown, size: number): Float32Array {
  if (!(value instanceof Float32Array) || value.length !== size * size) {
    invalidArgument(where, argument, `must be a Float32Array of ${size * size} values`, value);
  }
  for (const x of value) {
    if (!Number.isFinite(x)) invalidArgument(where, argument, 'must be finite', x);
  }
  return value;
}
