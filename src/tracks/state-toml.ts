import { dominantEol, joinLines, type Line, splitLines, withoutBom } from "./text-lines.ts";

const TABLE = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(#.*)?$/;
const STATUS = /^(\s*status\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(.*)$/;
/** Tables whose `status` is the track's own (a task's `status` lives in `[[tasks]]` and is not it). */
const TRACK_TABLES = new Set(["", "track", "metadata"]);

/**
 * manual_slop's `state.toml` with the track's `status` set: the first `status = …` of the root
 * table, `[track]` or `[metadata]` gets the new value and keeps its comment and spacing; without
 * one, `status = "<value>"` is added at the end of the root table. Nothing else changes.
 */
export function setTrackStatus(text: string, status: string): string {
  const lines = splitLines(text);
  let table = "";
  let rootEnd = 0;
  for (const [index, line] of lines.entries()) {
    const source = index === 0 ? withoutBom(line.text) : line.text;
    const header = TABLE.exec(source);
    if (header) {
      table = header[1] ?? "";
      continue;
    }
    if (table === "" && source.trim() !== "" && !source.trimStart().startsWith("#")) rootEnd = index + 1;
    const match = TRACK_TABLES.has(table) ? STATUS.exec(line.text) : null;
    if (match) {
      const replaced = `${match[1]}${JSON.stringify(status)}${match[3]}`;
      return joinLines(lines.map((each, at) => (at === index ? { ...each, text: replaced } : each)));
    }
  }
  const eol = dominantEol(lines);
  const added: Line = { text: `status = ${JSON.stringify(status)}`, eol };
  const before = lines.slice(0, rootEnd);
  const last = before.at(-1);
  if (last && last.eol === "") before[before.length - 1] = { ...last, eol };
  return joinLines([...before, added, ...lines.slice(rootEnd)]);
}
