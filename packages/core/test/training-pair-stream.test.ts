// The PyTorch trainer (tools/reference/train_default_model.py, class PairStream) reads its
// training pairs from scripts/training-pair-stream.mjs. This checks that the stream carries
// exactly the pairs of createTrainingPairs for the same seed and indices, in the documented
// layout, so both trainers see the same slices.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNifti } from '@duncan-mri/io';
import { createTrainingPairs } from '@duncan-mri/simulate';
import { afterAll, describe, expect, it } from 'vitest';
import { phantom } from './helpers.js';

const SCRIPT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../scripts/training-pair-stream.mjs',
);

describe('training-pair-stream.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pair-stream-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** Runs the stream on one source file with seed 9 and 32x32 pairs: its header and frames. */
  const stream = (file: string, args: string[]) => {
    const run = spawnSync(
      process.execPath,
      [SCRIPT, '--source', file, '--seed', '9', '--size', '32', ...args],
      { maxBuffer: 1 << 24 },
    );
    expect(run.status, run.stderr.toString()).toBe(0);
    const newline = run.stdout.indexOf(10);
    return {
      header: JSON.parse(run.stdout.subarray(0, newline).toString()),
      frames: run.stdout.subarray(newline + 1),
    };
  };

  it('streams the pairs of createTrainingPairs from --start on, frame by frame', () => {
    // A 3-D phantom: a stack of the 2-D phantom with shifted structures.
    const slices = [0, 1, 2, 3, 4, 5].map((s) => phantom(40, 44, 1, s - 3));
    const data = new Float32Array(40 * 44 * slices.length);
    for (const [z, v] of slices.entries()) data.set(v.data, 40 * 44 * z);
    const volume = { ...slices[0]!, data, shape: [40, 44, slices.length] as const };
    const file = join(dir, 'phantom.nii');
    writeFileSync(file, writeNifti(volume, { datatype: 'float32' }));
    const size = 32;
    const described = join(dir, 'pairs.jsonl');
    const { header, frames } = stream(file, [
      '--start',
      '4',
      '--count',
      '3',
      '--describe',
      described,
    ]);
    expect(header).toMatchObject({
      format: 'duncan-training-pairs',
      version: 1,
      size,
      seed: 9,
      start: 4,
    });
    const frame = size * size * 9;
    expect(frames.length).toBe(3 * frame);
    const pairs = createTrainingPairs([{ volume }], { seed: 9, size });
    // --describe: one JSON line per pair, the pair's own description.
    const lines = readFileSync(described, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(
      [4, 5, 6].map((index) => ({ index, description: pairs.pair(index).description })),
    );
    expect(lines[0].description).toMatch(/ \| /);
    for (let k = 0; k < 3; k++) {
      const at = frames.byteOffset + k * frame;
      const copy = (offset: number, bytes: number) =>
        frames.buffer.slice(at + offset, at + offset + bytes);
      const expected = pairs.pair(4 + k);
      expect(new Float32Array(copy(0, 4 * size * size))).toEqual(expected.clean);
      expect(new Float32Array(copy(4 * size * size, 4 * size * size))).toEqual(expected.corrupted);
      expect(new Uint8Array(copy(8 * size * size, size * size))).toEqual(expected.mask);
    }
    // The recipe options reach createTrainingPairs: the earlier pairs (one-shot motion only, the
    // narrower noise floor) when asked for.
    const earlier = stream(file, [
      '--start',
      '0',
      '--count',
      '12',
      '--multi-shot-fraction',
      '0',
      '--noise-floor',
      '0.003,0.02',
    ]);
    expect(earlier.header).toMatchObject({ multiShotFraction: 0, noiseFloor: [0.003, 0.02] });
    const old = createTrainingPairs([{ volume }], {
      seed: 9,
      size,
      multiShotFraction: 0,
      noiseFloor: [0.003, 0.02],
    });
    /** The corrupted image of frame `k` of a stream's output. */
    const corruptedOf = (frames: Buffer, k: number) => {
      const offset = frames.byteOffset + k * frame + 4 * size * size;
      return new Float32Array(frames.buffer.slice(offset, offset + 4 * size * size));
    };
    let differs = 0;
    for (let k = 0; k < 12; k++) {
      const corrupted = corruptedOf(earlier.frames, k);
      expect(corrupted).toEqual(old.pair(k).corrupted);
      if (!pairs.pair(k).corrupted.every((x, i) => x === corrupted[i])) differs++;
    }
    expect(differs).toBeGreaterThan(0);
    // --noise-after-corruption reaches it too.
    const after = stream(file, [
      '--start',
      '0',
      '--count',
      '6',
      '--noise-after-corruption',
      'true',
    ]);
    expect(after.header).toMatchObject({ noiseAfterCorruption: true });
    const moved = createTrainingPairs([{ volume }], { seed: 9, size, noiseAfterCorruption: true });
    let noisy = 0;
    for (let k = 0; k < 6; k++) {
      expect(corruptedOf(after.frames, k)).toEqual(moved.pair(k).corrupted);
      if (moved.pair(k).description.includes(' after')) noisy++;
    }
    expect(noisy).toBeGreaterThan(0);
    // --noise-fraction reaches it too.
    const quiet = stream(file, ['--start', '0', '--count', '6', '--noise-fraction', '0']);
    expect(quiet.header).toMatchObject({ noiseFraction: 0 });
    const withoutNoise = createTrainingPairs([{ volume }], { seed: 9, size, noiseFraction: 0 });
    for (let k = 0; k < 6; k++) {
      expect(corruptedOf(quiet.frames, k)).toEqual(withoutNoise.pair(k).corrupted);
      expect(withoutNoise.pair(k).description).not.toContain('noise:');
    }
    // --kspace-truncation reaches it too.
    const banded = stream(file, ['--start', '0', '--count', '6', '--kspace-truncation', '1']);
    expect(banded.header).toMatchObject({ kspaceTruncation: 1 });
    const limited = createTrainingPairs([{ volume }], { seed: 9, size, kspaceTruncation: 1 });
    for (let k = 0; k < 6; k++) {
      expect(corruptedOf(banded.frames, k)).toEqual(limited.pair(k).corrupted);
      expect(limited.pair(k).description).toContain(' band');
    }
    // --stride: two streams from 4 and 5 with stride 2, read in turn, are the stream from 4.
    const even = stream(file, ['--start', '4', '--count', '2', '--stride', '2']);
    const odd = stream(file, ['--start', '5', '--count', '1', '--stride', '2']);
    expect(even.header).toMatchObject({ start: 4, stride: 2 });
    expect(even.frames.length).toBe(2 * frame);
    expect(corruptedOf(even.frames, 0)).toEqual(corruptedOf(frames, 0));
    expect(corruptedOf(odd.frames, 0)).toEqual(corruptedOf(frames, 1));
    expect(corruptedOf(even.frames, 1)).toEqual(corruptedOf(frames, 2));
  });

  it('keeps only the sources of --use-sources, and refuses an index it does not have', () => {
    const first = phantom(40, 44, 4, 0);
    const second = phantom(36, 40, 4, 2);
    const files = [first, second].map((volume, k) => {
      const file = join(dir, `source-${k}.nii`);
      writeFileSync(file, writeNifti(volume, { datatype: 'float32' }));
      return file;
    });
    const size = 32;
    const frame = size * size * 9;
    const described = join(dir, 'kept.jsonl');
    const kept = stream(files[0]!, [
      '--source',
      files[1]!,
      '--count',
      '4',
      '--use-sources',
      '1',
      '--describe',
      described,
    ]);
    expect(kept.header).toMatchObject({ useSources: [1] });
    // Descriptions name the source by its index in the whole list.
    const lines = readFileSync(described, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(JSON.parse(line).description).toMatch(/^src1 axis/);
    const only = createTrainingPairs([{ volume: second }], { seed: 9, size });
    const both = createTrainingPairs([{ volume: first }, { volume: second }], { seed: 9, size });
    let fromBoth = 0;
    for (let k = 0; k < 4; k++) {
      const at = kept.frames.byteOffset + k * frame;
      const clean = new Float32Array(kept.frames.buffer.slice(at, at + 4 * size * size));
      expect(clean).toEqual(only.pair(k).clean);
      if (!both.pair(k).clean.every((x, i) => x === clean[i])) fromBoth++;
    }
    // Without the option the two sources give other pairs.
    expect(fromBoth).toBeGreaterThan(0);
    const all = stream(files[0]!, ['--source', files[1]!, '--count', '1', '--use-sources', '0,1']);
    expect(all.header).toMatchObject({ useSources: [0, 1] });
    expect(all.frames.subarray(0, 4 * size * size)).toEqual(
      Buffer.from(both.pair(0).clean.buffer, both.pair(0).clean.byteOffset, 4 * size * size),
    );
    for (const bad of ['2', '0,0', '1,0', 'x', '', '1,', ' 1']) {
      const run = spawnSync(
        process.execPath,
        [
          SCRIPT,
          '--source',
          files[0]!,
          '--source',
          files[1]!,
          '--use-sources',
          bad,
          '--count',
          '1',
        ],
        { maxBuffer: 1 << 24 },
      );
      expect(run.status).not.toBe(0);
      expect(run.stderr.toString()).toContain(
        '--use-sources must list distinct source indices from 0 to 1 in ascending order',
      );
    }
  });
});
