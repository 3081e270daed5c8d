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

/**
 * The number after `--name` (`fallback` when absent), checked: at least `min`, at most `max`
 * (when given), a whole number when `integer`. Throws an Error that names the option and the
 * word given.
 */
export function numberOption(name, fallback, { min, max, integer = false }) {
  const n = Number(option(name, fallback));
  const ok =
    Number.isFinite(n) &&
    n >= min &&
    (max === undefined || n <= max) &&
    (!integer || Number.isInteger(n));
  if (!ok) {
    const what = integer
      ? `a whole number from ${min} to ${max}`
      : `a number of ${min} or more${max === undefined ? '' : ` and at most ${max}`}`;
    throw new Error(`--${name} must be ${what}, got ${option(name)}`);
  }
  return n;
}
