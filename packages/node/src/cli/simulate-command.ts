import {
  ARTEFACT_NAMES,
  type ArtefactName,
  type RecipeStep,
  SEVERITIES,
  type Severity,
  simulate,
} from '@duncan-mri/simulate';
import { createRng } from '@duncan-mri/volume';
import { readVolumeFile } from '../read-volume-file.js';
import { checkVolumeFileTarget, writeVolumeFile } from '../write-volume-file.js';
import {
  intOption,
  parseCommand,
  positional,
  readOptions,
  requireString,
  seriesOption,
  UsageError,
} from './args.js';
import { createContext, toJson } from './context.js';
import { assertOutputFree, writeFileAtomic } from './files.js';
import { OPTIONS } from './help.js';

export function artefactNames(raw: unknown): ArtefactName[] {
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => String(s).split(','));
  return list.map((name) => {
    if (!(ARTEFACT_NAMES as readonly string[]).includes(name))
      throw new UsageError(
        `--artefact must be one of ${ARTEFACT_NAMES.join(', ')}, got ${JSON.stringify(name)}`,
      );
    return name as ArtefactName;
  });
}

export function severityOption(raw: unknown): Severity {
  if (raw === undefined) return 'moderate';
  if (!(SEVERITIES as readonly unknown[]).includes(raw))
    throw new UsageError(
      `--severity must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  return raw as Severity;
}

export async function simulateCommand(argv: readonly string[]): Promise<number | 'help'> {
  const { values, positionals } = parseCommand(argv, OPTIONS.simulate);
  if (values.help) return 'help';
  const [inputArg] = positional(positionals, 1, '<input>');
  const output = requireString(values, 'output', '-o/--output');
  if (values.artefact === undefined) throw new UsageError('--artefact is required');
  const artefacts = artefactNames(values.artefact);
  const severity = severityOption(values.severity);
  const seed = intOption(values, 'seed', undefined, 0);
  if (seed === undefined)
    throw new UsageError('--seed is required (the same seed gives the same output)');
  const overwrite = values.overwrite === true;
  const ctx = createContext(values);
  const series = seriesOption(values);
  const input = await readVolumeFile(ctx.path(inputArg!), {
    ...(series === undefined ? {} : { series }),
    ...readOptions(values),
  });
  const inputs = [...input.files, input.path];
  assertOutputFree('duncan simulate', '--output', ctx.path(output), overwrite, inputs);
  const appliedPath = values.applied as string | undefined;
  if (appliedPath !== undefined) {
    if (ctx.path(appliedPath) === ctx.path(output))
      throw new UsageError('--applied must differ from --output');
    assertOutputFree('duncan simulate', '--applied', ctx.path(appliedPath), overwrite, inputs);
  }
  checkVolumeFileTarget(ctx.path(output), { source: input, overwrite, shape: input.volume.shape });
  const recipe = artefacts.map((artefact) => ({ artefact, severity }) as RecipeStep);
  const { volume, applied } = simulate(input.volume, recipe, createRng(seed));
  const written = await writeVolumeFile(ctx.path(output), volume, {
    source: input,
    overwrite,
    seriesDescription: `${input.dicom?.seriesDescription ?? 'series'} simulated ${artefacts.join('+')} (duncan-mri)`,
    derivationDescription: `Simulated ${artefacts.join(', ')} (${severity}, seed ${seed}) by duncan-mri`,
  });
  const record = { input: input.path, seed, severity, recipe, applied };
  if (appliedPath !== undefined)
    writeFileAtomic(ctx.path(appliedPath), `${toJson(record)}\n`, overwrite);
  ctx.committed();
  if (ctx.json) {
    ctx.out(toJson({ command: 'simulate', output: written.path, ...record, applied }));
  } else {
    ctx.out(`simulated ${artefacts.join(' + ')} (${severity}, seed ${seed}) -> ${written.path}`);
  }
  return 0;
}
