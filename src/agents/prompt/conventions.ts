import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { GafferError } from "../../errors.ts";

/** Where Module 25 looked for standing instructions, in its order (after `$AGENT_CONFIG`). */
export const CONVENTION_FILES = ["AGENTS.md", ".agent/instructions.md", "agent-config.md"] as const;

export interface Conventions {
  /** The file as the user named it: relative to the workspace unless given absolute. */
  file: string;
  text: string;
}

/**
 * The project's standing instructions for agents. A configured file must exist; otherwise
 * `$AGENT_CONFIG` is used if it names an existing file, then the first of CONVENTION_FILES.
 */
export function findConventions(
  workspace: string,
  configured?: string,
  env: NodeJS.ProcessEnv = process.env,
): Conventions | undefined {
  if (configured !== undefined) {
    const text = readIfFile(workspace, configured);
    if (text === undefined) {
      throw new GafferError(
        "config-invalid",
        `conventions file ${configured} not found in the workspace`,
        "create it, or remove the setting to use AGENTS.md, .agent/instructions.md or agent-config.md",
      );
    }
    return { file: configured, text };
  }
  const candidates = env.AGENT_CONFIG ? [env.AGENT_CONFIG, ...CONVENTION_FILES] : CONVENTION_FILES;
  for (const file of candidates) {
    const text = readIfFile(workspace, file);
    if (text !== undefined) return { file, text };
  }
  return undefined;
}

function readIfFile(workspace: string, file: string): string | undefined {
  const path = isAbsolute(file) ? file : join(workspace, file);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return undefined;
  return readFileSync(path, "utf8");
}
