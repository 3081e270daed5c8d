import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_SHRINKAGE } from '@duncan-mri/core';

/** A command-line mistake: exit code 2 with the command's usage hint. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One command-line option, declared once for both the parser and the help text. */
export interface CliOption {
  /** The long name, without `--`. */
  readonly name: string;
  /** A one-letter alias, without `-`. */
  readonly short?: string;
  /** The value's placeholder in the help (`<path>`); an option without one is a flag (boolean). */
  readonly value?: string;
  /** Takes every following word up to the next option (`--clean a.nii b.nii`). */
  readonly list?: boolean;
  /** May be given several times (`--artefact motion --artefact noise`). */
  readonly repeat?: boolean;
  /** The help text; a line break starts a continuation line. */
  readonly help: string;
}

/** The options every command takes. */
export const GLOBAL_OPTIONS: readonly CliOption[] = [
  {
    name: 'quiet',
    short: 'q',
    help: 'no notes on stderr (backend, progress); warnings and errors only',
  },
  { name: 'help', short: 'h', help: 'print this help' },
];

/** The flag column of an option in the help: `-o, --output <path>` or `    --model <dir>`. */
function flagsOf(option: CliOption): string {
  const value = option.value === undefined ? '' : ` ${option.value}`;
  return `${option.short === undefined ? '    ' : `-${option.short}, `}--${option.name}${value}`;
}

/**
 * The help's option lines: the flags padded to one column (26 wide, or the longest flags and a
 * space when they are longer), a space, then the text.
 */
export function helpLines(options: readonly CliOption[]): string {
  const longest = Math.max(...options.map((o) => flagsOf(o).length));
  const width = longest > 26 ? longest + 1 : 26;
  const indent = ' '.repeat(width + 3);
  return options
    .map((o) => {
      const [first, ...more] = o.help.split('\n');
      return [`  ${flagsOf(o).padEnd(width)} ${first}`, ...more.map((l) => `${indent}${l}`)]
        .map((l) => `${l}\n`)
        .join('');
    })
    .join('');
}

/**
 * `node:util` parseArgs, strict, with the command's declared `options` and the global ones, and
 * two additions: `list` options take every following word up to the next option
 * (`--clean a.nii b.nii`), and its errors become {@link UsageError}s.
 */
export function parseCommand(
  argv: readonly string[],
  options: readonly CliOption[],
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const spec: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> =
    {};
  for (const o of [...options, ...GLOBAL_OPTIONS]) {
    spec[o.name] = {
      type: o.value === undefined ? 'boolean' : 'string',
      ...(o.short === undefined ? {} : { short: o.short }),
      ...(o.list === true || o.repeat === true ? { multiple: true } : {}),
    };
  }
  const lists = options.filter((o) => o.list === true).map((o) => o.name);
  const expanded: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = argv[i + 1];
    if (
      name !== undefined &&
      spec[name]?.type === 'string' &&
      !lists.includes(name) &&
      next !== undefined &&
      /^-(\d|\.\d)/.test(next)
    ) {
      // `--workers -1`: parseArgs calls a value that starts with a dash "ambiguous"; a number is
      // plainly the option's value, which the option's own check then judges.
      expanded.push(`${arg}=${next}`);
      i++;
    } else if (name !== undefined && lists.includes(name)) {
      let j = i + 1;
      let any = false;
      while (j < argv.length && !argv[j]!.startsWith('-')) {
        expanded.push(arg, argv[j]!);
        any = true;
        j++;
      }
      if (!any) throw new UsageError(`option --${name} needs at least one value`);
      i = j - 1;
    } else {
      expanded.push(arg);
    }
  }
  try {
    const { values, positionals } = parseArgs({
      args: expanded,
      options: spec,
      strict: true,
      allowPositionals: true,
    });
    return {
      values: values as Record<string, string | boolean | string[] | undefined>,
      positionals,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** A whole number option within bounds (a usage error otherwise). */
export function intOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim()) || n < min || n > max) {
    const upTo = max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : '';
    const rule =
      min === 1
        ? `a positive integer${upTo}`
        : min === 0
          ? `an integer of 0 or more${upTo}`
          : `an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`;
    throw new UsageError(`--${name} must be ${rule}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A positive number option (a usage error otherwise). */
export function numberOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * `--shrinkage <k>`: the residual shrinkage of the correction (core's `shrinkage`), a finite
 * number of 0 or more; core's `DEFAULT_SHRINKAGE` (1) when not given, so that what a command
 * records is the value it used.
 */
export function shrinkageOption(values: Record<string, unknown>): number {
  const raw = values.shrinkage;
  if (raw === undefined) return DEFAULT_SHRINKAGE;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(
      `--shrinkage must be a number of 0 or more (0 turns it off), got ${JSON.stringify(raw)}`,
    );
  return n;
}

/** `--axis x|y|z|0|1|2` (default z). */
export function axisOption(values: Record<string, unknown>): 0 | 1 | 2 {
  const raw = values.axis;
  if (raw === undefined) return 2;
  const map: Record<string, 0 | 1 | 2> = { x: 0, y: 1, z: 2, '0': 0, '1': 1, '2': 2 };
  const axis = typeof raw === 'string' ? map[raw.toLowerCase()] : undefined;
  if (axis === undefined)
    throw new UsageError(`--axis must be x, y or z (or 0, 1, 2), got ${JSON.stringify(raw)}`);
  return axis;
}

/** `--series n|uid`: a 1-based position stays a number, anything else is a UID. */
export function seriesOption(values: Record<string, unknown>): number | string | undefined {
  const raw = values.series;
  if (typeof raw !== 'string') return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

export function requireString(
  values: Record<string, unknown>,
  name: string,
  what = `--${name}`,
): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`${what} is required`);
  return v;
}

export function positional(positionals: readonly string[], count: number, names: string): string[] {
  if (positionals.length < count) throw new UsageError(`missing ${names}`);
  if (positionals.length > count)
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[count])}`);
  return positionals.slice(0, count);
}

/**
 * The reading options of `--max-voxels <n>` (the readers' `limits.maxVoxels`) and `--strict`
 * (a DICOM directory with an unreadable file fails instead of skipping it with a warning).
 */
export function readOptions(values: Record<string, unknown>): {
  limits?: { maxVoxels: number };
  strict?: boolean;
} {
  const maxVoxels = intOption(values, 'max-voxels', undefined, 1);
  return {
    ...(maxVoxels === undefined ? {} : { limits: { maxVoxels } }),
    ...(values.strict === true ? { strict: true } : {}),
  };
}

/**
 * `--workers <n>` (0 to 256), capped at the core count with a warning: more workers than cores
 * only contend for them (32 workers on 2 cores ran 10x slower, at 5.6x the memory), and each
 * holds a copy of the model. Undefined when not given.
 */
export function workersOption(
  values: Record<string, unknown>,
  warn: (text: string) => void,
): number | undefined {
  const workers = intOption(values, 'workers', undefined, 0, 256);
  const cores = availableParallelism();
  if (workers === undefined || workers <= cores) return workers;
  warn(
    `warning: --workers ${workers} is more than the ${cores} cores here; using ${cores} (more workers only contend for the cores, and each holds a copy of the model)`,
  );
  return cores;
}
