import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { GafferConfig } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { shown } from "./toml.ts";

/**
 * Secrets for actions: read from the secrets file (KEY=value lines, `#` comments, an optional
 * `export `, optional quotes), else from gaffer's environment. An action gets only the secrets it
 * declares; agents never get any; every value is redacted from what gaffer stores or prints.
 */
export class Secrets {
  readonly #file: Map<string, string>;
  readonly #env: NodeJS.ProcessEnv;
  readonly #source: string;

  private constructor(file: Map<string, string>, env: NodeJS.ProcessEnv, source: string) {
    this.#file = file;
    this.#env = env;
    this.#source = source;
  }

  /** Reads the secrets file at `path` (relative to the project root); a missing file holds none. */
  static load(root: string, path: string, env: NodeJS.ProcessEnv = process.env): Secrets {
    const file = resolve(root, path);
    const inside = relative(root, file);
    if (!inside.startsWith("..") && !isAbsolute(inside) && !inside.startsWith(".gaffer/")) {
      throw new GafferError(
        "config-invalid",
        `the secrets file ${path} is inside the project, where an agent's workspace could hold it`,
        "keep it in .gaffer/ or outside the project ([vault] secrets_file)",
      );
    }
    if (!existsSync(file)) return new Secrets(new Map(), env, shown(file));
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new GafferError(
        "config-invalid",
        `${shown(file)} can be read by others (mode ${mode.toString(8)})`,
        `chmod 600 ${shown(file)}`,
      );
    }
    return new Secrets(parseSecrets(readFileSync(file, "utf8"), shown(file)), env, shown(file));
  }

  /** The declared secrets' values; a secret found nowhere is an error naming it. */
  resolve(names: readonly string[]): Record<string, string> {
    const values: Record<string, string> = {};
    const missing: string[] = [];
    for (const name of names) {
      const value = this.#file.get(name) ?? this.#env[name];
      if (value === undefined || value === "") missing.push(name);
      else values[name] = value;
    }
    if (missing.length > 0) {
      throw new GafferError(
        "config-invalid",
        `secret ${missing.join(", ")} is in neither ${this.#source} nor the environment`,
        `add ${missing[0]}=… to ${this.#source}`,
      );
    }
    return values;
  }

  /**
   * Replaces with [redacted] every value of the secrets file, and the environment's values of
   * `names` (the secrets an action declared).
   */
  redactor(names: readonly string[] = []): (text: string) => string {
    const fromEnv = names.flatMap((name) => this.#env[name] ?? []);
    const values = [...new Set([...this.#file.values(), ...fromEnv])]
      .filter((value) => value !== "")
      .sort((a, b) => b.length - a.length);
    return (text) => values.reduce((out, value) => out.replaceAll(value, "[redacted]"), text);
  }
}

function parseSecrets(text: string, shown: string): Map<string, string> {
  const secrets = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      throw new GafferError(
        "config-invalid",
        `${shown}:${index + 1}: expected NAME=value`,
        "one secret per line, e.g. GITHUB_TOKEN=…",
      );
    }
    const value = match[2] as string;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    secrets.set(match[1] as string, quoted ? (quoted[2] as string) : value);
  });
  return secrets;
}

/**
 * Refuses secrets that gaffer.toml also hands to agents ([sandbox] env, an agent's pass_env):
 * a vault secret must never be visible to an agent.
 */
export function assertHiddenFromAgents(names: readonly string[], config: GafferConfig): void {
  const passed = new Map<string, string>(config.sandbox.env.map((name) => [name, "[sandbox] env"]));
  for (const preset of config.agents.values()) {
    if (preset.driver === "scripted") continue;
    for (const name of preset.passEnv) passed.set(name, `[agents.${preset.name}] pass_env`);
  }
  const shared = names.find((name) => passed.has(name));
  if (shared) {
    throw new GafferError(
      "config-invalid",
      `secret ${shared} is also passed to agents by ${passed.get(shared)} in gaffer.toml`,
      "a vault secret must never be visible to an agent: remove it there, or give the action another secret",
    );
  }
}
