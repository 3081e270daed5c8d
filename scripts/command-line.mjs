// The command line of the repository's own scripts, benches and smoke tests (not part of any
// package): `--name value` options and `--name` flags, read from process.argv.
const args = process.argv.slice(2);

/** The word after `--name` on the command line; `fallback` when `--name` is absent. */
export function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

/** Whether `--name` is on the command line. */
export function flag(name) {
  return args.includes(`--${name}`);
}
