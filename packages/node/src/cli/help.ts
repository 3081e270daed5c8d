export const COMMANDS = ['correct', 'simulate', 'metrics', 'train', 'info', 'demo'] as const;
export type Command = (typeof COMMANDS)[number];

export const MAIN_HELP = `duncan: MRI artefact removal with the DUNCAN network (duncan-mri)

Usage: duncan <command> [options]   (duncan <command> --help for details)

Commands:
  correct    remove artefacts from a volume with a trained model (default: the bundled one)
  simulate   corrupt a volume with a simulated artefact (seeded, reproducible)
  metrics    SSIM, MS-SSIM, VIF, UQI and PSNR of a test volume against a reference
  train      train a model on unpaired clean and corrupted volumes
  info       shape, spacing, orientation, datatype, intensity range and DICOM series of a file
  demo       corrupt the bundled sample, correct it, write demo-output/ and print the metrics

Inputs: .nii, .nii.gz, .hdr/.img, a DICOM file or a directory of DICOM files.
Exit codes: 0 success, 1 bad input or failure (the message says why), 2 usage error.
Environment: DUNCAN_BACKEND=tfjs-node-gpu|tfjs-node|wasm|cpu forces the backend.

Example:
  duncan correct scan.nii.gz -o scan-corrected.nii.gz --artefact-map artefact.nii.gz
`;

export const HELP: Record<Command, string> = {
  correct: `Usage: duncan correct <input> -o <output> [options]

Removes artefacts slice by slice with a DUNCAN model, on a pool of worker threads.
The output is NIfTI when it ends in .nii or .nii.gz; for a DICOM input any other path is
written as a derived DICOM series directory. Inputs are never modified; an existing output
is refused unless --overwrite.

Options:
  -o, --output <path>        corrected volume (.nii, .nii.gz, or a DICOM directory)  [required]
      --model <dir>          checkpoint directory (manifest.json + weights.bin); default: bundled model
      --axis <x|y|z>         slicing axis (default z)
      --artefact-map <path>  also write input - corrected
      --workers <n>          worker threads (default: one per core; 0 = this thread)
      --batch-size <n>       slices per forward pass (default 8)
      --series <n|uid>       which series of a DICOM directory (see duncan info)
      --backend <name>       prefer a backend: tfjs-node-gpu, tfjs-node, wasm, cpu
      --overwrite            replace existing outputs
      --json                 print a JSON summary on stdout
      --progress             show the progress bar even when stderr is not a terminal

Example:
  duncan correct sub-01_T1w.nii.gz -o sub-01_T1w_corrected.nii.gz --artefact-map artefact.nii.gz --workers 2
`,
  simulate: `Usage: duncan simulate <input> -o <output> --artefact <name> --seed <n> [options]

Corrupts a clean volume with @duncan-mri/simulate. The same seed gives the same output.

Options:
  -o, --output <path>        corrupted volume (.nii, .nii.gz, or a DICOM directory)  [required]
      --artefact <name>      motion, ghosting, spike, biasField, noise, blur or ringing;
                             repeat it to apply several in order                       [required]
      --severity <s>         mild, moderate or severe (default moderate)
      --seed <n>             seed of the random parameters                           [required]
      --applied <file.json>  write the exact parameters drawn (replayable)
      --series <n|uid>       which series of a DICOM directory
      --overwrite            replace existing outputs
      --json                 print a JSON summary on stdout

Example:
  duncan simulate clean.nii.gz -o motion.nii.gz --artefact motion --severity severe --seed 7 --applied motion.json
`,
  metrics: `Usage: duncan metrics <reference> <test> [options]

Image-quality metrics of <test> against <reference>: SSIM (Wang et al. 2004), MS-SSIM (Wang et
al. 2003), VIF (Sheikh & Bovik 2006), UQI (Wang & Bovik 2002) and PSNR. The data range
defaults to the reference's max - min and is printed. MS-SSIM needs slices of at least
176x176 and VIF 41x41 (otherwise n/a, null in JSON). PSNR of identical volumes is infinite
(null in JSON).

Options:
      --mask <file>          score only voxels where the mask is non-zero (SSIM, UQI, PSNR)
      --data-range <r>       the intensity range (e.g. 255 for 8-bit data)
      --slicewise            3-D SSIM as the mean of 2-D slice scores (automatic under 11 slices)
      --json                 print JSON on stdout

Example:
  duncan metrics clean.nii.gz corrected.nii.gz --mask brain.nii.gz --json
`,
  train: `Usage: duncan train --clean <paths...> (--corrupted <paths...> | --simulate <recipe>) --out <dir> [options]

Trains a DUNCAN model on unpaired clean and corrupted volumes. The output directory gets the
checkpoint (manifest.json + weights.bin), losses.csv, loss-curve.png and, every --every steps,
panel-step<N>.png (corrupted input | corrected | artefact map of a middle slice).
Ctrl-C stops after the current step and saves a checkpoint; continue with --resume.

Options:
      --clean <paths...>     clean volumes (files or DICOM directories)               [required]
      --corrupted <paths...> corrupted volumes (need not be paired with the clean ones)
      --simulate <recipe>    instead of --corrupted: corrupt the clean volumes, e.g.
                             "motion:moderate,ghosting:moderate,noise:mild", or JSON / a .json file
      --out <dir>            output directory                                        [required]
      --steps <n>            total training steps (default 1000)
      --config <json|file>   model configuration overrides, e.g. '{"channels":16,"residualBlocks":2}'
      --resume               continue from the checkpoint in --out
      --seed <n>             seed of the weights, crops and simulation (default 1)
      --batch-size <n>       images per domain per step (default 1)
      --axis <x|y|z>         slicing axis (default z)
      --every <n>            steps between panels (default 100)
      --overwrite            start again over an existing checkpoint in --out
      --json                 print a JSON summary on stdout
      --progress             show the progress bar even when stderr is not a terminal

Example:
  duncan train --clean t1/*.nii.gz --simulate motion:moderate,noise:mild --out runs/1 --steps 2000
`,
  info: `Usage: duncan info <input> [options]

Shape, voxel spacing, orientation, datatype, intensity range and, for DICOM, every series found
(without --series, the first is described).

Options:
      --series <n|uid>       which series of a DICOM directory to describe
      --json                 print JSON on stdout

Example:
  duncan info dicom/MR0001/ --json
`,
  demo: `Usage: duncan demo [options]

The main job on the bundled sample (4 slices of a real GE 1.5 T proton-density scan): corrupts
each slice with a fixed seed (moderate motion and ghosting, mild noise, in 2-D), corrects it,
writes the clean, corrupted and corrected volumes, the artefact map (NIfTI), panel.png and
metrics.json to the output folder, and prints the five metrics of corrupted and corrected
against the clean sample.

Options:
      --out <dir>            output folder (default ./demo-output; its files are replaced)
      --model <dir>          checkpoint directory (default: the bundled model)
      --seed <n>             seed of the corruption (default 42)
      --workers <n>          worker threads (default: one per core)
      --json                 print the metrics as JSON on stdout

Example:
  duncan demo --out /tmp/duncan-demo
`,
};
