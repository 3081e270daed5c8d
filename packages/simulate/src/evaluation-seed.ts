import { invalidArgument, validateNumber } from '@duncan-mri/volume';
import { SEVERITIES, type Severity } from './presets.js';

const WHERE = 'evaluationSeed';

/**
 * The seed of one corrupted version of an evaluation image: step `step` (from 0) of an
 * evaluation recipe at `severity` is drawn from `createRng(evaluationSeed(seed, step, severity))`
 * `= seed + 1000 + 10 step + j`, with `j` 0, 1, 2 for mild, moderate, severe and 9 for a
 * `'custom'` step (one that gives its own `ranges` or `params`). The default model's held-out
 * evaluation images (motion, ghosting, noise at every severity, seed 2026) and `duncan evaluate
 * --simulate` both use this rule, so the command reproduces those images exactly: each version
 * has its own generator, independent of the others and of the order they are made in.
 *
 * @throws `MriError` `INVALID_ARGUMENT` for a seed or step that is not a whole number of 0 or
 *   more, or an unknown severity.
 *
 * @example
 * ```ts
 * const rng = createRng(evaluationSeed(2026, 0, 'severe')); // 3028: the first step, severe
 * const { volume } = simulateSlices(clean, [{ artefact: 'motion', severity: 'severe' }], rng);
 * ```
 */
export function evaluationSeed(seed: number, step: number, severity: Severity | 'custom'): number {
  validateNumber(WHERE, 'seed', seed, { integer: true, min: 0 });
  validateNumber(WHERE, 'step', step, { integer: true, min: 0 });
  const j = severity === 'custom' ? 9 : SEVERITIES.indexOf(severity);
  if (j < 0) {
    invalidArgument(
      WHERE,
      'severity',
      `must be one of ${[...SEVERITIES, 'custom'].join(', ')}`,
      severity,
    );
  }
  return seed + 1000 + 10 * step + j;
}
