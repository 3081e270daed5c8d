import { orientation, spacing } from '@duncan-mri/volume';
import { readVolumeFile } from '../read-volume-file.js';
import { installedNodeBackends } from '../use-node-backend.js';
import { parseCommand, positional, readOptions, seriesOption } from './args.js';
import { createContext, toJson } from './context.js';
import { OPTIONS } from './help.js';

export async function infoCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, OPTIONS.info);
  if (values.help) return 'help';
  const [inputArg] = positional(positionals, 1, '<input>');
  const ctx = createContext(values);
  const series = seriesOption(values);
  // info lists every series; without --series it describes the first.
  const file = await readVolumeFile(ctx.path(inputArg!), {
    series: series ?? 1,
    ...readOptions(values),
  });
  const { volume } = file;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nonFinite = 0;
  for (const v of volume.data) {
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const d = file.dicom;
  const n = file.nifti;
  const datatype = n
    ? n.datatypeName
    : d
      ? `${d.pixelRepresentation === 1 ? 'int' : 'uint'}${d.bitsAllocated} (BitsStored ${d.bitsStored})`
      : 'unknown';
  const info = {
    path: file.path,
    format: file.format,
    shape: volume.shape,
    spacingMm: spacing(volume.affine).map((s) => Math.round(s * 1e4) / 1e4),
    orientation: orientation(volume.affine).join(''),
    datatype,
    scaling: n
      ? { slope: n.appliedSlope, intercept: n.appliedInter }
      : d
        ? { slope: d.rescaleSlopes[0] ?? 1, intercept: d.rescaleIntercepts[0] ?? 0 }
        : null,
    intensityRange: nonFinite === volume.data.length ? null : [min, max],
    nonFiniteVoxels: nonFinite,
    frames: n ? n.frames : undefined,
    affine: volume.affine,
    modality: d?.modality,
    seriesDescription: d?.seriesDescription,
    storage: d?.storage,
    transferSyntax: d?.transferSyntax,
    series: file.series,
    files: file.files.length,
    warnings: file.warnings,
    // What `duncan correct` would try, in order (installed or not; nothing is loaded).
    backends: installedNodeBackends(),
  };
  if (ctx.json) {
    ctx.out(toJson(info));
    return 0;
  }
  const lines = [
    `path         ${info.path}`,
    `format       ${info.format}${d ? ` (${d.storage}, ${file.files.length} file${file.files.length === 1 ? '' : 's'})` : ''}`,
    `shape        ${volume.shape.join(' x ')}${n && n.frames > 1 ? ` (frame ${n.frame + 1} of ${n.frames})` : ''}`,
    `spacing      ${info.spacingMm.join(' x ')} mm`,
    `orientation  ${info.orientation} (RAS+ world, voxel axes x y z)`,
    `datatype     ${datatype}${info.scaling && (info.scaling.slope !== 1 || info.scaling.intercept !== 0) ? `, scaled x${info.scaling.slope} + ${info.scaling.intercept}` : ''}`,
    `intensity    ${info.intensityRange ? `${min} .. ${max}` : 'no finite voxels'}${nonFinite ? ` (${nonFinite} non-finite voxels)` : ''}`,
  ];
  if (d)
    lines.push(
      `modality     ${d.modality ?? '?'}; series ${d.seriesNumber ?? '?'} ${d.seriesDescription ?? ''}`.trimEnd(),
    );
  if (file.series.length > 0) {
    lines.push(
      `series       ${file.series.length} found${file.series.length > 1 ? ` (describing ${series ?? 1}; choose with --series <n|uid>)` : ''}:`,
    );
    for (const s of file.series) {
      lines.push(
        `  ${s.index}. ${s.seriesNumber ?? '-'} ${s.seriesDescription ?? '(no description)'}  ${s.shape.join('x')}  ${s.modality ?? ''}  ${s.seriesInstanceUid ?? ''}`,
      );
    }
  }
  for (const w of file.warnings) lines.push(`warning      ${w}`);
  lines.push(
    `backends     ${info.backends
      .map((b) =>
        b.installed
          ? `${b.backend}${b.version ? ` ${b.version}` : ''}`
          : `(${b.backend}: not installed)`,
      )
      .join(', ')} (correct tries them in this order)`,
  );
  ctx.out(lines.join('\n'));
  return 0;
}
