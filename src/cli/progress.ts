import { escapeTerminal } from '../report/escape.js';

/** A one-line progress counter on stderr, drawn only on a terminal so pipes and logs stay clean. */
export class Progress {
  private last = 0;
  constructor(
    private readonly enabled: boolean,
    private readonly total: number,
    private readonly write: (text: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  tick(done: number, domain: string): void {
    if (!this.enabled) return;
    const t = this.now();
    if (done < this.total && t - this.last < 100) return;
    this.last = t;
    this.write(`\r\u001b[K[${done}/${this.total}] ${escapeTerminal(domain).slice(0, 60)}`);
  }

  done(): void {
    if (this.enabled) this.write('\r\u001b[K');
  }
}
