import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '@duncan-mri/core';
import { describe, expect, it } from 'vitest';
import { expectMriError, readJson, tempDir } from '../../test/helpers.js';
import { CHECKPOINT_FILES, readCheckpoint, writeCheckpoint } from '../checkpoint-files.js';
import { useNodeBackend } from '../use-node-backend.js';
import { commitCheckpoint, sha256Hex } from './checkpoint-commit.js';

const REPOSITORY = fileURLToPath(new URL('../../../../', import.meta.url));

/** A checkpoint-shaped pair: the step in the manifest, 256 bytes of weights seeded by it. */
function pair(step: number) {
  const weights = Uint8Array.from({ length: 256 }, (_, i) => (i * 7 + step * 13) % 256);
  const manifest = {
    format: 'duncan-mri-checkpoint',
    formatVersion: 1,
    optimiser: { generatorStep: step, discriminatorStep: step },
    byteLength: weights.length,
  };
  return { manifest, weights };
}

/** Which of the pairs a directory reads as (readCheckpoint must succeed). */
function readsAs(dir: string): number {
  const { manifest, weights } = readCheckpoint(dir);
  const step = (manifest as unknown as { optimiser: { generatorStep: number } }).optimiser
    .generatorStep;
  const expected = pair(step);
  expect({ ...manifest, weightsSha256: undefined }).toEqual({
    ...expected.manifest,
    weightsSha256: undefined,
  });
  expect([...weights]).toEqual([...expected.weights]);
  return step;
}

function copyDirectory(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
}

describe('commitCheckpoint', () => {
  it('a kill at any step leaves the old or the new checkpoint readable, in that order', () => {
    const root = tempDir();
    const dir = join(root, 'run');
    writeCheckpoint(dir, pair(1) as never);
    const seen: number[] = [readsAs(dir)];
    const { manifest, weights } = pair(2);
    commitCheckpoint(dir, manifest, weights, (step) => {
      // The directory as a kill now would leave it, plus a half-written temporary file (a kill
      // inside the next write).
      const snapshot = join(root, `after-${step}`);
      copyDirectory(dir, snapshot);
      writeFileSync(join(snapshot, `${CHECKPOINT_FILES.manifest}.tmp-999999-0123abcd`), '{"form');
      seen.push(readsAs(snapshot));
    });
    seen.push(readsAs(dir));
    expect(seen).toEqual([1, 1, 2, 2, 2, 2]);
    expect(readdirSync(dir).sort()).toEqual([CHECKPOINT_FILES.manifest, CHECKPOINT_FILES.weights]);
    const stored = readJson(join(dir, CHECKPOINT_FILES.manifest));
    expect(stored.weightsSha256).toBe(sha256Hex(weights));
    expect(stored.weightsFile).toBeUndefined();
  });

  it('removes what killed saves left: staged weights and temporary files of ended processes', () => {
    const dir = tempDir();
    const ended = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout,
    );
    const left = [
      'weights-0123456789abcdef.bin',
      `weights.bin.tmp-${ended}-0badc0de`,
      `manifest.json.tmp-${ended}-0badc0de`,
    ];
    const kept = [`weights.bin.tmp-${process.pid}-0badc0de`, 'losses.csv', 'weights-old.bin'];
    for (const name of [...left, ...kept]) writeFileSync(join(dir, name), 'x');
    const { manifest, weights } = pair(3);
    commitCheckpoint(dir, manifest, weights);
    expect(readdirSync(dir).sort()).toEqual(
      [...kept, CHECKPOINT_FILES.manifest, CHECKPOINT_FILES.weights].sort(),
    );
  });
});

describe('readCheckpoint of pairs that do not belong together', () => {
  it('detects weights of another save (same size, other content) with CORRUPT_FILE', async () => {
    const root = tempDir();
    writeCheckpoint(join(root, 'a'), pair(1) as never);
    writeCheckpoint(join(root, 'b'), pair(2) as never);
    // What the renames one after the other of earlier versions left after a kill between them:
    // the new weights beside the old manifest.
    copyFileSync(
      join(root, 'b', CHECKPOINT_FILES.weights),
      join(root, 'a', CHECKPOINT_FILES.weights),
    );
    const e = await expectMriError(() => readCheckpoint(join(root, 'a')), {});
    expect(e.code).toBe('CORRUPT_FILE');
    expect(e.message).toMatch(
      /weights\.bin must have the SHA-256 that manifest\.json records .* the two files come from different saves/,
    );
  });

  it('refuses a weightsFile that is not a staged weights name, and a malformed hash', async () => {
    const dir = tempDir();
    writeCheckpoint(dir, pair(1) as never);
    const path = join(dir, CHECKPOINT_FILES.manifest);
    const stored = readJson(path);
    writeFileSync(path, JSON.stringify({ ...stored, weightsFile: '../../etc/passwd' }));
    expect((await expectMriError(() => readCheckpoint(dir), {})).message).toMatch(
      /weightsFile must be weights-<16 hex digits>\.bin/,
    );
    writeFileSync(path, JSON.stringify({ ...stored, weightsSha256: 'abc' }));
    expect((await expectMriError(() => readCheckpoint(dir), {})).message).toMatch(
      /weightsSha256 must be 64 lower-case hex digits/,
    );
  });

  it('still loads the checkpoints of the repository, with or without the hash', async () => {
    await useNodeBackend({ env: {} });
    // The bundled model was written before the hash existed; the training state is rewritten
    // by every training chunk, now with it.
    const model0 = join(REPOSITORY, 'packages', 'model');
    expect(readCheckpoint(model0).manifest.weightsSha256).toBeUndefined();
    for (const dir of [model0, join(REPOSITORY, 'training', 'default-model', 'checkpoint')]) {
      if (!existsSync(join(dir, CHECKPOINT_FILES.manifest))) continue;
      const checkpoint = readCheckpoint(dir);
      const model = await loadCheckpoint(checkpoint);
      if (!checkpoint.manifest.inference)
        expect(model.step).toBe(checkpoint.manifest.optimiser.generatorStep);
      model.dispose();
    }
  });
});
