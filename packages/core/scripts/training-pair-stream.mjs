// Streams the training pairs of @duncan-mri/simulate's createTrainingPairs as binary frames on
// stdout, so that every trainer reads the very same pairs: tfjs `train` calls the source
// directly, and the PyTorch trainer (tools/reference/train_default_model.py) reads this stream.
//
// Training sources (never a test or validation subject): Colin27 (ch2.nii.gz, with skull) and
// ch2better (0.5 mm, skull-stripped, contrast-stretched), each in all three orientations, and
// three label maps of Colin27 for SynthSeg-style synthesis (each synthesised image draws one):
// - tissues: CSF / GM / WM of segmentTissues inside ch2bet's brain, and three intensity bands of
//   the rest of the head (labels 1-6), cached in data-cache/training/colin27-labels.nii;
// - the same map with the brain subdivided by an atlas of mricron-data on Colin27's own grid
//   (181x217x181, 1 mm): AAL's 116 regions (Tzourio-Mazoyer et al. 2002) or the 47 Brodmann
//   areas of mricron's brodmann.nii.gz, numbered 7 and up where the atlas labels a brain voxel,
//   so that a synthesised brain has many structures of random intensity, not three.
// (mricron-data's other atlases, JHU and Harvard-Oxford on FSL's 182x218x182 grid, AICHA and
// natbrainlab on other grids, would need resampling and are not used.)
//
// Protocol: one JSON line (`{"format":"duncan-training-pairs","version":1,"size":S,...}`), then
// for every pair index from --start on, in order: clean float32[S*S], corrupted float32[S*S],
// mask uint8[S*S] (little-endian, row-major, x fastest). It stops after --count pairs (default:
// never) or when stdout closes.
//
//   node packages/core/scripts/training-pair-stream.mjs --seed 1 --start 0 --size 128 [--count N]
//     [--stride K]
//     [--clean-fraction 0.2] [--contrast true|false] [--multi-shot-fraction 0.5]
//     [--noise-floor 0.003,0.04] [--noise-after-corruption true|false] [--noise-fraction 0.15]
//     [--source a.nii --source b.nii] [--use-sources 0,1] [--kspace-truncation 0]
//     [--describe pairs.jsonl]
//
// --use-sources keeps only these sources of the list, by index, ascending (default all): of the
// default sources, 0 is Colin27 with its skull and label maps, 1 ch2better (skull-stripped). `0`
// trains on whole heads only, as scanners acquire them. Descriptions still name a source by its
// index in the whole list (`src1` for ch2better under `--use-sources 1`).
//
// --noise-after-corruption is createTrainingPairs' noiseAfterCorruption (default false), and
// --noise-fraction its noiseFraction (default: its default); --kspace-truncation its
// kspaceTruncation (default: its default, 0).
// --multi-shot-fraction and --noise-floor are createTrainingPairs' multiShotFraction and
// noiseFloor (defaults: its defaults); `--multi-shot-fraction 0 --noise-floor 0.003,0.02` gives
// the pairs of the runs before they existed.
//
// --stride K streams pairs start, start + K, start + 2K, ... (count of them): K streams with
// starts s, s + 1, ..., s + K - 1 read in turn give the pairs of one stream from s, so a trainer
// can draw its pairs from K processes (train_default_model.py --streams).
//
// --describe FILE appends one JSON line per streamed pair, `{"index":i,"description":"..."}`
// (the pair's `description`: source, axis, contrast and acquisition draws | the corruption), so
// that a held-out set can be scored per artefact and severity.
//
// Needs the built packages (npm run build) and the Debian data of tools/reference/fetch-data.sh.
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNifti } from '@duncan-mri/io';
import { segmentTissues } from '@duncan-mri/metrics';
import { createTrainingPairs } from '@duncan-mri/simulate';
import { withData } from '@duncan-mri/volume';
import { option as opt } from '../../../scripts/command-line.mjs';
import { DATA_CACHE, MRICRON_TEMPLATES as TEMPLATES } from '../../../scripts/data-cache.mjs';
import { readNii } from './volumes.mjs';

const CACHE = join(DATA_CACHE, 'training');

/** Colin27's label map: 1-3 CSF/GM/WM in the brain, 4-6 intensity bands of the rest of the head. */
function colinLabels(ch2, bet) {
  const path = join(CACHE, 'colin27-labels.nii');
  if (existsSync(path)) return readNii(path);
  const brain = Uint8Array.from(bet.data, (x) => (x > 0 ? 1 : 0));
  const { labels } = segmentTissues(ch2, { classes: 3, mask: brain });
  const sorted = Float32Array.from(ch2.data).sort();
  const top = sorted[Math.floor(0.995 * (sorted.length - 1))];
  const out = new Float32Array(ch2.data.length);
  for (let i = 0; i < out.length; i++) {
    if (brain[i]) out[i] = labels.data[i];
    else {
      const x = ch2.data[i] / top;
      out[i] = x < 0.05 ? 0 : x < 0.3 ? 4 : x < 0.6 ? 5 : 6;
    }
  }
  const volume = withData(ch2, out);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(path, writeNifti(volume, { datatype: 'float32' }));
  return volume;
}

/**
 * `tissues` (labels 1-6) with the brain (labels 1-3) subdivided by an atlas on the same grid:
 * a brain voxel the atlas labels l > 0 becomes 6 + l.
 */
