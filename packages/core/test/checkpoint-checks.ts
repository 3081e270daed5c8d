import { expectMriError } from '@duncan-mri/test-helpers';
import type { Checkpoint } from '../src/checkpoint.js';

/**
 * Expects `read` to refuse what every reader of a checkpoint refuses: a manifest claiming 8
 * channels for weights of another size (`SHAPE_MISMATCH`), another architecture
 * (`UNSUPPORTED_FORMAT`) and weights four bytes short (`CORRUPT_FILE`).
 */
export async function expectCheckpointChecks(
  read: (checkpoint: Checkpoint) => unknown,
  { manifest, weights }: Checkpoint,
): Promise<void> {
  await expectMriError(
    () => read({ manifest: { ...manifest, config: { ...manifest.config, channels: 8 } }, weights }),
    'SHAPE_MISMATCH',
  );
  await expectMriError(
    () => read({ manifest: { ...manifest, architecture: 'unet' as never }, weights }),
    'UNSUPPORTED_FORMAT',
  );
  await expectMriError(
    () => read({ manifest, weights: weights.slice(0, weights.byteLength - 4) }),
    'CORRUPT_FILE',
  );
}
