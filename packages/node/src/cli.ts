#!/usr/bin/env node
// The `duncan` command (the package's bin). See `duncan --help`.
import { main } from './cli/main.js';

// A closed stdout (`duncan ... --json | head -1`) is not an error of ours: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// One SIGINT listener for the whole run. Node restores the default action (death by SIGINT)
// whenever the last listener goes, and the commands add and remove their own, so without this
// one an interrupt between two of them, or while Node shuts down, would kill the process. Alone
// before the command has finished, it acts as that default would (exit 130); once the command
// has finished, an interrupt must not turn its result into a failure.
let finished: number | undefined;
process.on('SIGINT', () => {
  if (finished !== undefined) process.exit(finished);
  if (process.listenerCount('SIGINT') === 1) process.exit(130);
});

/** Leaves with `code` once stdout and stderr have been written (explicitly: see above). */
function leave(code: number): void {
  finished = code;
  process.exitCode = code;
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => stream.write('', () => resolve()));
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() =>
    process.exit(code),
  );
  // Should a stream never flush (a stalled pipe), leave anyway.
  setTimeout(() => process.exit(code), 2000).unref();
}

main(process.argv.slice(2)).then(leave, (error: unknown) => {
  process.stderr.write(`duncan: ${error instanceof Error ? error.message : String(error)}\n`);
  leave(1);
});
