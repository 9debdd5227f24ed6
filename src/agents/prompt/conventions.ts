import { isAbsolute } from "node:path";
import { GafferError } from "../../errors.ts";
import { readAgentFile } from "../../util/index.ts";

/** Where Module 25 looked for standing instructions, in its order (after `$AGENT_CONFIG`). */
export const CONVENTION_FILES = ["AGENTS.md", ".agent/instructions.md", "agent-config.md"] as const;

/** The biggest conventions file that goes into a brief. */
const MAX_BYTES = 256 * 1024;

export interface Conventions {
  /** The file as the user named it: relative to the project unless given absolute. */
  file: string;
  text: string;
}

type Read = { ok: true; data: Buffer } | { ok: false; reason: string };

/**
 * Reads relative candidates as the project holds them (the run's base commit, never the agent's
 * workspace), all at once, answering in their order. Anything but a regular file of at most
 * `maxBytes` is `ok: false`, with the reason "too-big" when it is too big.
 */
export type ConventionsSource = (files: readonly string[], maxBytes: number) => Promise<Read[]>;

/**
 * The project's standing instructions for agents. A configured file must exist; otherwise
 * `$AGENT_CONFIG` is used if it names an existing file, then the first of CONVENTION_FILES.
 * Relative names are read from `source`; an absolute name is the user's own file, read without
 * following a symlink.
 */
export async function findConventions(
  source: ConventionsSource,
  configured?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Conventions | undefined> {
  const candidates =
    configured !== undefined
      ? [configured]
      : env.AGENT_CONFIG
        ? [env.AGENT_CONFIG, ...CONVENTION_FILES]
        : [...CONVENTION_FILES];
  const relative = candidates.filter((file) => !isAbsolute(file));
  const committed = relative.length > 0 ? await source(relative, MAX_BYTES) : [];
  for (const file of candidates) {
    const read = isAbsolute(file)
      ? readAgentFile(file, { maxBytes: MAX_BYTES })
      : committed[relative.indexOf(file)];
    const text = read && textOf(file, read);
    if (text !== undefined) return { file, text };
  }
  if (configured === undefined) return undefined;
  throw new GafferError(
    "config-invalid",
    `conventions file ${configured} not found in the project`,
    "commit it, or remove the setting to use AGENTS.md, .agent/instructions.md or agent-config.md",
  );
}

function textOf(file: string, read: Read): string | undefined {
  if (read.ok) return read.data.toString("utf8");
  if (read.reason !== "too-big") return undefined;
  throw new GafferError(
    "config-invalid",
    `conventions file ${file} is over ${MAX_BYTES / 1024} KiB`,
    "shorten it: it goes into every brief",
  );
}
