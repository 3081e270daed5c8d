import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressBar } from './progress-bar.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

describe('ProgressBar', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('draws on a terminal only after a second, in place, with rate and ETA', () => {
    const s = stream(true);
    const bar = new ProgressBar('correct', 10, s);
    bar.update(1);
    expect(s.writes).toEqual([]); // under a second: nothing
    vi.setSystemTime(2000);
    bar.update(4, 'slices');
    expect(s.writes).toHaveLength(1);
    expect(s.writes[0]).toBe(
      `\r\u001b[2Kcorrect [${'#'.repeat(10)}${'.'.repeat(14)}] 4/10 40% 2.00/s ETA 3s slices`,
    );
    vi.setSystemTime(2050);
    bar.update(5); // redraws at most ten times a second
    expect(s.writes).toHaveLength(1);
    vi.setSystemTime(4000);
    bar.update(10);
    bar.finish();
    expect(s.writes.at(-2)).toMatch(/10\/10 100%/);
    expect(s.writes.at(-1)).toBe('\n');
  });

  it('stays silent off a terminal unless forced, and for tasks done within a second', () => {
    const quiet = stream(false);
    const bar = new ProgressBar('x', 2, quiet);
    vi.setSystemTime(5000);
    bar.update(1);
    bar.finish();
    expect(quiet.writes).toEqual([]);
    const forced = stream(false);
    const f = new ProgressBar('x', 2, forced, true);
    vi.setSystemTime(7000);
    f.update(1);
    expect(forced.writes[0]).toMatch(/^x \[.*\] 1\/2 50% .*\n$/);
    const fast = stream(true);
    const g = new ProgressBar('x', 2, fast);
    vi.setSystemTime(7500);
    g.update(2);
    g.finish();
    expect(fast.writes).toEqual([]);
  });
});
