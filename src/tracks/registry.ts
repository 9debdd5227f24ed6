import { splitLines, withoutBom } from "./text-lines.ts";

/** One track in Conductor's tracks registry (`tracks.md`). */
export interface RegistryEntry {
  /** `[x]` once the track is archived. */
  archived: boolean;
  description: string;
  /** The track id its link points to (`./tracks/<id>/` or `./archive/<id>/`), if it has one. */
  id: string | undefined;
}

const ENTRY = /^\s*[-*]\s+\[([ xX~])\]\s+\*\*Track:\s*(.*?)\*\*\s*$/;
const LINK = /\]\(\.?\/?(?:[^)]*\/)?(?:tracks|archive)\/([^/)]+)\/?\)/;

/**
 * Reads the entries Conductor appends to `tracks.md`:
 * `- [ ] **Track: <description>**` followed by `*Link: [./tracks/<id>/](./tracks/<id>/)*`.
 * Anything else in the file (tables, notes, headings) is left to the human reading it.
 */
export function parseRegistry(text: string): RegistryEntry[] {
  const lines = splitLines(text).map((line, index) => (index === 0 ? withoutBom(line.text) : line.text));
  const entries: RegistryEntry[] = [];
  for (const [index, line] of lines.entries()) {
    const match = ENTRY.exec(line);
    if (!match) continue;
    const next = lines.slice(index + 1, index + 3).find((candidate) => LINK.test(candidate));
    entries.push({
      archived: match[1] === "x" || match[1] === "X",
      description: match[2] ?? "",
      id: next === undefined ? undefined : LINK.exec(next)?.[1],
    });
  }
  return entries;
}
