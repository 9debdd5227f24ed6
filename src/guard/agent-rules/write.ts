import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { claudeSettings } from "./claude.ts";
import { codexRules } from "./codex.ts";
import { geminiPolicy, geminiSettings } from "./gemini.ts";
import { opencodeConfig } from "./opencode.ts";

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
 * - gemini: `<dir>/.gemini/policies/gaffer.toml` (and API-key auth in `<dir>/.gemini/settings.json`),
 *   GEMINI_CLI_HOME=dir
 * - opencode: `<dir>/opencode.json`, OPENCODE_CONFIG=that file
 * An existing JSON settings file keeps its other keys; only the permission block is replaced.
 */
export async function writeAgentRules(
  dir: string,
  agent: AgentKind,
  workspace: string,
): Promise<AgentRulesFile> {
  switch (agent) {
    case "claude": {
      const path = join(dir, "settings.json");
      await writeJson(path, claudeSettings(workspace));
      return { path, env: { CLAUDE_CONFIG_DIR: dir } };
    }
    case "codex": {
      const path = join(dir, "rules", "gaffer.rules");
      await writeText(path, codexRules());
      return { path, env: { CODEX_HOME: dir } };
    }
    case "gemini": {
      const path = join(dir, ".gemini", "policies", "gaffer.toml");
      await writeText(path, geminiPolicy());
      await writeJson(join(dir, ".gemini", "settings.json"), geminiSettings());
      return { path, env: { GEMINI_CLI_HOME: dir } };
    }
    case "opencode": {
      const path = join(dir, "opencode.json");
      await writeJson(path, opencodeConfig(workspace));
      return { path, env: { OPENCODE_CONFIG: path } };
    }
    default:
      return agent satisfies never;
  }
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Merges the generated top-level keys over an existing JSON object file, if there is one. */
async function writeJson(path: string, generated: string): Promise<void> {
  const existing = await readFile(path, "utf8").then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return {};
      throw error;
    },
  );
  const merged = { ...existing, ...(JSON.parse(generated) as Record<string, unknown>) };
  await writeText(path, `${JSON.stringify(merged, null, 2)}\n`);
}
