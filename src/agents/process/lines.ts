const MAX_LINE = 64 * 1024;

/** Turns a byte stream into whole lines (the last partial line comes out on flush). */
export class LineSplitter {
  readonly #emit: (line: string) => void;
  readonly #decoder = new TextDecoder();
  #pending = "";

  constructor(emit: (line: string) => void) {
    this.#emit = emit;
  }

  add(chunk: Buffer): void {
    const lines = (this.#pending + this.#decoder.decode(chunk, { stream: true })).split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) this.#emit(line.replace(/\r$/, ""));
    // A line that never ends still comes out, in pieces.
    if (this.#pending.length > MAX_LINE) {
      this.#emit(this.#pending);
      this.#pending = "";
    }
  }

  flush(): void {
    const rest = this.#pending + this.#decoder.decode();
    this.#pending = "";
    if (rest) this.#emit(rest);
  }
}
