import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { readAgentFile, writeFreshFile } from "../util/index.ts";
import { compileConfig, CONFIG_FILE, type GafferConfig } from "./compile.ts";
import type { RawConfig } from "./schema.ts";

/** Set by the build (scripts/build.ts) to a digest of the sources it bundled; absent when running them. */
declare const __GAFFER_BUILD__: string | undefined;

const MAX_BYTES = 1024 * 1024;
/** Entries kept: a gaffer.toml's texts across its edits, for every project of this user. */
const KEPT = 64;

export interface ConfigMemory {
  /** Where remembered configurations live. */
  dir: string;
  /** The schema that checked them: an entry from another build is never read. */
  build: string;
}

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
  options: { remember: boolean; env?: NodeJS.ProcessEnv; memory?: ConfigMemory | undefined },
): Promise<GafferConfig> {
  const env = options.env ?? process.env;
  const memory = "memory" in options ? options.memory : buildMemory(env);
  const file = join(root, CONFIG_FILE);
  const text = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const compiled = (raw: RawConfig) =>
    compileConfig(raw, text ?? "", text === undefined ? undefined : file, root, env);
  if (memory === undefined) return compiled(await checked(text, file));
  const key = createHash("sha256")
    .update(JSON.stringify([memory.build, text ?? null]))
    .digest("hex");
  const known = recall(memory.dir, key);
  if (known !== undefined) return compiled(known);
  const raw = await checked(text, file);
  if (options.remember) remember(memory.dir, key, raw);
  return compiled(raw);
}

function buildMemory(env: NodeJS.ProcessEnv): ConfigMemory | undefined {
  if (typeof __GAFFER_BUILD__ !== "string") return undefined;
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return { dir: join(cache, "gaffer", "config"), build: __GAFFER_BUILD__ };
}

/** The schema is loaded only here, when nothing is remembered. */
async function checked(text: string | undefined, file: string): Promise<RawConfig> {
  const { rawConfig } = await import("./load.ts");
  return rawConfig(text, file);
}

/**
 * A remembered entry is read as anything in a place an unconfined agent could reach: no link
 * followed, no FIFO waited on, size-capped; one that does not parse is checked again.
 */
function recall(dir: string, key: string): RawConfig | undefined {
  const read = readAgentFile(join(dir, `${key}.json`), { maxBytes: MAX_BYTES });
  if (!read.ok) return undefined;
  try {
    const entry = JSON.parse(read.data.toString("utf8")) as { key?: unknown; raw?: unknown };
    if (entry.key !== key || typeof entry.raw !== "object" || entry.raw === null) return undefined;
    return entry.raw as RawConfig;
  } catch {
    return undefined;
  }
}

function remember(dir: string, key: string, raw: RawConfig): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = join(dir, `${key}.${process.pid}.tmp`);
    writeFreshFile(temporary, JSON.stringify({ key, raw }), { within: dir, mode: 0o600 });
    renameSync(temporary, join(dir, `${key}.json`));
    forgetOldest(dir);
  } catch {
    // A configuration that cannot be remembered is checked again by the next command, nothing more.
  }
}

function forgetOldest(dir: string): void {
  const entries = readdirSync(dir).filter((name) => name.endsWith(".json"));
  if (entries.length <= KEPT) return;
  const byAge = entries
    .map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => a.at - b.at);
  for (const { name } of byAge.slice(0, entries.length - KEPT)) rmSync(join(dir, name), { force: true });
}
