import type { EventDef, EventName, UpdateEvents } from "../store/index.ts";
import type { OutputMeter } from "./output-meter.ts";
import type { RunRecorder } from "./recorder.ts";
import type { AgentUpdate } from "../agents/index.ts";

/** A joined message is stored once it reaches this size, so one event never grows without bound. */
const JOIN_BYTES = 64 * 1024;
/**
 * A message is also stored once the agent pauses this long, or once it has been joining for
 * MAX_AGE_MS: what an agent said before it went quiet shows at once, and a long stream still shows
 * as activity (the supervisor's stall watch reads the latest event).
 */
const IDLE_MS = 1000;
const MAX_AGE_MS = 10_000;

type Text = Extract<AgentUpdate, { kind: "message" | "thought" }>;

/**
 * Where an agent's updates go on their way to the store. Each is metered against the output limit
 * as it arrives, and one past the limit is dropped. Message (and thought) fragments are joined:
 * an answer streamed in a thousand chunks is one message event, stored at the next
 * boundary — another kind of update, the end of the turn (`flush`), a size cap, or a pause.
 */
export class AgentUpdateSink {
  readonly #recorder: RunRecorder;
  readonly #meter: OutputMeter;
  readonly #events: UpdateEvents;
  readonly #data: { attempt: number } | { round: number };
  #pending: { kind: Text["kind"]; parts: string[]; bytes: number; since: number } | undefined;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    recorder: RunRecorder,
    meter: OutputMeter,
    events: UpdateEvents,
    data: { attempt: number } | { round: number },
  ) {
    this.#recorder = recorder;
    this.#meter = meter;
    this.#events = events;
    this.#data = data;
  }

  push(update: AgentUpdate): void {
    const text = update.kind === "message" || update.kind === "thought";
    const bytes = text ? Buffer.byteLength(update.text) : Buffer.byteLength(JSON.stringify(update));
    if (!this.#meter.take(bytes)) {
      this.flush();
      return;
    }
    if (!text) {
      this.flush();
      this.#store(update);
      return;
    }
    const now = Date.now();
    if (this.#pending?.kind !== update.kind || now - this.#pending.since >= MAX_AGE_MS) this.flush();
    this.#pending ??= { kind: update.kind, parts: [], bytes: 0, since: now };
    this.#pending.parts.push(update.text);
    this.#pending.bytes += bytes;
    if (this.#pending.bytes >= JOIN_BYTES) this.flush();
    else {
      clearTimeout(this.#idle);
      this.#idle = setTimeout(() => this.flush(), IDLE_MS);
      this.#idle.unref();
    }
  }

  /** Stores the message being joined, if any (at the end of a turn). */
  flush(): void {
    clearTimeout(this.#idle);
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) this.#store({ kind: pending.kind, text: pending.parts.join("") });
  }

  #store(update: AgentUpdate): void {
    // BUILDER_UPDATE_EVENTS and REVIEWER_UPDATE_EVENTS pair each kind with the event whose payload
    // is that update with the attempt (or the round) the sink was made with.
    const def = this.#events[update.kind] as EventDef<EventName, object>;
    this.#recorder.enqueue(def, { ...this.#data, ...update });
  }
}
