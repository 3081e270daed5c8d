import { resolve } from 'node:path';
import { ProgressBar } from '../internal/progress-bar.js';

/** What a command needs from the process: output streams, flags, paths. */
export interface Context {
  /** The command's results: JSON (with --json) or the human-readable report. */
  out(text: string): void;
  /** Notes for people (backend, files written): always stderr. */
  note(text: string): void;
  readonly json: boolean;
  readonly forceProgress: boolean;
  /** Resolves a path the user typed. */
  path(p: string): string;
  progress(label: string, total: number): ProgressBar;
}

export function createContext(values: Record<string, unknown>): Context {
  const json = values.json === true;
  const forceProgress = values.progress === true;
  return {
    out: (text) => {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    note: (text) => {
      process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    json,
    forceProgress,
    path: (p) => resolve(process.cwd(), p),
    progress: (label, total) => new ProgressBar(label, total, process.stderr, forceProgress),
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
