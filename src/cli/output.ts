import { stripVTControlCharacters } from "node:util";
import { GafferError } from "../errors.ts";

/** Output helpers shared by the commands: plain tables, JSON, and colour only on a terminal. */
export const color = {
  /** Asked on each use: a standby process takes on its caller's output (src/cli/standby). */
  get enabled(): boolean {
    return process.stdout.isTTY === true && !process.env.NO_COLOR;
  },
  wrap(code: number, text: string): string {
    return this.enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
  },
  green: (text: string) => color.wrap(32, text),
  red: (text: string) => color.wrap(31, text),
  yellow: (text: string) => color.wrap(33, text),
  dim: (text: string) => color.wrap(2, text),
  bold: (text: string) => color.wrap(1, text),
};

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One JSON value per line, for streams a script reads line by line. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function print(text = ""): void {
  process.stdout.write(`${text}\n`);
}

/** Left-aligned columns separated by two spaces; ANSI colour codes do not count toward widths. */
export function formatTable(header: string[], rows: string[][]): string {
  const visible = (text: string) => stripVTControlCharacters(text).length;
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visible(cell))))
      .join("  ")
      .trimEnd();
  return [line(header.map((h) => color.bold(h))), ...rows.map(line)].join("\n");
}

export function parseId(text: string, what: "item" | "run"): number {
  const id = Number(text.replace(/^#/, ""));
  if (!Number.isInteger(id) || id <= 0) {
    throw new GafferError(
      "usage",
      `"${text}" is not ${what === "item" ? "an item" : "a run"} id`,
      `give the number shown by \`gaffer ${what === "item" ? "issue list" : "runs"}\``,
    );
  }
  return id;
}

/** "1 role", "8 roles". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function ago(at: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}
