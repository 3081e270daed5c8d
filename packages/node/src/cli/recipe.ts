import { readFileSync } from 'node:fs';
import { ARTEFACT_NAMES, type RecipeStep, SEVERITIES } from '@duncan-mri/simulate';
import { MriError } from '@duncan-mri/volume';
import { UsageError } from './args.js';

/**
 * A text file a command reads (a recipe or a configuration), its failure an `IO_ERROR` that
 * names the path as the user typed it (`shown`).
 */
export function readTextFile(where: string, path: string, shown: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new MriError(
      'IO_ERROR',
      `${where}: could not read ${JSON.stringify(shown)}: ${error instanceof Error ? error.message : String(error)}`,
      { argument: shown, cause: error },
    );
  }
}

/** `motion:moderate,noise:mild`, JSON (`[{"artefact":"motion","severity":"severe"}]`) or a .json file. */
export function parseRecipe(text: string, readFile: (p: string) => string): RecipeStep[] {
  let source = text.trim();
  if (source.toLowerCase().endsWith('.json') && !source.startsWith('[')) source = readFile(source);
  if (source.startsWith('[') || source.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch (error) {
      throw new UsageError(`--simulate must be valid JSON: ${(error as Error).message}`);
    }
    return (Array.isArray(parsed) ? parsed : [parsed]) as RecipeStep[];
  }
  return source.split(',').map((part) => {
    const [artefact, severity = 'moderate'] = part.split(':').map((s) => s.trim());
    if (!(ARTEFACT_NAMES as readonly string[]).includes(artefact!))
      throw new UsageError(
        `--simulate names artefacts among ${ARTEFACT_NAMES.join(', ')}, got ${JSON.stringify(artefact)}`,
      );
    if (!(SEVERITIES as readonly string[]).includes(severity))
      throw new UsageError(
        `--simulate severities are ${SEVERITIES.join(', ')}, got ${JSON.stringify(severity)}`,
      );
    return { artefact, severity } as RecipeStep;
  });
}
