/** A one-line progress bar on a TTY; on anything else, a line at each quarter. */
export class ProgressBar {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #total: number;
  #lastQuarter = -1;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, total: number) {
    this.#out = out;
    this.#total = Math.max(1, total);
  }

  update(sent: number, slowestReader: number): void {
    const fraction = Math.min(1, sent / this.#total);
    if (this.#out.isTTY === true) {
      const width = 30;
      const filled = Math.round(fraction * width);
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      this.#out.write(`\r[${bar}] ${String(Math.round(fraction * 100)).padStart(3)}%  sent ${sent}/${this.#total}  slowest reader ${slowestReader}`);
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter > this.#lastQuarter) {
      this.#lastQuarter = quarter;
      this.#out.write(`progress: ${quarter * 25}% (sent ${sent}/${this.#total} deltas, slowest reader ${slowestReader})\n`);
    }
  }

  finish(): void {
    if (this.#out.isTTY === true) this.#out.write('\n');
  }
}
