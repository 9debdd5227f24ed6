import { GafferError } from "../errors.ts";

/** A track's `metadata.json`, as Conductor writes it; every field may be missing in a hand-made one. */
export interface TrackMetadata {
  track_id?: string;
  /** feature, bug, chore, refactor… */
  type?: string;
  /** new, in_progress, completed, cancelled. */
  status?: string;
  created_at?: string;
  updated_at?: string;
  description?: string;
}

export function parseMetadata(text: string, file: string): TrackMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GafferError(
      "invalid-input",
      `${file}: not JSON (${(error as Error).message})`,
      "fix the file: Conductor writes an object with track_id, type, status, created_at, updated_at, description",
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GafferError("invalid-input", `${file}: not a JSON object`, "Conductor writes an object");
  }
  const strings = Object.entries(value).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return Object.fromEntries(strings) as TrackMetadata;
}

/**
 * `text` with the string value of top-level `key` set to `value`, every other byte kept: the
 * indentation, the key order, nested objects (their own `status` keys included) and the line
 * endings. A key the object lacks is left out: nothing is added that Conductor did not write.
 */
export function setTopLevelString(text: string, key: string, value: string): string {
  const span = topLevelStringValue(text, key);
  if (!span) return text;
  return text.slice(0, span.start) + JSON.stringify(value) + text.slice(span.end);
}

/** Where the string value of a top-level key is, quotes included; undefined if it has none. */
function topLevelStringValue(text: string, key: string): { start: number; end: number } | undefined {
  let depth = 0;
  let expectingKey = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char === "{" || char === "[") {
      depth++;
      expectingKey = depth === 1 && char === "{";
    } else if (char === "}" || char === "]") {
      depth--;
    } else if (char === ",") {
      expectingKey = depth === 1;
    } else if (char === '"') {
      const end = stringEnd(text, at);
      if (expectingKey && depth === 1 && JSON.parse(text.slice(at, end)) === key) {
        const value = /^\s*:\s*/.exec(text.slice(end));
        const start = end + (value?.[0].length ?? 0);
        return text[start] === '"' ? { start, end: stringEnd(text, start) } : undefined;
      }
      expectingKey = false;
      at = end - 1;
    }
  }
  return undefined;
}

/** The index just past the JSON string that starts at `start`. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
  return at + 1;
}