function withAtlasRegions(tissues, atlas) {
  if (atlas.shape.some((n, a) => n !== tissues.shape[a])) {
    throw new Error(
      `atlas of shape ${atlas.shape.join('x')} is not on Colin27's grid ${tissues.shape.join('x')}`,
    );
  }
  const out = Float32Array.from(tissues.data, (t, k) => {
    const region = Math.round(atlas.data[k]);
    return t >= 1 && t <= 3 && region > 0 ? 6 + region : t;
  });
  return withData(tissues, out);
}

/** The training sources of the default model. */
export function defaultTrainingSources() {
  const ch2 = readNii(join(TEMPLATES, 'ch2.nii.gz'));
  const bet = readNii(join(TEMPLATES, 'ch2bet.nii.gz'));
  const better = readNii(join(TEMPLATES, 'ch2better.nii.gz'));
  const tissues = colinLabels(ch2, bet);
  const atlases = ['aal.nii.gz', 'brodmann.nii.gz'].map((f) =>
    withAtlasRegions(tissues, readNii(join(TEMPLATES, f))),
  );
  return [{ volume: ch2, labels: [tissues, ...atlases] }, { volume: better }];
}

async function main() {
  const seed = Number(opt('seed', 1));
  const size = Number(opt('size', 128));
  const start = Number(opt('start', 0));
  const count = Number(opt('count', Number.POSITIVE_INFINITY));
  const stride = Number(opt('stride', 1));
  if (!Number.isInteger(stride) || stride < 1) {
    throw new Error(`--stride must be a positive integer, got ${opt('stride', 1)}`);
  }
  const cleanFraction = Number(opt('clean-fraction', 0.2));
  const contrast = opt('contrast', 'true') !== 'false';
  const describe = opt('describe', undefined);
  const multiShot = opt('multi-shot-fraction', undefined);
  const floor = opt('noise-floor', undefined);
  const multiShotFraction = multiShot === undefined ? undefined : Number(multiShot);
  const noiseFloor = floor === undefined ? undefined : floor.split(',').map(Number);
  const noiseAfterCorruption = opt('noise-after-corruption', 'false') === 'true';
  const noiseArg = opt('noise-fraction', undefined);
  const noiseFraction = noiseArg === undefined ? undefined : Number(noiseArg);
  const truncationArg = opt('kspace-truncation', undefined);
  const kspaceTruncation = truncationArg === undefined ? undefined : Number(truncationArg);
  // --source FILE (repeatable) replaces the default sources (used by the stream's own test).
  const args = process.argv.slice(2);
  const given = args.flatMap((a, i) => (a === '--source' ? [args[i + 1]] : []));
  const listed =
    given.length > 0
      ? given.map((f) => ({ volume: readNii(resolve(f)) }))
      : defaultTrainingSources();
  const use = opt('use-sources', undefined);
  const parts = use === undefined ? undefined : use.split(',');
  const useSources = parts?.map(Number);
  if (
    parts !== undefined &&
    (parts.some((x) => !/^\d+$/.test(x)) ||
      useSources.some((i, k) => i >= listed.length || (k > 0 && i <= useSources[k - 1])))
  ) {
    throw new Error(
      `--use-sources must list distinct source indices from 0 to ${listed.length - 1} in ascending order, got ${use}`,
    );
  }
  const sources = useSources === undefined ? listed : useSources.map((i) => listed[i]);
  const pairs = createTrainingPairs(sources, {
    seed,
    size,
    cleanFraction,
    contrast,
    ...(multiShotFraction === undefined ? {} : { multiShotFraction }),
    ...(noiseFloor === undefined ? {} : { noiseFloor }),
    noiseAfterCorruption,
    ...(noiseFraction === undefined ? {} : { noiseFraction }),
    ...(kspaceTruncation === undefined ? {} : { kspaceTruncation }),
  });
  const out = process.stdout;
  let closed = false;
  out.on('error', () => {
    closed = true;
  });
  const write = (buf) =>
    new Promise((ok) => {
      if (closed || out.write(buf)) ok();
      else out.once('drain', ok);
    });
  await write(
    `${JSON.stringify({ format: 'duncan-training-pairs', version: 1, size, seed, start, stride, cleanFraction, contrast, multiShotFraction, noiseFloor, noiseAfterCorruption, noiseFraction, kspaceTruncation, ...(useSources === undefined ? {} : { useSources }) })}\n`,
  );
  for (let n = 0, i = start; n < count && !closed; n++, i += stride) {
    const p = pairs.pair(i);
    if (describe !== undefined) {
      // A source's index in the whole list, not among the kept ones.
      const description =
        useSources === undefined
          ? p.description
          : p.description.replace(/^src(\d+)/, (_, k) => `src${useSources[Number(k)]}`);
      appendFileSync(describe, `${JSON.stringify({ index: i, description })}\n`);
    }
    const frame = Buffer.alloc(size * size * 9);
    Buffer.from(p.clean.buffer, p.clean.byteOffset, p.clean.byteLength).copy(frame, 0);
    Buffer.from(p.corrupted.buffer, p.corrupted.byteOffset, p.corrupted.byteLength).copy(
      frame,
      size * size * 4,
    );
    Buffer.from(p.mask.buffer, p.mask.byteOffset, p.mask.byteLength).copy(frame, size * size * 8);
    await write(frame);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
