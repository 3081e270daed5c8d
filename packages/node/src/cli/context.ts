import { resolve } from 'node:path';
import { ProgressBar, type ProgressStream } from '../internal/progress-bar.js';

/** Where a --quiet bar draws: nowhere (not a terminal, so never enabled). */
const QUIET_STREAM: ProgressStream = { isTTY: false, write: () => true };

/** What a command needs from the process: output streams, flags, paths. */
export interface Context {
  /** The command's results: JSON (with --json) or the human-readable report. */
  out(text: string): void;
  /** Notes for people (backend, files written): stderr, silent with --quiet. */
  note(text: string): void;
  /** Warnings (something odd about an input): stderr, even with --quiet. */
  warn(text: string): void;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly forceProgress: boolean;
  /** Resolves a path the user typed. */
  path(p: string): string;
  progress(label: string, total: number): ProgressBar;
  /**
   * Says that the command's outputs are in place: an interrupt (Ctrl-C) from now on no longer
   * fails the command (exit 130) but lets it finish, since its work is done.
   */
  committed(): void;
}

let outputsCommitted = false;

/** Whether the running command has said that its outputs are in place ({@link Context.committed}). */
export function hasCommitted(): boolean {
  return outputsCommitted;
}

export function createContext(values: Record<string, unknown>): Context {
  const json = values.json === true;
  const quiet = values.quiet === true;
  const forceProgress = values.progress === true;
  const line = (text: string) => {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  return {
    out: (text) => {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    note: (text) => {
      if (!quiet) line(text);
    },
    warn: line,
    json,
    quiet,
    forceProgress,
    path: (p) => resolve(process.cwd(), p),
    // --quiet hides the bar on a terminal too, unless --progress asks for it.
    progress: (label, total) =>
      new ProgressBar(
        label,
        total,
        quiet && !forceProgress ? QUIET_STREAM : process.stderr,
        forceProgress,
      ),
    committed: () => {
      outputsCommitted = true;
    },
  };
}

/** A number for tables: 4 significant decimals, `n/a` for null, `inf` for Infinity. */
export function formatMetric(value: number | null, digits = 4): string {
  if (value === null) return 'n/a';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  return value.toFixed(digits);
}

/** JSON with non-finite numbers as null. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
}
