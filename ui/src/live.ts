import type { GafferEvent } from "./types.ts";

type Listener = (event: GafferEvent) => void;

/**
 * One EventSource on /api/stream for the whole page. The browser resends the last id it saw
 * (Last-Event-ID) when it reconnects; if the stream closes for good it is reopened after that id,
 * so a server restart loses nothing.
 */
export class LiveFeed {
  #source: EventSource | undefined;
  #lastId = 0;
  #seen = 0;
  readonly #listeners = new Set<Listener>();
  readonly #status: HTMLElement;

  constructor(status: HTMLElement) {
    this.#status = status;
  }

  get lastId(): number {
    return this.#lastId;
  }

  /** Starts (once) after `after`: the event id the page's first read was current to. */
  start(after: number): void {
    if (this.#source) return;
    this.#lastId = after;
    document.body.dataset.feedFrom = String(after);
    this.#open();
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #open(): void {
    const source = new EventSource(`api/stream?after=${this.#lastId}`);
    this.#source = source;
    source.addEventListener("ready", () => this.#say("live", "live"));
    source.addEventListener("gaffer", (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as GafferEvent;
      if (event.id <= this.#lastId) return;
      this.#lastId = event.id;
      this.#seen += 1;
      // What the page has seen, for anyone checking the feed missed nothing: ids are consecutive.
      document.body.dataset.lastEventId = String(event.id);
      document.body.dataset.eventsSeen = String(this.#seen);
      for (const listener of this.#listeners) listener(event);
    });
    source.addEventListener("error", () => {
      this.#say("reconnecting…", "down");
      if (source.readyState === EventSource.CLOSED) {
        this.#source = undefined;
        setTimeout(() => this.#open(), 1000);
      }
    });
  }

  #say(text: string, state: string): void {
    this.#status.textContent = text;
    this.#status.dataset.state = state;
  }
}
