import { GafferError } from "../errors.ts";
import {
  appendEvent,
  type Db,
  type EventBody,
  type EventDef,
  type EventName,
  type Move,
  moveRun,
  type Run,
  RUN_TRANSITIONS,
  type RunTransitionName,
} from "../store/index.ts";

/** A progress notification: every event the engine records, as it is recorded. */
export type RunNotice = EventBody & { runId: number; at: number };

export interface RunObserver {
  onNotice(notice: RunNotice): void;
}

/**
 * Writes a run's events and transitions to the store, then tells the observer. Agent updates
 * arrive synchronously from drivers; they are queued so they are stored in order. A queued event
 * the store cannot take is never dropped in silence: `flush()` throws it, and a security event
 * (EventDef.security) calls `onLost` at once so the run stops rather than go on without it.
 */
export class RunRecorder {
  readonly #db: Db;
  readonly #run: { id: number; itemId: number };
  readonly #observer: RunObserver | undefined;
  readonly #onLost: ((error: GafferError) => void) | undefined;
  #queue: Promise<void> = Promise.resolve();
  #lost: GafferError | undefined;

  constructor(
    db: Db,
    run: { id: number; itemId: number },
    observer?: RunObserver,
    onLost?: (error: GafferError) => void,
  ) {
    this.#db = db;
    this.#run = run;
    this.#observer = observer;
    this.#onLost = onLost;
  }

  get runId(): number {
    return this.#run.id;
  }

  /** Appends an event, inside the caller's transaction when `db` is one. */
  async event<N extends EventName, P extends object>(
    def: EventDef<N, P>,
    data: P,
    db: Db = this.#db,
  ): Promise<void> {
    const at = Date.now();
    await appendEvent(db, { runId: this.#run.id, itemId: this.#run.itemId }, def, data, at);
    this.#notify(def, data, at);
  }

  /** Tells the observer about something shown, not stored (the store recorded it already, or never does). */
  announce<N extends EventName, P extends object>(def: EventDef<N, P>, data: P): void {
    this.#notify(def, data, Date.now());
  }

  /** Records without waiting; `flush()` waits for everything queued. */
  enqueue<N extends EventName, P extends object>(def: EventDef<N, P>, data: P): void {
    this.#queue = this.#queue
      .then(() => this.event(def, data))
      .catch((error: unknown) => {
        const lost = new GafferError(
          "store-unavailable",
          `run ${this.#run.id}: the store could not record ${def.name}: ${error instanceof Error ? error.message : String(error)}`,
          "the run stops here; fix the store (disk space, permissions), then resume it",
        );
        this.#lost ??= lost;
        if (def.security) this.#onLost?.(lost);
      });
  }

  /** Waits for every queued event; throws the first the store could not take. */
  async flush(): Promise<void> {
    await this.#queue;
    if (this.#lost) throw this.#lost;
  }

  /** Moves the run along a named transition (RUN_TRANSITIONS), with its event, in one transaction. */
  async move<T extends RunTransitionName>(db: Db, name: T, move: Move<T>): Promise<Run> {
    const at = Date.now();
    const run = await moveRun(db, this.#run.id, name, move, at);
    this.#notify(RUN_TRANSITIONS[name].event, { state: RUN_TRANSITIONS[name].to, ...move.data }, at);
    return run;
  }

  #notify(def: EventDef<EventName>, data: object, at: number): void {
    // The definition pairs the name with its payload's type; the callers' signatures checked `data`.
    this.#observer?.onNotice({ runId: this.#run.id, at, type: def.name, data } as RunNotice);
  }
}
