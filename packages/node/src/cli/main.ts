import { readFileSync } from 'node:fs';
import { isMriError } from '@duncan-mri/volume';
import { packageFile } from '../internal/package-paths.js';
import { UsageError } from './args.js';
import { bidsCommand } from './bids-command.js';
import { hasCommitted } from './context.js';
import { correctCommand } from './correct-command.js';
import { demoCommand } from './demo-command.js';
import { evaluateCommand } from './evaluate-command.js';
import { COMMANDS, type Command, HELP, MAIN_HELP } from './help.js';
import { infoCommand } from './info-command.js';
import { metricsCommand } from './metrics-command.js';
import { simulateCommand } from './simulate-command.js';
import { trainCommand } from './train-command.js';

const RUN: Record<Command, (argv: readonly string[]) => Promise<number | 'help'>> = {
  correct: correctCommand,
  simulate: simulateCommand,
  metrics: metricsCommand,
  train: trainCommand,
  info: infoCommand,
  demo: demoCommand,
  evaluate: evaluateCommand,
  bids: bidsCommand,
};

/** Runs the `duncan` CLI; resolves to the exit code (0 ok, 1 bad input or failure, 2 usage). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && (COMMANDS as readonly string[]).includes(topic)) {
      process.stdout.write(HELP[topic as Command]);
      return 0;
    }
    (command === undefined ? process.stderr : process.stdout).write(MAIN_HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    process.stderr.write(
      `duncan: unknown command ${JSON.stringify(command)}; commands: ${COMMANDS.join(', ')}\n`,
    );
    return 2;
  }
  const name = command as Command;
  // Files are committed synchronously (temporary files, then renames), so a signal handled
  // here never leaves half a file or half a group; `train` installs its own handler (it saves
  // a checkpoint first). Once the command has committed its outputs, an interrupt no longer
  // fails it: the work is done, so it finishes (a second Ctrl-C leaves at once, with success).
  let interrupted = false;
  const onSigint = () => {
    if (!hasCommitted()) {
      process.stderr.write(`\nduncan ${name}: interrupted\n`);
      process.exit(130);
    }
    if (interrupted) process.exit(0);
    interrupted = true;
    process.stderr.write(
      `\nduncan ${name}: interrupted after the outputs were written; finishing\n`,
    );
  };
  if (name !== 'train') process.on('SIGINT', onSigint);
  try {
    const code = await RUN[name](rest);
    if (code === 'help') {
      process.stdout.write(HELP[name]);
      return 0;
    }
    return code;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `duncan ${name}: ${unprefixed(error.message, name)}\nRun 'duncan ${name} --help' for usage.\n`,
      );
      return 2;
    }
    if (isMriError(error)) {
      const message = cliAdvice(unprefixed(error.message, name), name);
      process.stderr.write(`duncan ${name}: ${message} [${error.code}]\n`);
      return 1;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`duncan ${name}: unexpected error: ${message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** A message without the `duncan <command>: ` (or `duncan: `) that the CLI adds itself. */
function unprefixed(message: string, name: Command): string {
  for (const prefix of [`duncan ${name}: `, 'duncan: '])
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  return message;
}

/** The commands that take `--max-voxels` (the readers' `limits.maxVoxels`). */
const MAX_VOXELS_COMMANDS: readonly Command[] = ['correct', 'simulate', 'metrics', 'info'];

/**
 * The readers' advice is for library users (`raise limits.maxVoxels`); on the command line it
 * names the flag where there is one, and otherwise what a user can do.
 */
function cliAdvice(message: string, name: Command): string {
  return message.replace(/\(raise limits\.(\w+) to read this file\)/, (_, limit: string) =>
    limit !== 'maxVoxels'
      ? '(a safety limit of the readers against damaged or hostile files)'
      : MAX_VOXELS_COMMANDS.includes(name)
        ? '(raise it with --max-voxels <n> if the machine has the memory for it)'
        : `(a safety limit of the readers; ${MAX_VOXELS_COMMANDS.map((c) => `duncan ${c}`).join(', ')} take --max-voxels <n> to raise it)`,
  );
}
