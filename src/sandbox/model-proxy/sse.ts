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
