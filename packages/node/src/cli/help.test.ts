import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS, parseCommand } from './args.js';
import { COMMANDS, HELP, OPTIONS } from './help.js';

/** The `--name`s of the option lines of a help text (the block after `Options:`). */
function helpOptions(help: string): string[] {
  const block = help.slice(help.indexOf('Options:\n')).split('\n\n')[0]!;
  return [...block.matchAll(/^ {2}(?:-\w, | {4})--([\w-]+)/gm)].map((m) => m[1]!);
}

describe('the CLI declares each option once', () => {
  it('every command parses exactly the options its help lists', () => {
    for (const command of COMMANDS) {
      const parsed = [...OPTIONS[command], ...GLOBAL_OPTIONS];
      const listed = helpOptions(HELP[command]);
      expect([command, listed.sort()]).toEqual([command, parsed.map((o) => o.name).sort()]);
      // ... and the parser takes each listed option (with a value where the help shows one)
      for (const option of parsed) {
        const argv = [`--${option.name}`, ...(option.value === undefined ? [] : ['1'])];
        const { values } = parseCommand(argv, OPTIONS[command]);
        const expected =
          option.value === undefined ? true : option.list || option.repeat ? ['1'] : '1';
        expect([command, option.name, values[option.name]]).toEqual([
          command,
          option.name,
          expected,
        ]);
        if (option.short !== undefined) {
          const short = parseCommand([`-${option.short}`, ...argv.slice(1)], OPTIONS[command]);
          expect(short.values[option.name]).toEqual(expected);
        }
      }
      expect(() => parseCommand(['--not-an-option'], OPTIONS[command])).toThrow(/Unknown option/);
    }
  });

  it('lists the options drift had left out of the help (train --backend, demo --progress)', () => {
    expect(helpOptions(HELP.train)).toContain('backend');
    expect(helpOptions(HELP.demo)).toContain('progress');
    for (const command of COMMANDS) expect(helpOptions(HELP[command])).toContain('quiet');
  });

  it('correct, evaluate and bids take --no-flips (one forward pass per slice), declared once', () => {
    for (const command of ['correct', 'evaluate', 'bids'] as const) {
      expect(helpOptions(HELP[command])).toContain('no-flips');
      expect(HELP[command]).toMatch(
        /--no-flips +no mirror averaging: one forward pass per slice instead of four\n +\(about 4x faster, slightly weaker correction\)/,
      );
      expect(parseCommand(['--no-flips'], OPTIONS[command]).values['no-flips']).toBe(true);
    }
    const declared = OPTIONS.correct.find((o) => o.name === 'no-flips');
    expect(OPTIONS.evaluate.find((o) => o.name === 'no-flips')).toBe(declared);
    expect(OPTIONS.bids.find((o) => o.name === 'no-flips')).toBe(declared);
  });

  it('correct, evaluate and bids take --shrinkage <k> (residual shrinkage), declared once', () => {
    for (const command of ['correct', 'evaluate', 'bids'] as const) {
      expect(helpOptions(HELP[command])).toContain('shrinkage');
      expect(HELP[command]).toMatch(
        /--shrinkage <k> +residual shrinkage: each slice's correction shrunk by k times the slice's\n +noise level, so that noise is not smoothed away \(default 1; 0 = off\)/,
      );
      expect(parseCommand(['--shrinkage', '0'], OPTIONS[command]).values.shrinkage).toBe('0');
    }
    const declared = OPTIONS.correct.find((o) => o.name === 'shrinkage');
    expect(OPTIONS.evaluate.find((o) => o.name === 'shrinkage')).toBe(declared);
    expect(OPTIONS.bids.find((o) => o.name === 'shrinkage')).toBe(declared);
  });

  it('no command imports another command', () => {
    const dir = new URL('./', import.meta.url);
    const commands = readdirSync(dir).filter((f) => /-command\.ts$/.test(f));
    expect(commands.length).toBe(COMMANDS.length);
    for (const file of commands) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      const imported = [...source.matchAll(/from '\.\/([\w-]+)\.js'/g)].map((m) => m[1]!);
      expect([file, imported.filter((m) => m.endsWith('-command'))]).toEqual([file, []]);
    }
  });
});
