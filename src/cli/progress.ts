import { escapeTerminal } from '../report/escape.js';

/**
 * A one-line progress counter with rate and ETA on stderr, drawn only on a terminal so pipes
 * and logs stay clean. `total` counts input lines (an upper bound on domains), so the ETA errs long.
 */
export class Progress {
  private last = 0;
  private readonly started: number;
  constructor(
    private readonly enabled: boolean,
    private readonly total: number | undefined,
    private readonly write: (text: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  tick(done: number, domain: string): void {
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.last < 100) return;
    this.last = t;
    const secs = (t - this.started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const of = this.total ? `/${this.total}` : '';
    const eta = this.total && rate > 0 ? ` ETA ${Math.max(0, Math.round((this.total - done) / rate))} s` : '';
    this.write(`\r\u001b[K[${done}${of}] ${rate.toFixed(0)}/s${eta} ${escapeTerminal(domain).slice(0, 50)}`);
  }

  done(): void {
    if (this.enabled) this.write('\r\u001b[K');
  }
}
