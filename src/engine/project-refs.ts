import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { ProposalFinding } from "../store/index.ts";
import { projectGit } from "../workspace/index.ts";

/** Refs gaffer itself writes in the project: its proposal branches and snapshots. */
const GAFFER_OWNED = /^refs\/(heads\/gaffer\/|gaffer\/)/;

/** The project's refs, minus gaffer's own. */
async function projectRefs(root: string): Promise<Record<string, string>> {
  const lines = await projectGit(root, ["for-each-ref", "--format=%(refname) %(objectname)"]);
  const refs: Record<string, string> = {};
  for (const line of lines.split("\n").filter(Boolean)) {
    const [name, sha] = line.split(" ") as [string, string];
    if (!GAFFER_OWNED.test(name)) refs[name] = sha;
  }
  return refs;
}

/** Records the project's refs when a run starts, once (a resume keeps the first record). */
export async function recordProjectRefs(root: string, path: string): Promise<void> {
  if (!existsSync(path)) writeFileSync(path, `${JSON.stringify(await projectRefs(root), null, 2)}\n`);
}

/**
 * Without a sandbox the project's `.git` is writable by the agent, so a change to its refs during
 * the run is flagged on the proposal (it may also be yours: a commit made meanwhile).
 */
export async function projectRefChanges(root: string, path: string): Promise<ProposalFinding[]> {
  if (!existsSync(path)) return [];
  const before = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
  const after = await projectRefs(root);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (ref) => before[ref] !== after[ref],
  );
  return changed.map((ref) => ({
    check: "refs",
    rule: "project-ref-changed",
    severity: "flag",
    message: `${ref} changed in the project during an unsandboxed run (by you, or by the agent)`,
    evidence: { ref, was: before[ref] ?? null, now: after[ref] ?? null },
  }));
}
