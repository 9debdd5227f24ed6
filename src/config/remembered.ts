import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type CheckedTexts,
  checkedKey,
  checkedTexts,
  recallChecked,
  rememberChecked,
} from "../util/index.ts";
import { compileConfig, CONFIG_FILE, type GafferConfig } from "./compile.ts";
import type { RawConfig } from "./schema.ts";

/**
 * `loadConfig`, without the schema when this build has checked the same gaffer.toml text before.
 * Checking the text is most of what reading it costs a command (the schema library and the
 * schemas: ~25 ms), so the checked data is remembered under a digest of the build and the text,
 * and only the rules that depend on the environment run again. `remember`: keep what this call
 * checked (a command that only reads creates nothing, not even a cache). Running from the sources
 * (no build) always checks.
 */
export async function readConfig(
  root: string,
  options: { remember: boolean; env?: NodeJS.ProcessEnv; memory?: CheckedTexts | undefined },
): Promise<GafferConfig> {
  const env = options.env ?? process.env;
  const memory = "memory" in options ? options.memory : checkedTexts("config", env);
  const file = join(root, CONFIG_FILE);
  const text = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const compiled = (raw: RawConfig) =>
    compileConfig(raw, text ?? "", text === undefined ? undefined : file, root, env);
  if (memory === undefined) return compiled(await checked(text, file));
  const key = checkedKey(memory, text ?? null);
  const known = recallChecked(memory, key);
  // A remembered entry is read as anything an unconfined agent could reach; one that is not an
  // object is checked again.
  if (typeof known === "object" && known !== null) return compiled(known as RawConfig);
  const raw = await checked(text, file);
  if (options.remember) rememberChecked(memory, key, raw);
  return compiled(raw);
}

/** The schema is loaded only here, when nothing is remembered. */
async function checked(text: string | undefined, file: string): Promise<RawConfig> {
  const { rawConfig } = await import("./load.ts");
  return rawConfig(text, file);
}
