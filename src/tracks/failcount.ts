import { isAbsolute, join } from "node:path";
import { parse, TomlError } from "smol-toml";
import { GafferError } from "../errors.ts";
import { readAgentFile } from "../util/index.ts";

/** When a track gives up: after this many consecutive red or green failures, or this long without progress. */
export interface Failcount {
  red: number;
  green: number;
  noProgressMs: number;
  /** The file the thresholds came from; undefined when Tier 2's defaults apply. */
  file: string | undefined;
}

const DEFAULT_FAILCOUNT = { red: 3, green: 3, noProgressMinutes: 30 } as const;

/**
 * Reads Tier 2's `failcount.toml` as it is. `no_progress_minutes` is the documented key; the red
 * and green limits are any integer key with a word `red` or `green` in its name
 * (`max_consecutive_red`, `red_limit`…), at the top or in a table. A missing file keeps the
 * defaults: 3 red, 3 green, 30 minutes.
 */
export function readFailcount(root: string, path: string): Failcount {
  const file = isAbsolute(path) ? path : join(root, path);
  const read = readAgentFile(file, { maxBytes: 64 * 1024 });
  const defaults: Failcount = {
    red: DEFAULT_FAILCOUNT.red,
    green: DEFAULT_FAILCOUNT.green,
    noProgressMs: DEFAULT_FAILCOUNT.noProgressMinutes * 60_000,
    file: undefined,
  };
  if (!read.ok) {
    if (read.reason === "missing") return defaults;
    throw new GafferError(
      "invalid-input",
      `${path} is not a regular file (${read.reason})`,
      "make it a TOML file",
    );
  }
  const found: Failcount = { ...defaults, file: path };
  for (const [key, value] of entries(parseToml(read.data.toString("utf8"), path))) {
    const words = key.toLowerCase().split(/[_\-.]/);
    if (key === "no_progress_minutes") found.noProgressMs = Math.round(positive(value, key, path) * 60_000);
    else if (words.includes("red")) found.red = count(value, key, path);
    else if (words.includes("green")) found.green = count(value, key, path);
  }
  return found;
}

function parseToml(text: string, path: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw new GafferError(
      "invalid-input",
      `${path}:${error.line}: not TOML`,
      "fix the TOML syntax on that line",
    );
  }
}

/** Every key and value, tables flattened: a table's keys count as if written at the top. */
function entries(table: Record<string, unknown>): [string, unknown][] {
  return Object.entries(table).flatMap(([key, value]) =>
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
      ? entries(value as Record<string, unknown>)
      : [[key, value] as [string, unknown]],
  );
}

function count(value: unknown, key: string, path: string): number {
  if (Number.isInteger(value) && (value as number) >= 1) return value as number;
  throw new GafferError(
    "invalid-input",
    `${path}: ${key} must be a whole number of failures, 1 or more`,
    `e.g. ${key} = 3`,
  );
}

function positive(value: unknown, key: string, path: string): number {
  if (typeof value === "number" && value > 0) return value;
  throw new GafferError(
    "invalid-input",
    `${path}: ${key} must be a number of minutes above 0`,
    `e.g. ${key} = 30`,
  );
}
