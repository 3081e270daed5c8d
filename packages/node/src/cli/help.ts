import { type CliOption, GLOBAL_OPTIONS, helpLines } from './args.js';

export const COMMANDS = [
  'correct',
  'simulate',
  'metrics',
  'train',
  'evaluate',
  'info',
  'demo',
  'bids',
] as const;
export type Command = (typeof COMMANDS)[number];

export const MAIN_HELP = `duncan: MRI artefact removal with the DUNCAN network (duncan-mri)

Usage: duncan <command> [options]   (duncan <command> --help for details)

Commands:
  correct    remove artefacts from a volume with a trained model (default: the bundled one)
  simulate   corrupt a volume with a simulated artefact (seeded, reproducible)
  metrics    SSIM, MS-SSIM, VIF, UQI and PSNR of a test volume against a reference
  train      train a model: unpaired (DUNCAN), on simulated pairs, or both (--mode)
  evaluate   image-quality metrics and segmentation Dice before and after correction: a report
  info       shape, spacing, orientation, datatype, intensity range and DICOM series of a file
  demo       corrupt the bundled sample, correct it, write demo-output/ and print the metrics
  bids       a BIDS App: correct a BIDS dataset's anatomical images into BIDS-Derivatives

Inputs: .nii, .nii.gz, .hdr/.img, a DICOM file or a directory of DICOM files.
Every command takes -q/--quiet: no notes on stderr (backend, progress), only warnings and errors.
Exit codes: 0 success, 1 bad input or failure (the message says why), 2 usage error.
Environment: DUNCAN_BACKEND=onnxruntime|tfjs-node-gpu|tfjs-node|wasm|cpu forces the backend
(onnxruntime, the optional onnxruntime-node package, runs correction only).

Example:
  duncan correct scan.nii.gz -o scan-corrected.nii.gz --artefact-map artefact.nii.gz
`;

/** A command's declaration: its help around the options, and the options themselves. */
interface CommandDeclaration {
  /** Usage and description, ending with `Options:`. */
  readonly intro: string;
  /** Every option the command parses besides the global ones ({@link GLOBAL_OPTIONS}). */
  readonly options: readonly CliOption[];
  /** What follows the options (notes, examples). */
  readonly outro: string;
}

/**
 * Each command's options, declared once: {@link parseCommand} builds the parser from them and
 * {@link HELP} lists them, so the two cannot drift.
 */

/** Options several commands take with the same meaning. */
const PROGRESS: CliOption = {
  name: 'progress',
  help: 'show the progress bar even when stderr is not a terminal',
};
const MAX_VOXELS: CliOption = {
  name: 'max-voxels',
  value: '<n>',
  help: 'read volumes of up to n voxels (default 268435456)',
};
const STRICT: CliOption = {
  name: 'strict',
  help: 'fail on an unreadable file in a DICOM directory (default: skip it, warn)',
};
const BACKEND: CliOption = {
  name: 'backend',
  value: '<name>',
  help: 'prefer a backend: onnxruntime, tfjs-node-gpu, tfjs-node, wasm, cpu',
};
const JSON_SUMMARY: CliOption = { name: 'json', help: 'print a JSON summary on stdout' };
const WORKERS: CliOption = {
  name: 'workers',
  value: '<n>',
  help: 'worker threads (default: one per core; 0 = this thread)',
};

const NO_FLIPS: CliOption = {
  name: 'no-flips',
  help:
    'no mirror averaging: one forward pass per slice instead of four\n' +
    '(about 4x faster, slightly weaker correction)',
};

const SHRINKAGE: CliOption = {
  name: 'shrinkage',
  value: '<k>',
  help:
    "residual shrinkage: each slice's correction shrunk by k times the slice's\n" +
    'noise level, so that noise is not smoothed away (default 1; 0 = off)',
};

const CLEAN: CliOption = {
  name: 'clean',
  value: '<paths...>',
  list: true,
  help: 'clean volumes (files or DICOM directories)               [required]',
};
const MODEL: CliOption = {
  name: 'model',
  value: '<dir>',
  help: 'checkpoint directory; default: the bundled model',
};
const AXIS: CliOption = { name: 'axis', value: '<x|y|z>', help: 'slicing axis (default z)' };
const JSON_OUTPUT: CliOption = { name: 'json', help: 'print JSON on stdout' };

