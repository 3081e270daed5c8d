// Build step of the demo: copies the T1 slice the page opens with, @duncan-mri/node's
// sample/itk-midsag-t1.nii.gz (ITK's mid-sagittal T1, 217 x 180, Apache-2.0; origin and licence
// in packages/node/sample/README.md), to public/sample/ (served as sample/ next to the page).
// One file, one source of truth: the CLI demo and this page show the same image.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const name = 'itk-midsag-t1.nii.gz';
const from = join(here, '../../../packages/node/sample', name);
const out = join(here, '../public/sample');
mkdirSync(out, { recursive: true });
copyFileSync(from, join(out, name));
console.log(`browser-demo: public/sample/${name} copied from packages/node/sample/`);
