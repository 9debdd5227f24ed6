import {
  type ObjectReader,
  readBytes,
  readText,
  TREE_DIFF_SUBMODULES,
  type Workspace,
  workspaceGitBytes,
} from "../../workspace/index.ts";
import { splitNul } from "./git-output.ts";
import { pathVerdict, type PathRules } from "./path-rules.ts";
import { GITLINK_MODE, rawDiff } from "./raw-diff.ts";
import { type MisdirectedLink, misdirectedLinks } from "./symlinks.ts";
import { listTree } from "./tree-listing.ts";
import type { Finding, Subject } from "./types.ts";

export interface PathsCheckOptions extends PathRules {
  baseCommit: string;
}

/**
 * Every path the run touched — in any of its commits, the last of which holds what the agent left
 * uncommitted (untracked files included, ignored ones not) — must be allowed and not denied; no
 * commit may hold a nested repository (a gitlink), nor a symlink that, followed through the links
 * of its tree, lands outside it or inside `.git` (unless the base already had that link), even
 * one a later commit removed.
 */
export async function checkPaths(subject: Subject, opts: PathsCheckOptions): Promise<Finding[]> {
  const touched = new Set(await committedPaths(subject.objects, opts.baseCommit, subject.head));
  const findings = [...touched].sort().flatMap((path) => pathFindings(path, opts));
  const gitlinks = new Set<string>();
  const links = new Map<string, Finding>();
  const key = (link: MisdirectedLink) => `${link.path}\0${link.target}\0${link.landing}`;
  const before = new Set(misdirectedLinks(await listTree(subject.objects, opts.baseCommit)).map(key));
  for (const commit of await commitsBetween(subject.objects, opts.baseCommit, subject.head)) {
    for (const change of await rawDiff(subject.objects, opts.baseCommit, commit)) {
      if (change.newMode === GITLINK_MODE) gitlinks.add(change.newPath);
    }
    for (const link of misdirectedLinks(await listTree(subject.objects, commit))) {
      if (before.has(key(link)) || links.has(key(link))) continue;
      const where = commit === subject.head ? undefined : commit;
      links.set(key(link), linkFinding(link, where));
    }
  }
  findings.push(...[...gitlinks].sort().map(nestedFinding), ...links.values());
  return findings;
}

/** The commits from the base to `head`, oldest first. */
export async function commitsBetween(objects: ObjectReader, base: string, head: string): Promise<string[]> {
  const listing = await readText(objects, ["rev-list", "--reverse", `${base}..${head}`]);
  return listing.split("\n").filter((line) => line !== "");
}

/** Paths changed by any commit between the base and `head`, even if a later commit undid it. */
async function committedPaths(objects: ObjectReader, base: string, head: string): Promise<string[]> {
  const args = [
    "log",
    "--format=",
    "--name-only",
    "-z",
    "--no-renames",
    "--diff-merges=first-parent",
    TREE_DIFF_SUBMODULES,
    `${base}..${head}`,
  ];
  return splitNul(await readBytes(objects, args));
}

function pathFindings(path: string, opts: PathsCheckOptions): Finding[] {
  const verdict = pathVerdict(path, opts);
  if (verdict.kind === "denied") {
    return [
      pathFinding("path-denied", `${path} may not be changed by a run`, { path, denyPaths: opts.denyPaths }),
    ];
  }
  if (verdict.kind === "not-allowed") {
    return [
      pathFinding("path-not-allowed", `${path} is outside the allowed paths`, {
        path,
        allowPaths: opts.allowPaths,
      }),
    ];
  }
  return [];
}

const LANDINGS: Record<MisdirectedLink["landing"], string> = {
  outside: "which leads outside the workspace",
  "git-dir": "which leads into .git",
  absolute: "an absolute path",
  loop: "which cannot be resolved (a loop of symlinks)",
};

/** A link that lands badly; `commit` names an intermediate commit that held it. */
function linkFinding(link: MisdirectedLink, commit?: string): Finding {
  const rule = link.landing === "loop" ? "symlink-unresolvable" : "symlink-outside";
  const where = commit ? ` (in commit ${commit})` : "";
  const message = `${link.path} is a symlink to ${link.target}, ${LANDINGS[link.landing]}${where}`;
  return pathFinding(rule, message, { ...link, ...(commit && { commit }) });
}

/**
 * Untracked nested repositories left in the workspace: no proposal holds them (gaffer records none
 * and reads nothing inside them), so each is a finding. git lists each as `dir/`.
 */
export async function untrackedRepositories(ws: Workspace): Promise<Finding[]> {
  const args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=all"];
  return splitNul(await workspaceGitBytes(ws, args))
    .filter((entry) => entry.startsWith("?? ") && entry.endsWith("/"))
    .map((entry) => nestedFinding(entry.slice(3, -1)));
}

/** A repository inside the workspace: its commits are not the project's, and its config is the agent's. */
function nestedFinding(path: string): Finding {
  return pathFinding("nested-repository", `${path} is a nested git repository`, { path });
}

function pathFinding(rule: string, message: string, evidence: Record<string, unknown>): Finding {
  return { check: "paths", rule, severity: "block", message, evidence };
}
