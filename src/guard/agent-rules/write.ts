import { join } from "node:path";
import { claudeSettings } from "./claude.ts";
import { codexRules } from "./codex.ts";
import { geminiPolicy, geminiSettings } from "./gemini.ts";
import { opencodeConfig } from "./opencode.ts";
import { readAgentFile, writeFreshFile } from "../../util/index.ts";

export type AgentKind = "claude" | "codex" | "gemini" | "opencode";

/** Where an agent's rules were written, and the environment that makes the agent read them. */
export interface AgentRulesFile {
  path: string;
  env: Record<string, string>;
}

/**
 * Writes the agent's permission file where it looks when its config dir is `dir` (never into
 * the workspace), and returns the environment that points the agent there:
 * - claude: `<dir>/settings.json`, CLAUDE_CONFIG_DIR=dir
 * - codex: `<dir>/rules/gaffer.rules`, CODEX_HOME=dir
 * - gemini: `<dir>/.gemini/policies/gaffer.toml` (and API-key auth, or with `login` the Google
 *   login's, in `<dir>/.gemini/settings.json`), GEMINI_CLI_HOME=dir
 * - opencode: `<dir>/opencode.json`, OPENCODE_CONFIG=that file
 * An existing JSON settings file keeps its other keys; only the permission block is replaced.
 * The directory is the agent's to write, so each file is read as hostile (no symlink followed,
 * size-capped) and written as a new file, never through whatever the agent left at its path.
 */
export function writeAgentRules(
  dir: string,
  agent: AgentKind,
  workspace: string,
  options: { login?: boolean } = {},
): AgentRulesFile {
  switch (agent) {
    case "claude": {
      const path = join(dir, "settings.json");
      writeJson(dir, path, claudeSettings(workspace));
      return { path, env: { CLAUDE_CONFIG_DIR: dir } };
    }
    case "codex": {
      const path = join(dir, "rules", "gaffer.rules");
      writeText(dir, path, codexRules());
      return { path, env: { CODEX_HOME: dir } };
    }
    case "gemini": {
      const path = join(dir, ".gemini", "policies", "gaffer.toml");
      writeText(dir, path, geminiPolicy());
      writeJson(dir, join(dir, ".gemini", "settings.json"), geminiSettings(options.login));
      return { path, env: { GEMINI_CLI_HOME: dir } };
    }
    case "opencode": {
      const path = join(dir, "opencode.json");
      writeJson(dir, path, opencodeConfig(workspace));
      return { path, env: { OPENCODE_CONFIG: path } };
    }
    default:
      return agent satisfies never;
  }
}

/** The most of an agent's own settings file that is kept. */
const SETTINGS_MAX_BYTES = 1024 * 1024;

function writeText(dir: string, path: string, text: string): void {
  writeFreshFile(path, text, { within: dir });
}

/**
 * Merges the generated top-level keys over an existing JSON object file, if there is a regular
 * one; anything else there (a symlink, a FIFO, a huge or malformed file) is replaced.
 */
function writeJson(dir: string, path: string, generated: string): void {
  const merged = { ...existingObject(path), ...(JSON.parse(generated) as Record<string, unknown>) };
  writeText(dir, path, `${JSON.stringify(merged, null, 2)}\n`);
}

function existingObject(path: string): Record<string, unknown> {
  const read = readAgentFile(path, { maxBytes: SETTINGS_MAX_BYTES });
  if (!read.ok) return {};
  try {
    const value: unknown = JSON.parse(read.data.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
