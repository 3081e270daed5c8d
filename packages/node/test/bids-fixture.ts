import { fileURLToPath } from 'node:url';

/** The tiny BIDS dataset of the tests (see test/fixtures/bids-tiny/README). */
export const BIDS_FIXTURE = fileURLToPath(new URL('./fixtures/bids-tiny', import.meta.url));

/** Its anatomical images, relative to the dataset, in the order `duncan bids` lists them. */
export const BIDS_FIXTURE_IMAGES: readonly string[] = [
  'sub-01/anat/sub-01_PDw.nii.gz',
  'sub-01/anat/sub-01_T1w.nii.gz',
  'sub-02/anat/sub-02_PDw.nii.gz',
  'sub-02/anat/sub-02_T1w.nii.gz',
  'sub-03/anat/sub-03_run-1_T1w.nii.gz',
  'sub-03/anat/sub-03_run-2_T1w.nii.gz',
];
