/** Where a progress bar writes: stderr, or a test double. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * A one-line progress bar on stderr: `label [#####.....] 12/40 30% 2.1/s ETA 13s extra`.
 * Drawn only when the stream is a terminal (or `force`), only once the task has run for a
 * second, at most ten times a second; `--json` output on stdout is never touched. Without a
 * terminal (forced) it prints a plain line every few seconds instead of redrawing.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly stream: ProgressStream = process.stderr,
    force = false,
  ) {
    this.tty = stream.isTTY === true;
    this.enabled = this.tty || force;
  }

  update(done: number, extra = '', total?: number): void {
    if (total !== undefined) this.total = total;
    if (!this.enabled) return;
    const now = Date.now();
    const elapsed = (now - this.started) / 1000;
    if (elapsed < 1 && done < this.total) return;
    if (now - this.lastDraw < (this.tty ? 100 : 2000) && done < this.total) return;
    if (!this.drawn && done >= this.total && elapsed < 1) return; // finished within a second
    this.lastDraw = now;
    this.drawn = true;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : Number.NaN;
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${Math.round(100 * fraction)}% ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)}/s ETA ${formatSeconds(eta)}${extra ? ` ${extra}` : ''}`;
    this.stream.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** Ends the line (if anything was drawn). */
  finish(): void {
    if (this.drawn && this.tty) this.stream.write('\n');
    this.drawn = false;
  }
}