const DECLARATIONS: Record<Command, CommandDeclaration> = {
  correct: {
    intro: `Usage: duncan correct <input> -o <output> [options]

Removes artefacts slice by slice with a DUNCAN model, on a pool of worker threads.
The output is NIfTI when it ends in .nii or .nii.gz; for a DICOM input any other path is
written as a derived DICOM series directory. Inputs are never modified; an existing output
is refused unless --overwrite.

Options:
`,
    options: [
      {
        name: 'output',
        short: 'o',
        value: '<path>',
        help: 'corrected volume (.nii, .nii.gz, or a DICOM directory)  [required]',
      },
      {
        name: 'model',
        value: '<dir>',
        help: 'checkpoint directory (manifest.json + weights.bin); default: bundled model',
      },
      AXIS,
      { name: 'artefact-map', value: '<path>', help: 'also write input - corrected' },
      WORKERS,
      {
        name: 'batch-size',
        value: '<n>',
        help:
          'most slices per forward pass (default: from the slice size and\n' +
          'the free memory; lowered when a batch would not fit)',
      },
      {
        name: 'series',
        value: '<n|uid>',
        help: 'which series of a DICOM directory (see duncan info)',
      },
      NO_FLIPS,
      SHRINKAGE,
      BACKEND,
      MAX_VOXELS,
      STRICT,
      { name: 'overwrite', help: 'replace existing outputs' },
      JSON_SUMMARY,
      PROGRESS,
    ],
    outro: `
Each batch of slices is corrected as it is and mirrored left-right, up-down and both ways,
and the four outputs are averaged (--no-flips: one pass). Then each slice's correction
(input - corrected) is soft-thresholded at k times the slice's noise level, estimated from the
input slice (median absolute finest diagonal Haar detail / 0.6745): changes within the noise
are dropped, an artefact's larger ones kept less k times the noise (--shrinkage 0: the
network's output as it is).
The slice size, the outputs and their directories are checked before the model loads. Both
outputs are put in place together or not at all; a killed run's temporary files are removed
by the next run into that directory.

Example:
  duncan correct sub-01_T1w.nii.gz -o sub-01_T1w_corrected.nii.gz --artefact-map artefact.nii.gz --workers 2
`,
  },
  simulate: {
    intro: `Usage: duncan simulate <input> -o <output> --artefact <name> --seed <n> [options]

Corrupts a clean volume with @duncan-mri/simulate. The same seed gives the same output.

Options:
`,
    options: [
      {
        name: 'output',
        short: 'o',
        value: '<path>',
        help: 'corrupted volume (.nii, .nii.gz, or a DICOM directory)  [required]',
      },
      {
        name: 'artefact',
        value: '<name>',
        repeat: true,
        help:
          'motion, ghosting, spike, biasField, noise, blur or ringing;\n' +
          'repeat it to apply several in order                       [required]',
      },
      { name: 'severity', value: '<s>', help: 'mild, moderate or severe (default moderate)' },
      {
        name: 'seed',
        value: '<n>',
        help: 'seed of the random parameters                           [required]',
      },
      {
        name: 'applied',
        value: '<file.json>',
        help: 'write the exact parameters drawn (replayable)',
      },
      { name: 'series', value: '<n|uid>', help: 'which series of a DICOM directory' },
      MAX_VOXELS,
      STRICT,
      { name: 'overwrite', help: 'replace existing outputs' },
      JSON_SUMMARY,
    ],
    outro: `
Example:
  duncan simulate clean.nii.gz -o motion.nii.gz --artefact motion --severity severe --seed 7 --applied motion.json
`,
  },
  metrics: {
    intro: `Usage: duncan metrics <reference> <test> [options]

Image-quality metrics of <test> against <reference>: SSIM (Wang et al. 2004), MS-SSIM (Wang et
al. 2003), VIF (Sheikh & Bovik 2006), UQI (Wang & Bovik 2002) and PSNR. The data range
defaults to the reference's max - min and is printed. MS-SSIM needs slices of at least
176x176 and VIF 41x41 (otherwise n/a, null in JSON). PSNR of identical volumes is infinite
(null in JSON).

Options:
`,
    options: [
      {
        name: 'mask',
        value: '<file>',
        help: 'score only voxels where the mask is non-zero (SSIM, UQI, PSNR)',
      },
      { name: 'data-range', value: '<r>', help: 'the intensity range (e.g. 255 for 8-bit data)' },
      {
        name: 'slicewise',
        help: '3-D SSIM as the mean of 2-D slice scores (automatic under 11 slices)',
      },
      {
        name: 'frame',
        value: '<n>',
        help: 'the frame (from 1) of 4-D inputs to score; required for them',
      },
      MAX_VOXELS,
      STRICT,
      JSON_OUTPUT,
    ],
    outro: `
Example:
  duncan metrics clean.nii.gz corrected.nii.gz --mask brain.nii.gz --json
`,
  },
  train: {
    intro: `Usage: duncan train --clean <paths...> (--corrupted <paths...> | --simulate <recipe>) --out <dir> [options]
       duncan train --mode paired|semi --clean <paths...> --out <dir> [options]

Trains a DUNCAN model. --mode unpaired (the default): on unpaired clean and corrupted volumes.
--mode paired: the corrector alone, supervised by simulated pairs: createTrainingPairs
(@duncan-mri/simulate, seed --seed) draws clean/corrupted/head-mask images of the crop size from
the --clean volumes (slices along all three axes, random geometry, contrast and corruption);
the loss is L1 (head 1, background 0.1) + (1 - SSIM in the head). --mode semi: the unpaired
DUNCAN losses on a pair's corrupted image and another pair's clean image, plus --paired-weight x
the paired loss. In paired and semi modes step s reads pairs s*batch .. s*batch+batch-1, so
--resume continues exactly (also a checkpoint of tools/reference/train_default_model.py --mode
paired|semi). In every mode the learning rate follows the model's step over --steps (constant,
then a linear decay from decayStart of the run). The output directory gets the
checkpoint (manifest.json + weights.bin), losses.csv, loss-curve.png and .svg (the loss terms
against the step, with a legend) and, every --every steps, panel-step<N>.png (captioned:
corrupted input | corrected | artefact map of a middle slice, or of a fixed pair in paired and
semi modes). A panel, losses.csv or loss-curve.png that cannot be written is
a warning; training goes on.
Checkpoints are saved every --save-every and at the end, each replacing the last as one unit (a
kill at any moment leaves the previous or the new one readable). Ctrl-C, SIGTERM (schedulers,
timeout) and SIGHUP (a closed terminal) stop after the current step and save a checkpoint; the
exit code is then 128 + the signal's number (130, 143, 129); the same signal again quits without
saving. Only one run at a time may use an --out (a lock file, .duncan.lock; a lock left by a
process that no longer runs is taken over).
--resume continues the checkpoint's run: its step, --steps (so the learning-rate schedule goes on
as if uninterrupted), --mode, --batch-size, --seed, --axis and --paired-weight, unless given again
(a note names each change). --config on resume may change lossWeights, pairedLossWeights,
learningRate, decayStart, lowPercentile, highPercentile, foregroundThreshold,
minForegroundFraction, flips, cropSize (the training field: the networks are fully
convolutional) and headMaskedDiscriminators; the architecture, poolSize and Adam's betas and
epsilon stay.

Options:
`,
    options: [
      { name: 'mode', value: '<name>', help: 'unpaired, paired or semi (default unpaired)' },
      CLEAN,
      {
        name: 'corrupted',
        value: '<paths...>',
        list: true,
        help: 'unpaired: corrupted volumes (need not be paired with the clean ones)',
      },
      {
        name: 'simulate',
        value: '<recipe>',
        help:
          'unpaired, instead of --corrupted: corrupt the clean volumes, e.g.\n' +
          '"motion:moderate,ghosting:moderate,noise:mild", or JSON / a .json file',
      },
      { name: 'paired-weight', value: '<w>', help: 'semi: weight of the paired loss (default 1)' },
      {
        name: 'out',
        value: '<dir>',
        help: 'output directory                                        [required]',
      },
      {
        name: 'steps',
        value: '<n>',
        help: "total training steps (default 1000; on --resume, the checkpoint's)",
      },
      {
        name: 'config',
        value: '<json|file>',
        help: 'model configuration overrides, e.g. \'{"channels":16,"residualBlocks":2}\'',
      },
      { name: 'resume', help: 'continue from the checkpoint in --out' },
      {
        name: 'seed',
        value: '<n>',
        help:
          'seed of the weights and of the crops and simulation (unpaired) or\n' +
          'of the pairs (paired, semi) (default 1)',
      },
      {
        name: 'batch-size',
        value: '<n>',
        help: 'images per domain (unpaired) or pairs (paired, semi) per step (default 1)',
      },
      { name: 'axis', value: '<x|y|z>', help: 'unpaired: slicing axis (default z)' },
      { name: 'every', value: '<n>', help: 'steps between panels (default 100)' },
      {
        name: 'save-every',
        value: '<n|Nm>',
        help:
          'save a checkpoint every n steps, or every N minutes (10m);\n' +
          '0 = only at the end and when stopped (default 10m)',
      },
      {
        name: 'backend',
        value: '<name>',
        help: 'prefer a backend: tfjs-node-gpu, tfjs-node, wasm, cpu',
      },
      {
        name: 'overwrite',
        help:
          'start again over an existing checkpoint in --out (it stays until\n' +
          "the new run's first save)",
      },
      JSON_SUMMARY,
      PROGRESS,
    ],
    outro: `
Example:
  duncan train --clean t1/*.nii.gz --simulate motion:moderate,noise:mild --out runs/1 --steps 2000
  duncan train --mode paired --clean t1/*.nii.gz --out runs/2 --steps 4000 --batch-size 8
`,
  },
  evaluate: {
    intro: `Usage: duncan evaluate --clean <paths...> (--corrupted <paths...> | --simulate <recipe>) -o <dir> [options]

Judges a model honestly, in the head first: per z slice, SSIM, PSNR and NRMSE inside the head
(the clean image's headMask, or --mask) and then on whole slices, of the model and of three
no-learning baselines against the clean image: unchanged (the corrupted image), threshold
(voxels below 5 % of the 99.5th percentile set to 0: the background rule that whole-image
SSIM rewards) and median (3x3 median filter inside the head). Gains come with paired bootstrap
95 % intervals over slices; the model "beats the baselines" when its mean in-head SSIM is above
all three. Rows: each case (subject) x contrast (T1, T2, PD, FLAIR from the file name, else
unlabelled) x artefact x severity, pooled rows per artefact and severity, per contrast and
overall, and a clean-through row per case (artefact none: the clean image corrected, which
should stay near SSIM 1).

Then, as the DUNCAN paper did: SSIM, MS-SSIM, VIF, UQI and PSNR of the whole image (the clean
image's max - min as the data range; SSIM slice-wise over z), and the per-tissue Dice of
3-class segmentations (HMRF-EM after FAST) of the corrupted and of the corrected image against
the clean image's segmentation, all inside one mask (the clean image's brainMask, or --mask),
each beside a "no correction" baseline. Writes report.md, report.json, boxplot-ssim.png and
boxplot-dice.png (with .svg; labelled box plots that report.md embeds) and captioned
panel-<artefact>.png to the output directory and prints the pooled
in-head and whole-image tables, then the summary table. One run at a time per output directory
(a lock file, .duncan.lock): a second run into it is refused.

Paired evaluation: each corrupted image must be its clean image with artefacts (same subject,
same grid). --corrupted files pair with --clean paths in order (or all with a single --clean);
their artefact and severity come from the file name (eval-motion-severe.nii), else
"unlabelled". --simulate corrupts every clean image with each artefact of the recipe at each
severity (mild, moderate, severe; "motion:severe" evaluates only that one), slice by slice in
2-D along --axis, with a fixed seed. --corruption shots uses instead an independent k-space
model of multi-shot motion and N/2 ghosting (rows shot-motion, shot-ghosting), to see whether
the model only learned to undo the simulator it was trained on; both does the two. Too few
mask voxels or a failed segmentation gives Dice n/a with the reason (the metrics are still
computed).

Options:
`,
    options: [
      CLEAN,
      {
        name: 'corrupted',
        value: '<paths...>',
        list: true,
        help: 'corrupted versions of the clean volumes, paired in order',
      },
      {
        name: 'simulate',
        value: '<recipe>',
        help:
          'instead of --corrupted: artefacts to simulate, as for duncan train,\n' +
          'e.g. "motion,ghosting,noise", or JSON / a .json file',
      },
      {
        name: 'severities',
        value: '<list>',
        help: 'severities for recipe steps without one (default mild,moderate,severe)',
      },
      {
        name: 'simulate-3d',
        help:
          'simulate on the whole volume in 3-D instead of slice by slice\n' +
          '(the simulator only; the shot model is always 2-D)',
      },
      {
        name: 'corruption',
        value: '<model>',
        help:
          'simulator (default), shots (the independent shot model, for\n' +
          'motion and ghosting steps) or both',
      },
      {
        name: 'seed',
        value: '<n>',
        help:
          'seed of the simulation and of the bootstrap (default 2026, the\n' +
          "default model's evaluation data)",
      },
      {
        name: 'draws',
        value: '<n>',
        help:
          'with --simulate: corrupted versions of each clean image per artefact\n' +
          'and severity, draw d simulated with seed + 10000·d (default 1, at\n' +
          'most 100); the rows pool the slices of every draw',
      },
      {
        name: 'mask',
        value: '<paths...>',
        list: true,
        help:
          'brain mask(s) for the segmentations and the in-head scores: one for\n' +
          'all, or one per --clean',
      },
      {
        name: 'output',
        short: 'o',
        value: '<dir>',
        help: 'report directory                                       [required]',
      },
      MODEL,
      {
        name: 'axis',
        value: '<x|y|z>',
        help: 'slicing axis of the correction and of the simulation (default z)',
      },
      WORKERS,
      { name: 'batch-size', value: '<n>', help: 'slices per forward pass (default 8)' },
      NO_FLIPS,
      SHRINKAGE,
      BACKEND,
      { name: 'overwrite', help: 'replace an existing report in the output directory' },
      { name: 'json', help: 'print the summary as JSON on stdout' },
      PROGRESS,
    ],
    outro: `
Example:
  duncan evaluate --clean t1.nii.gz --simulate motion,ghosting,noise -o eval-report --model runs/1
`,
  },
  info: {
    intro: `Usage: duncan info <input> [options]

Shape, voxel spacing, orientation, datatype, intensity range and, for DICOM, every series found
(without --series, the first is described).

Options:
`,
    options: [
      { name: 'series', value: '<n|uid>', help: 'which series of a DICOM directory to describe' },
      MAX_VOXELS,
      STRICT,
      JSON_OUTPUT,
    ],
    outro: `
Example:
  duncan info dicom/MR0001/ --json
`,
  },
  demo: {
    intro: `Usage: duncan demo [options]

The main job on a real image: the bundled T1 slice (ITK's mid-sagittal brain slice, 217x180,
full resolution; see sample/README.md) or --input <file>. Corrupts each z slice in 2-D with
moderate simulated motion (seeded), corrects it, and writes to the output folder the clean,
corrupted and corrected volumes and the artefact map (NIfTI), panel.png (clean | corrupted |
corrected | |error| before | |error| after, captioned; both error maps on one colour scale) and
metrics.json; prints SSIM, PSNR and NRMSE in the head (headMask of the clean image) and over
the whole image, MS-SSIM, VIF and UQI, of corrupted and corrected against clean, with
Δ = corrected - corrupted (↑ higher is better, ↓ lower is better). A 3-D input is corrupted,
corrected and scored slice by slice (all slices; the panel shows the middle one).

Options:
`,
    options: [
      {
        name: 'input',
        value: '<file>',
        help: 'the clean image to corrupt (default: the bundled T1 slice)',
      },
      {
        name: 'out',
        value: '<dir>',
        help: 'output folder (default ./demo-output; its files are replaced)',
      },
      { name: 'model', value: '<dir>', help: 'checkpoint directory (default: the bundled model)' },
      { name: 'seed', value: '<n>', help: 'seed of the corruption (default 42)' },
      {
        name: 'workers',
        value: '<n>',
        help: 'worker threads (default: one per core, at most one per slice)',
      },
      { name: 'json', help: 'print the report (metrics.json) on stdout' },
      PROGRESS,
    ],
    outro: `
Example:
  duncan demo --out /tmp/duncan-demo
  duncan demo --input sub-01_T1w.nii.gz --out /tmp/duncan-demo-sub-01
`,
  },
  bids: {
    intro: `Usage: duncan bids <bids_dir> <output_dir> participant|group [options]

A BIDS App (positional arguments as MRIQC and fMRIPrep take them). Options that take labels
take several (--participant-label 01 02), so give the three positional arguments first.

participant: corrects every anatomical image (anat/, suffixes T1w, T2w, FLAIR, PDw unless
--suffix) of the selected participants and sessions, and writes BIDS-Derivatives to output_dir:
dataset_description.json (DatasetType derivative, GeneratedBy duncan-mri with its version and the
model's configuration and weights hashes and training step, SourceDatasets, DatasetLinks raw),
and per image, beside the source's path, <name>_desc-duncan_<suffix>.nii.gz (corrected) and
<name>_desc-artefact_<suffix>.nii.gz (the artefact map of duncan correct --artefact-map), each
with a JSON sidecar (Sources as bids:raw: URIs, the model, the settings, the source file's size,
time and SHA-256, and change measures). Each slice is corrected with mirror averaging and
residual shrinkage 1, as duncan correct does (--no-flips: one forward pass; --shrinkage <k>),
and the sidecars record both. An image whose outputs are complete and record the same source,
model, axis, mirror averaging (none recorded: one pass) and residual shrinkage (none recorded:
0, off) is skipped; outputs that are stale or incomplete are replaced only with --overwrite. An image that fails (e.g. a truncated file) is reported with its reason and the
others go on; the exit code is then 1. Each run writes logs/participant-<time>-<pid>.tsv
(source, status, reason, outputs, seconds). Several runs may share output_dir (one per
participant, as a workflow engine runs them).

group: reads the participant level's sidecars and writes group/summary.tsv (one row per image,
the images the corrector changed most first: mean |corrected - source| in the head as a
fraction of the source's robust range, the largest per-slice value, the artefact map's mean, the
in-head SSIM of corrected against source), group/summary.json (the columns), group/summary.png
and .svg (labelled box plots per suffix) and group/README.md. Images without a derivative are listed as a warning.

Input checks (skipped with --skip-bids-validation): dataset_description.json with Name and
BIDSVersion, and BIDS names for the NIfTI files of the selected anat/ folders (entities of a raw
anatomical image, in order, matching their folders). This is not the BIDS validator: run
bids-validator on the dataset for a full check.

Options:
`,
    options: [
      {
        name: 'participant-label',
        value: '<l...>',
        list: true,
        help: 'participants to process (01 or sub-01; default: all)',
      },
      {
        name: 'session-label',
        value: '<l...>',
        list: true,
        help:
          'sessions to process (01 or ses-01; default: all, and images\n' +
          'outside session folders)',
      },
      {
        name: 'suffix',
        value: '<s...>',
        list: true,
        help:
          'suffixes to correct (default T1w T2w FLAIR PDw; any of T1w, T2w,\n' +
          'PDw, T2starw, FLAIR, inplaneT1, inplaneT2, PDT2, angio)',
      },
      {
        name: 'skip-bids-validation',
        help:
          'run on a folder whose description or names break BIDS rules\n' +
          '(files with names that do not parse are passed over)',
      },
      MODEL,
      AXIS,
      NO_FLIPS,
      SHRINKAGE,
      {
        name: 'workers',
        value: '<n>',
        help:
          'worker threads (default: one per core, at most the first\n' +
          "corrected image's slice count; 0 = this thread)",
      },
      {
        name: 'batch-size',
        value: '<n>',
        help:
          'slices per forward pass (default 8; each worker needs about\n' +
          '1.1 GB at 8 on 256 x 256 slices, half at 2)',
      },
      BACKEND,
      { name: 'overwrite', help: 'replace stale outputs and redo finished ones' },
      JSON_SUMMARY,
      PROGRESS,
    ],
    outro: `
Example:
  duncan bids /data/ds001 /data/ds001/derivatives/duncan participant --participant-label 01 02 --workers 2
  duncan bids /data/ds001 /data/ds001/derivatives/duncan group
`,
  },
};

/** The options of each command (without the global ones), as `parseCommand` takes them. */
export const OPTIONS: Record<Command, readonly CliOption[]> = Object.fromEntries(
  COMMANDS.map((c) => [c, DECLARATIONS[c].options]),
) as Record<Command, readonly CliOption[]>;

/** `duncan <command> --help`: the intro, every option (the global ones last), the outro. */
export const HELP: Record<Command, string> = Object.fromEntries(
  COMMANDS.map((c) => {
    const { intro, options, outro } = DECLARATIONS[c];
    return [c, `${intro}${helpLines([...options, ...GLOBAL_OPTIONS])}${outro}`];
  }),
) as Record<Command, string>;
