import { createHash } from "node:crypto";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, readCacheFile, writeCacheFile } from "./cache-file.ts";

/** Set by the build (scripts/build.ts) to a digest of the sources it bundled; absent when running them. */
declare const __GAFFER_BUILD__: string | undefined;

const MAX_BYTES = 1024 * 1024;
/** Entries kept per kind: a file's texts across its edits, for every project of this user. */
const KEPT = 64;

/**
 * Where this build remembers the texts of one kind (`config`, `scenario`) it has checked: checking
 * a text with its schema (the schema library and the schemas) costs a command more than the rest
 * of reading it, and the same build always judges the same text the same way.
 */
export interface CheckedTexts {
  dir: string;
  /** The build that checked them: an entry from another build is never read. */
  build: string;
}

/** This build's memory of checked texts of `kind`; undefined when running the sources (no build). */
export function checkedTexts(kind: string, env: NodeJS.ProcessEnv): CheckedTexts | undefined {
  if (typeof __GAFFER_BUILD__ !== "string") return undefined;
  return { dir: cacheDir(env, kind), build: __GAFFER_BUILD__ };
}

/** The name a text is remembered under: a digest of the build and the text. */
export function checkedKey(memory: CheckedTexts, text: string | null): string {
  return createHash("sha256")
    .update(JSON.stringify([memory.build, text]))
    .digest("hex");
}

/** What the check made of the text remembered under `key`; undefined when it is not remembered. */
export function recallChecked(memory: CheckedTexts, key: string): unknown {
  const entry = readCacheFile(join(memory.dir, `${key}.json`), MAX_BYTES) as
    { key?: unknown; value?: unknown } | undefined;
  if (typeof entry !== "object" || entry === null || entry.key !== key) return undefined;
  return entry.value;
}

/** Remembers what the check made of a text, keeping the newest entries of its kind. */
export function rememberChecked(memory: CheckedTexts, key: string, value: unknown): void {
  if (writeCacheFile(memory.dir, `${key}.json`, { key, value })) forgetOldest(memory.dir);
}

function forgetOldest(dir: string): void {
  try {
    const entries = readdirSync(dir).filter((name) => name.endsWith(".json"));
    if (entries.length <= KEPT) return;
    const byAge = entries
      .map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => a.at - b.at);
    for (const { name } of byAge.slice(0, entries.length - KEPT)) rmSync(join(dir, name), { force: true });
  } catch {
    // Another process forgot them first.
  }
}
