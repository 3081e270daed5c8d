import { type Volume, withData } from '@duncan-mri/volume';
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
  /** The corrected volume (non-finite input voxels are NaN again). */
  readonly corrected: Volume;
  /** `input - corrected` (NaN where the input was not finite). */
  readonly artefactMap: Volume;
  /** The volume the network saw: the input with non-finite voxels set to 0. */
  readonly input: Volume;
  /** How many input voxels were NaN or infinite (corrected as 0, written back as NaN). */
  readonly nonFinite: number;
}

/**
 * The correction of `duncan correct` and `duncan bids`: the input's non-finite voxels (NaN
 * outside the brain of processed images, say) are corrected as 0 and set back to NaN in both
 * outputs, so a NaN never reaches the network and never leaves as a number.
 */
export async function correctVolumeFile(
  corrector: NodeCorrector,
  input: VolumeFile,
  options: {
    readonly axis: 0 | 1 | 2;
    readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
  },
): Promise<CorrectedVolumeFile> {
  const bad: number[] = [];
  input.volume.data.forEach((v, i) => {
    if (!Number.isFinite(v)) bad.push(i);
  });
  let volume = input.volume;
  if (bad.length > 0) {
    const data = Float32Array.from(volume.data);
    for (const i of bad) data[i] = 0;
    volume = withData(volume, data);
  }
  let { corrected, artefactMap } = await corrector.correct(volume, {
    axis: options.axis,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  if (bad.length > 0) {
    const c = Float32Array.from(corrected.data);
    const a = Float32Array.from(artefactMap.data);
    for (const i of bad) {
      c[i] = Number.NaN;
      a[i] = Number.NaN;
    }
    corrected = withData(corrected, c);
    artefactMap = withData(artefactMap, a);
  }
  return { corrected, artefactMap, input: volume, nonFinite: bad.length };
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
