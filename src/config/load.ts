import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileConfig, CONFIG_FILE, type GafferConfig } from "./compile.ts";
import { configSchema, type RawConfig } from "./schema.ts";
import { parseTomlFile } from "./toml-file.ts";

/**
 * Reads `<root>/gaffer.toml` (absent: all defaults). Any problem is one GafferError naming file,
 * line and key. `readConfig` gives the same, remembered between processes.
 */
export function loadConfig(root: string, env: NodeJS.ProcessEnv = process.env): GafferConfig {
  const file = join(root, CONFIG_FILE);
  if (!existsSync(file)) return compileConfig(rawConfig(undefined, file), "", undefined, root, env);
  return parseConfig(readFileSync(file, "utf8"), file, root, env);
}

export function parseConfig(
  text: string,
  file: string,
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): GafferConfig {
  return compileConfig(rawConfig(text, file), text, file, root, env);
}

/** gaffer.toml's text (undefined: no file) through the schema: defaults filled in, durations in ms. */
export function rawConfig(text: string | undefined, file: string): RawConfig {
  return text === undefined ? configSchema.parse({}) : parseTomlFile(text, file, configSchema).data;
}
