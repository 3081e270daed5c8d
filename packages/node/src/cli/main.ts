import { readFileSync } from 'node:fs';
import { isMriError } from '@duncan-mri/volume';
import { packageFile } from '../internal/package-paths.js';
import { UsageError } from './args.js';
import { bidsCommand } from './bids-command.js';
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
  // Files are written synchronously (temporary file, then rename), so a signal handled here
  // never leaves half a file; `train` installs its own handler (it saves a checkpoint first).
  const onSigint = () => {
    process.stderr.write(`\nduncan ${name}: interrupted\n`);
    process.exit(130);
  };
  if (name !== 'train') process.once('SIGINT', onSigint);
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
        `duncan ${name}: ${error.message}\nRun 'duncan ${name} --help' for usage.\n`,
      );
      return 2;
    }
    if (isMriError(error)) {
      process.stderr.write(`duncan ${name}: ${error.message} [${error.code}]\n`);
      return 1;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`duncan ${name}: unexpected error: ${message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
