import { GafferError } from "../errors.ts";

/** One line of a text file and the exact line ending that followed it ("" for a last line without one). */
export interface Line {
  text: string;
  eol: "" | "\n" | "\r\n";
}

/**
 * A text file as lines that join back to the very same string: each line keeps its own ending
 * (LF or CRLF, mixed ones too), trailing spaces, a byte-order mark on the first line and a missing
 * final newline. Edits replace whole lines and leave every other byte alone.
 */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    if (end === -1) {
      if (start < text.length) lines.push({ text: text.slice(start), eol: "" });
      return lines;
    }
    const crlf = end > start && text[end - 1] === "\r";
    lines.push({ text: text.slice(start, crlf ? end - 1 : end), eol: crlf ? "\r\n" : "\n" });
    start = end + 1;
  }
}

export function joinLines(lines: readonly Line[]): string {
  return lines.map((line) => line.text + line.eol).join("");
}

/** `lines` with line `index` holding `text` instead, its ending kept. */
export function replaceLine(lines: readonly Line[], index: number, text: string): Line[] {
  return lines.map((line, at) => (at === index ? { ...line, text } : line));
}

/** The ending a new line added to this file gets: the one most of its lines have. */
export function dominantEol(lines: readonly Line[]): "\n" | "\r\n" {
  const crlf = lines.filter((line) => line.eol === "\r\n").length;
  const lf = lines.filter((line) => line.eol === "\n").length;
  return crlf > lf ? "\r\n" : "\n";
}

/**
 * A file's bytes as text, refused when they are not UTF-8: decoding would replace the bad bytes,
 * and a file gaffer writes back must keep every byte it does not mean to change.
 */
export function decodeUtf8(data: Buffer, file: string): string {
  const text = data.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(data)) {
    throw new GafferError(
      "invalid-input",
      `${file} is not UTF-8 text`,
      "save it as UTF-8; gaffer edits only files it can write back byte for byte",
    );
  }
  return text;
}

/** A line's text without the byte-order mark a file's first line may start with. */
export function withoutBom(text: string): string {
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}
