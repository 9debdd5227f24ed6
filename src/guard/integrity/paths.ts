import {
  captureWorktree,
  TREE_DIFF_SUBMODULES,
  workspaceGitBytes,
  type Workspace,
} from "../../workspace/index.ts";
import { splitNul } from "./git-output.ts";
import { pathVerdict, type PathRules } from "./path-rules.ts";
import { GITLINK_MODE, type RawChange, rawDiff } from "./raw-diff.ts";
import { type MisdirectedLink, misdirectedLinks } from "./symlinks.ts";
import { listTree } from "./tree-listing.ts";
import type { Finding } from "./types.ts";

export interface PathsCheckOptions extends PathRules {
  baseCommit: string;
}

/**
 * Every path the run touched — in any of its commits, or left uncommitted (untracked files
 * included, ignored ones not) — must be allowed and not denied; it may leave no nested
 * repository, and no symlink that, followed through the links of the tree, lands outside it
 * or inside `.git` (unless the base already had that link).
 */
export async function checkPaths(ws: Workspace, opts: PathsCheckOptions): Promise<Finding[]> {
  const { head, tree, nestedRepositories } = await captureWorktree(ws);
  const final = await rawDiff(ws, opts.baseCommit, tree);
  const touched = new Set([
    ...final.map(changedPath),
    ...(head ? await committedPaths(ws, opts.baseCommit, head) : []),
  ]);
  const findings = [...touched].sort().flatMap((path) => pathFindings(path, opts));
  const gitlinks = final.filter((change) => change.newMode === GITLINK_MODE).map((change) => change.newPath);
  findings.push(...[...gitlinks, ...nestedRepositories].sort().map(nestedFinding));
  findings.push(...(await newMisdirectedLinks(ws, opts.baseCommit, tree)).map(linkFinding));
  return findings;
}

/** Links of `tree` that land badly, except those the base had with the same target and landing. */
async function newMisdirectedLinks(ws: Workspace, base: string, tree: string): Promise<MisdirectedLink[]> {
  const key = (link: MisdirectedLink) => `${link.path}\0${link.target}\0${link.landing}`;
  const before = new Set(misdirectedLinks(await listTree(ws, base)).map(key));
  return misdirectedLinks(await listTree(ws, tree)).filter((link) => !before.has(key(link)));
}

/** Paths changed by any commit between the base and `head`, even if a later commit undid it. */
async function committedPaths(ws: Workspace, base: string, head: string): Promise<string[]> {
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
  return splitNul(await workspaceGitBytes(ws, args));
}

function changedPath(change: RawChange): string {
  return change.newPath || change.oldPath;
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

function linkFinding(link: MisdirectedLink): Finding {
  const rule = link.landing === "loop" ? "symlink-unresolvable" : "symlink-outside";
  const message = `${link.path} is a symlink to ${link.target}, ${LANDINGS[link.landing]}`;
  return pathFinding(rule, message, { ...link });
}

/** A repository inside the workspace: its commits are not the project's, and its config is the agent's. */
function nestedFinding(path: string): Finding {
  return pathFinding("nested-repository", `${path} is a nested git repository`, { path });
}

function pathFinding(rule: string, message: string, evidence: Record<string, unknown>): Finding {
  return { check: "paths", rule, severity: "block", message, evidence };
}
