/**
 * Progress of a seed range on stderr: at most one update a second on a terminal (rewriting
 * one line), one every ten seconds otherwise (logs stay short). Wall time is fine here: it
 * only paces the messages, it never reaches the simulation.
 */
import type { Io } from './io';

/** Reports seeds done out of a total. */
export class Progress {
  private readonly started = Date.now();
  private last = Date.now();
  private shown = false;

  constructor(
    private readonly io: Io,
    private readonly label: string,
    private readonly total: number,
  ) {}

  /** Seconds since the start. */
  elapsedS(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** Called after each seed. */
  update(done: number, failures: number): void {
    const now = Date.now();
    const every = this.io.errIsTTY ? 1000 : 10_000;
    if (now - this.last < every || done === this.total) return;
    this.last = now;
    const line = `${this.label}: ${done}/${this.total} seeds, ${failures} failing, ${this.elapsedS().toFixed(1)} s`;
    if (this.io.errIsTTY) this.io.err(`\r\x1b[K${line}`);
    else this.io.err(`${line}\n`);
    this.shown = true;
  }

  /** Clears the progress line (terminal) before the final words. */
  clear(): void {
    if (this.shown && this.io.errIsTTY) this.io.err('\r\x1b[K');
  }
}
