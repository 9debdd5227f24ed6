/**
 * Counts what an agent says and prints as it arrives, against `[limits] output_bytes`. Bytes that
 * would go past the limit are refused, so nothing beyond it is ever stored; the first refusal
 * calls `onExceeded` (which stops the run) at once, not at the next poll.
 */
export class OutputMeter {
  readonly limit: number;
  readonly #onExceeded: (used: number) => void;
  #used = 0;
  #exceeded = false;

  constructor(limit: number, onExceeded: (used: number) => void) {
    this.limit = limit;
    this.#onExceeded = onExceeded;
  }

  /** Bytes taken so far (refused ones included). */
  get used(): number {
    return this.#used;
  }

  /** Counts `bytes`; false when they do not fit under the limit, and for everything after. */
  take(bytes: number): boolean {
    this.#used += bytes;
    if (this.#exceeded) return false;
    if (this.#used <= this.limit) return true;
    this.#exceeded = true;
    this.#onExceeded(this.#used);
    return false;
  }
}
