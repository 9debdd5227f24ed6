import { posix } from "node:path";
import { captureWorktree, workspaceGitBytes, type Workspace } from "../../workspace/index.ts";
import { splitNul } from "./git-output.ts";
import { pathVerdict, type PathRules } from "./path-rules.ts";
import { type RawChange, rawDiff, SYMLINK_MODE } from "./raw-diff.ts";
import type { Finding } from "./types.ts";

export interface PathsCheckOptions extends PathRules {
  baseCommit: string;
}

/**
 * Every path the run touched — in any of its commits, or left uncommitted (untracked files
 * included, ignored ones not) — must be allowed and not denied; no symlink it leaves may point
 * outside the worktree.
 */
export async function checkPaths(ws: Workspace, opts: PathsCheckOptions): Promise<Finding[]> {
  const { head, tree } = await captureWorktree(ws);
  const final = await rawDiff(ws, opts.baseCommit, tree);
  const touched = new Set([
    ...final.map(changedPath),
    ...(head ? await committedPaths(ws, opts.baseCommit, head) : []),
  ]);
  const findings = [...touched].sort().flatMap((path) => pathFindings(path, opts));
  for (const change of final.filter((entry) => entry.newMode === SYMLINK_MODE)) {
    const target = (await workspaceGitBytes(ws, ["cat-file", "blob", change.newOid])).toString("utf8");
    if (pointsOutside(change.newPath, target)) {
      findings.push(
        pathFinding("symlink-outside", `${change.newPath} is a symlink to ${target}, outside the workspace`, {
          path: change.newPath,
          target,
        }),
      );
    }
  }
  return findings;
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

/** Absolute targets, and relative ones that climb out of the worktree or into `.git`. */
function pointsOutside(path: string, target: string): boolean {
  if (posix.isAbsolute(target)) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  return [resolved, `${resolved}/`].some(
    (candidate) => candidate.startsWith("../") || candidate.startsWith(".git/"),
  );
}

function pathFinding(rule: string, message: string, evidence: Record<string, unknown>): Finding {
  return { check: "paths", rule, severity: "block", message, evidence };
}
