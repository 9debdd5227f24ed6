import { type ObjectReader, readBytes } from "../../workspace/index.ts";
import type { RawChange } from "./raw-diff.ts";

/** A line of a file, numbered from 1 on its own side of the change. */
export interface NumberedLine {
  line: number;
  text: string;
}

/** The lines a change removed (old numbering) and added (new numbering). */
export interface ChangedLines {
  removed: NumberedLine[];
  added: NumberedLine[];
}

const NO_OBJECT = /^0*$/;
const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** The changed lines of one file: all of them for an added or deleted file. */
export async function changedLines(ws: ObjectReader, change: RawChange): Promise<ChangedLines> {
  if (NO_OBJECT.test(change.oldOid))
    return { removed: [], added: numbered(await blobText(ws, change.newOid)) };
  if (NO_OBJECT.test(change.newOid))
    return { removed: numbered(await blobText(ws, change.oldOid)), added: [] };
  const args = ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", change.oldOid, change.newOid];
  return parseHunks((await readBytes(ws, args)).toString("utf8"));
}

/** A blob's content as text; empty for the all-zero id of a missing side. */
export async function blobText(ws: ObjectReader, oid: string): Promise<string> {
  if (NO_OBJECT.test(oid)) return "";
  return (await readBytes(ws, ["cat-file", "blob", oid])).toString("utf8");
}

function numbered(text: string): NumberedLine[] {
  return splitLines(text).map((line, i) => ({ line: i + 1, text: line }));
}

export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Parses a one-file `-U0` diff; headers only come before the first hunk, so `---` after it is content. */
function parseHunks(diff: string): ChangedLines {
  const result: ChangedLines = { removed: [], added: [] };
  let oldLine = 0;
  let newLine = 0;
  let inHunks = false;
  for (const line of splitLines(diff)) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      [oldLine, newLine, inHunks] = [Number(hunk[1]), Number(hunk[2]), true];
    } else if (inHunks && line.startsWith("-")) {
      result.removed.push({ line: oldLine++, text: line.slice(1) });
    } else if (inHunks && line.startsWith("+")) {
      result.added.push({ line: newLine++, text: line.slice(1) });
    }
  }
  return result;
}
