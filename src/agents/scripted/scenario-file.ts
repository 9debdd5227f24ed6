import { GafferError } from "../../errors.ts";
import { readAgentFile } from "../../util/index.ts";

/** The biggest scenario file read. */
const SCENARIO_MAX_BYTES = 1024 * 1024;

/**
 * A scenario file's text; a missing or unreadable one is GafferError("invalid-input"). The file
 * may come from a merged proposal, so it is read like an agent's file: a symlink, a FIFO or a file
 * over 1 MiB is refused.
 */
export function readScenarioText(path: string): string {
  const read = readAgentFile(path, { maxBytes: SCENARIO_MAX_BYTES });
  if (!read.ok) {
    throw new GafferError(
      "invalid-input",
      `${path}: cannot read scenario file (${read.reason})`,
      "check the scenario path: a regular file of at most 1 MiB, not a symlink",
    );
  }
  return read.data.toString("utf8");
}
