import { appendEvent, type Db, type Run, type Transition, transitionRun } from "../store/index.ts";

/** A progress notification: every event the engine records, as it is recorded. */
export interface RunNotice {
  runId: number;
  type: string;
  at: number;
  data: Record<string, unknown>;
}

export interface RunObserver {
  onNotice(notice: RunNotice): void;
}

/**
 * Writes a run's events and transitions to the store, then tells the observer. Agent updates
 * arrive synchronously from drivers; they are queued so they are stored in order.
 */
export class RunRecorder {
  readonly #db: Db;
  readonly #run: { id: number; itemId: number };
  readonly #observer: RunObserver | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(db: Db, run: { id: number; itemId: number }, observer?: RunObserver) {
    this.#db = db;
    this.#run = run;
    this.#observer = observer;
  }

  get runId(): number {
    return this.#run.id;
  }

  /** Appends an event, inside the caller's transaction when `db` is one. */
  async event(type: string, data: Record<string, unknown> = {}, db: Db = this.#db): Promise<void> {
    const at = Date.now();
    await appendEvent(db, { runId: this.#run.id, itemId: this.#run.itemId, type, data }, at);
    this.#notify(type, data, at);
  }

  /** Tells the observer about an event the store already recorded (in a repository's transaction). */
  announce(type: string, data: Record<string, unknown>): void {
    this.#notify(type, data, Date.now());
  }

  /** Records without waiting; `flush()` waits for everything queued. */
  enqueue(type: string, data: Record<string, unknown>): void {
    this.#queue = this.#queue.then(() => this.event(type, data)).catch(() => {});
  }

  flush(): Promise<void> {
    return this.#queue;
  }

  async transition(db: Db, t: Transition): Promise<Run> {
    const at = Date.now();
    const run = await transitionRun(db, this.#run.id, t, at);
    this.#notify(t.event, { state: t.to, ...t.data }, at);
    return run;
  }

  #notify(type: string, data: Record<string, unknown>, at: number): void {
    this.#observer?.onNotice({ runId: this.#run.id, type, at, data });
  }
}
