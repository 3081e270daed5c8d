import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type { CheckpointManifest } from '@duncan-mri/core';
import { describe, expect, it } from 'vitest';
import { expectMriError, readJson, tempDir } from '../test/helpers.js';
import {
  CHECKPOINT_FILES,
  defaultModelDirectory,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint-files.js';
import { sha256Hex } from './internal/checkpoint-commit.js';

const manifest = {
  format: 'duncan-mri-checkpoint',
  formatVersion: 1,
} as unknown as CheckpointManifest;

describe('readCheckpoint / writeCheckpoint', () => {
  it('round-trips manifest and weights, atomically and without clobbering', () => {
    const dir = join(tempDir(), 'run');
    const weights = Uint8Array.from({ length: 64 }, (_, i) => i);
    writeCheckpoint(dir, { manifest, weights });
    const back = readCheckpoint(dir);
    // The stored manifest also records the weights' SHA-256 (readCheckpoint checks it).
    expect(back.manifest).toEqual({ ...manifest, weightsSha256: sha256Hex(weights) });
    expect([...back.weights]).toEqual([...weights]);
    expect(readdirSync(dir).sort()).toEqual([CHECKPOINT_FILES.manifest, CHECKPOINT_FILES.weights]);
    const e = (() => {
      try {
        writeCheckpoint(dir, { manifest, weights });
      } catch (error) {
        return error as { code: string };
      }
    })();
    expect(e?.code).toBe('IO_ERROR');
    writeCheckpoint(dir, { manifest, weights: weights.slice(0, 8) }, { overwrite: true });
    expect(readCheckpoint(dir).weights.length).toBe(8);
  });

  it('names the missing model (MODEL_NOT_FOUND) and refuses unparsable manifests', async () => {
    const dir = tempDir();
    const missing = await expectMriError(() => readCheckpoint(dir), {});
    expect(missing.code).toBe('IO_ERROR');
    expect(missing.message).toMatch(/MODEL_NOT_FOUND/);
    if (!existsSync(join(defaultModelDirectory(), CHECKPOINT_FILES.manifest))) {
      const bundled = await expectMriError(() => readCheckpoint(), {});
      expect(bundled.message).toMatch(/bundled default model is not installed .*--model <dir>/);
    }
    writeFileSync(join(dir, CHECKPOINT_FILES.manifest), '{ not json');
    writeFileSync(join(dir, CHECKPOINT_FILES.weights), new Uint8Array(4));
    expect((await expectMriError(() => readCheckpoint(dir), {})).code).toBe('CORRUPT_FILE');
    writeFileSync(join(dir, CHECKPOINT_FILES.manifest), '[1, 2]');
    expect((await expectMriError(() => readCheckpoint(dir), {})).code).toBe('CORRUPT_FILE');
    expect((await expectMriError(() => readCheckpoint(''), {})).code).toBe('INVALID_ARGUMENT');
    expect((await expectMriError(() => writeCheckpoint(dir, {} as never), {})).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('reads the bundled model from the @duncan-mri/model package', () => {
    const manifestPath = createRequire(import.meta.url).resolve('@duncan-mri/model/manifest.json');
    expect(defaultModelDirectory()).toBe(`${dirname(manifestPath)}${sep}`);
    expect(defaultModelDirectory()).toMatch(/packages[\\/]model[\\/]$/);
    expect(readCheckpoint().manifest).toEqual(readJson(manifestPath));
  });
});
