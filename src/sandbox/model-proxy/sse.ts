/**
 * An incremental Server-Sent Events reader: text goes in as it arrives, cut anywhere, and each
 * event's joined `data:` lines come out once its blank line arrives. Other fields are ignored.
 * A line longer than `maxLine` is dropped whole (its event is then incomplete and not parsed).
 */
export class SseReader {
  readonly #onData: (data: string) => void;
  readonly #maxLine: number;
  #partial = "";
  #overlong = false;
  #data: string[] = [];

  constructor(onData: (data: string) => void, maxLine = 4 * 1024 * 1024) {
    this.#onData = onData;
    this.#maxLine = maxLine;
  }

  push(text: string): void {
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end < 0) break;
      const line = this.#overlong ? undefined : this.#partial + text.slice(start, end);
      this.#partial = "";
      this.#overlong = false;
      if (line !== undefined) this.#line(line.endsWith("\r") ? line.slice(0, -1) : line);
      start = end + 1;
    }
    const rest = text.slice(start);
    if (this.#overlong || this.#partial.length + rest.length > this.#maxLine) {
      this.#partial = "";
      this.#overlong = true;
    } else this.#partial += rest;
  }

  /** The stream ended: an event not closed by a blank line still counts. */
  end(): void {
    if (!this.#overlong && this.#partial) this.#line(this.#partial);
    this.#line("");
  }

  #line(line: string): void {
    if (line === "") {
      if (this.#data.length > 0) this.#onData(this.#data.join("\n"));
      this.#data = [];
      return;
    }
    if (line.startsWith("data:")) this.#data.push(line.slice(line[5] === " " ? 6 : 5));
  }
}

/**
 * Cuts a byte stream of Server-Sent Events at blank lines and hands an SseReader only the runs of
 * whole events whose bytes hold `marker`, and passes on the data of those events that hold it;
 * everything else is skipped as bytes, never decoded or split into lines: a stream's bulk (text
 * deltas) costs one native search for the marker per chunk. An event that would have to be held
 * past `maxEvent` bytes, waiting for its end, is dropped whole.
 */
export class SseSieve {
  readonly #reader: SseReader;
  readonly #marker: Buffer;
  readonly #maxEvent: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #overlong = false;

  constructor(marker: string, onData: (data: string) => void, maxEvent = 4 * 1024 * 1024) {
    this.#reader = new SseReader((data) => data.includes(marker) && onData(data), maxEvent);
    this.#marker = Buffer.from(marker);
    this.#maxEvent = maxEvent;
  }

  push(chunk: Buffer): void {
    // An overlong event ends at the first blank line; what follows it is read as usual.
    const cut = this.#overlong ? this.#firstBoundary(chunk) : this.#lastBoundary(chunk);
    if (cut < 0) return this.#hold(chunk);
    const head = chunk.subarray(0, cut);
    if (!this.#overlong && this.#marked(head)) {
      this.#reader.push(Buffer.concat([...this.#pending, head]).toString("utf8"));
    }
    const overlong = this.#overlong;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#overlong = false;
    if (overlong) this.push(chunk.subarray(cut));
    else this.#hold(chunk.subarray(cut));
  }

  /** The stream ended: an event not closed by a blank line still counts. */
  end(): void {
    const rest = Buffer.concat(this.#pending);
    if (!this.#overlong && rest.includes(this.#marker)) this.#reader.push(rest.toString("utf8"));
    this.#reader.end();
  }

  /** Whether the held bytes and `head` together hold the marker, without joining them all. */
  #marked(head: Buffer): boolean {
    if (head.includes(this.#marker)) return true;
    if (this.#pendingBytes === 0) return false;
    const held = Buffer.concat(this.#pending);
    const seam = this.#marker.length - 1;
    return (
      held.includes(this.#marker) ||
      Buffer.concat([held.subarray(-seam), head.subarray(0, seam)]).includes(this.#marker)
    );
  }

  /** Keeps bytes of an event not yet ended; of an overlong one, only its last two (for its end). */
  #hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes > this.#maxEvent) this.#overlong = true;
    this.#pending = this.#overlong
      ? [Buffer.concat([...this.#pending, bytes]).subarray(-2)]
      : [...this.#pending, bytes];
  }

  /**
   * Where the chunk's last blank line ends (one begun in the bytes held counts), or -1. It looks
   * back from the chunk's end one line feed at a time: an event is a few lines, so this stops soon.
   */
  #lastBoundary(chunk: Buffer): number {
    for (let at = chunk.lastIndexOf(LF); at >= 0; at = at === 0 ? -1 : chunk.lastIndexOf(LF, at - 1)) {
      if (this.#endsBlankLine(chunk, at)) return at + 1;
    }
    return -1;
  }

  /** Where the chunk's first blank line ends, or -1. */
  #firstBoundary(chunk: Buffer): number {
    for (let at = chunk.indexOf(LF); at >= 0; at = chunk.indexOf(LF, at + 1)) {
      if (this.#endsBlankLine(chunk, at)) return at + 1;
    }
    return -1;
  }

  /** Whether the line feed at `at` ends an empty line (`\n\n` or `\n\r\n`, the held bytes included). */
  #endsBlankLine(chunk: Buffer, at: number): boolean {
    const before = at >= 1 ? chunk[at - 1] : this.#heldByte(1);
    const twoBefore = at >= 2 ? chunk[at - 2] : this.#heldByte(2 - at);
    return before === LF || (before === CR && twoBefore === LF);
  }

  /** The held byte `back` places before the chunk (1: the last one held). */
  #heldByte(back: number): number | undefined {
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      const part = this.#pending[i] as Buffer;
      if (back <= part.length) return part[part.length - back];
      back -= part.length;
    }
    return undefined;
  }
}

const LF = 0x0a;
const CR = 0x0d;
