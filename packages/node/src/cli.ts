#!/usr/bin/env node
// The `duncan` command (the package's bin). See `duncan --help`.
import { main } from './cli/main.js';

// A closed stdout (`duncan ... --json | head -1`) is not an error of ours: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // The command has finished: an interrupt while Node shuts down (workers, tfjs) must not
    // turn its result into a failure (exit 130).
    process.on('SIGINT', () => process.exit(code));
    // tfjs and the worker pool are closed by the commands; should anything still hold the
    // event loop, leave anyway once stdout has been written.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`duncan: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
