import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { locateKey } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { checkMarkdownRequest, checkTomlFile } from "./action.ts";
import { checkPolicy } from "./policy.ts";
import type { FileProblem } from "./toml.ts";

export interface LintedFile {
  /** Relative to the directory linted. */
  path: string;
  kind: "action" | "human-request" | "policy" | "invalid";
  problems: FileProblem[];
}

/**
 * Checks a directory of vault files, disinto's layout included: every `*.toml` (actions, requests
 * for a human with `[action_required]`, and `policy.toml`) and every `*.md` under a `pending/`
 * folder (requests for a human). Action ids must be unique across the directory. Reads only.
 */
export function lintVaultDir(dir: string): LintedFile[] {
  const files = vaultFiles(dir);
  if (files.length === 0) {
    throw new GafferError(
      "invalid-input",
      `no vault files under ${dir}`,
      "give a directory of action .toml files, e.g. disinto's vault/actions",
    );
  }
  const ids = new Map<string, string>();
  return files.map((path) => {
    const text = readFileSync(join(dir, path), "utf8");
    if (basename(path) === "policy.toml") {
      const policy = checkPolicy(text);
      return { path, kind: policy.ok ? "policy" : "invalid", problems: policy.ok ? [] : policy.problems };
    }
    const checked = path.endsWith(".md") ? checkMarkdownRequest(text) : checkTomlFile(text);
    if (checked.kind !== "action") return { path, kind: checked.kind, problems: checked.problems };
    const earlier = ids.get(checked.action.id);
    ids.set(checked.action.id, earlier ?? path);
    if (earlier === undefined) return { path, kind: "action", problems: [] };
    const duplicate = {
      line: locateKey(text, ["id"]),
      message: `id: "${checked.action.id}" is already the id of ${earlier}`,
      hint: "give every action its own id, e.g. <formula>-<date>",
    };
    return { path, kind: "invalid", problems: [duplicate] };
  });
}

function vaultFiles(dir: string, under = ""): string[] {
  return readdirSync(join(dir, under))
    .sort()
    .flatMap((name) => {
      const path = join(under, name);
      if (statSync(join(dir, path)).isDirectory()) return vaultFiles(dir, path);
      const isRequest = name.endsWith(".md") && basename(dirname(join(dir, path))) === "pending";
      return name.endsWith(".toml") || isRequest ? [path] : [];
    });
}
