import type { Volume } from '@duncan-mri/volume';
import type { NodeCorrector } from '../create-corrector.js';
import { commitStaged, discardTemp, type WriteSite } from '../internal/atomic-write.js';
import type { VolumeFile } from '../read-volume-file.js';
import {
  type StagedVolumeFile,
  stageVolumeFile,
  type WrittenVolumeFile,
} from '../write-volume-file.js';

const SITE: WriteSite = { where: 'writeVolumeFile', argument: 'path' };

/** What {@link correctVolumeFile} computed. */
export interface CorrectedVolumeFile {
  /** The corrected volume (NaN where the input was not finite). */
  readonly corrected: Volume;
  /** `input - corrected` (NaN where the input was not finite). */
  readonly artefactMap: Volume;
  /** How many input voxels were NaN or infinite (corrected as 0, written back as NaN). */
  readonly nonFinite: number;
}

/**
 * The correction of `duncan correct` and `duncan bids`: core's `nonFinite: 'zero-and-restore'`,
 * so that the input's non-finite voxels (NaN outside the brain of processed images, say) are
 * corrected as 0 and are NaN in both outputs: a NaN never reaches the network and never leaves
 * as a number. Also counts them, for the command's note and the BIDS sidecar.
 */
export async function correctVolumeFile(
  corrector: NodeCorrector,
  input: VolumeFile,
  options: {
    readonly axis: 0 | 1 | 2;
    /** Mirror averaging (core's `flips`). Default true. */
    readonly flips?: boolean;
    /** Residual shrinkage (core's `shrinkage`). Default core's, 1. */
    readonly shrinkage?: number;
    readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
  },
): Promise<CorrectedVolumeFile> {
  let nonFinite = 0;
  for (const v of input.volume.data) if (!Number.isFinite(v)) nonFinite++;
  const { corrected, artefactMap } = await corrector.correct(input.volume, {
    axis: options.axis,
    nonFinite: 'zero-and-restore',
    ...(options.flips === undefined ? {} : { flips: options.flips }),
    ...(options.shrinkage === undefined ? {} : { shrinkage: options.shrinkage }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  return { corrected, artefactMap, nonFinite };
}

/**
 * Writes a correction as `duncan correct -o <output> --artefact-map <map>` does: both with
 * {@link stageVolumeFile} (never over an input, the input's NIfTI header or DICOM series carried
 * over, the map protected from being the corrected output), then committed together by
 * `commitStaged`: both outputs are put in place or neither (a failure restores the previous
 * ones; a kill in between is rolled back by the next write into the output's directory).
 */
export async function writeCorrectedVolumeFile(
  input: VolumeFile,
  result: CorrectedVolumeFile,
  paths: { readonly output: string; readonly artefactMap?: string | undefined },
  overwrite: boolean,
): Promise<{ readonly output: WrittenVolumeFile; readonly artefactMap?: WrittenVolumeFile }> {
  const output = stageVolumeFile(paths.output, result.corrected, { source: input, overwrite });
  if (paths.artefactMap === undefined) {
    commitStaged([output.staged], overwrite, SITE);
    return { output: output.written };
  }
  let map: StagedVolumeFile;
  try {
    map = stageVolumeFile(paths.artefactMap, result.artefactMap, {
      source: input,
      overwrite,
      protect: [output.written.path],
      seriesDescription: `${input.dicom?.seriesDescription ?? 'series'} artefact map (duncan-mri)`,
    });
  } catch (error) {
    discardTemp(output.staged.staged);
    throw error;
  }
  commitStaged([output.staged, map.staged], overwrite, SITE);
  return { output: output.written, artefactMap: map.written };
}
