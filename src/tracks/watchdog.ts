/**
 * The no-progress give-up, kept by gaffer and not by the agent: a timer that fires when nothing
 * counted as progress (a task committed, a gate that met its goal) happened for `limitMs`, and
 * aborts its signal so the run in flight is cancelled with its workspace kept.
 */
export class ProgressWatchdog {
  readonly #limitMs: number;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #last = Date.now();

  constructor(limitMs: number) {
    this.#limitMs = limitMs;
    this.progress();
  }

  /** Aborted once the limit passed without progress. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get fired(): boolean {
    return this.#controller.signal.aborted;
  }

  /** How long ago the last progress was. */
  get quietMs(): number {
    return Date.now() - this.#last;
  }

  progress(): void {
    if (this.fired) return;
    this.#last = Date.now();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#controller.abort(), this.#limitMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
