import { posix } from "node:path";
import { type ObjectReader, readBytes, readText } from "../../workspace/index.ts";
import { splitNul } from "./git-output.ts";
import { matchesAnyGlob } from "./glob.ts";
import { rawDiff, SYMLINK_MODE } from "./raw-diff.ts";
import type { Finding, Subject } from "./types.ts";

/** What no run may change, whatever its allowPaths: gaffer's own config and state. */
export const DEFAULT_DENY_PATHS: readonly string[] = [".git/**", ".gaffer/**", "gaffer.toml"];

export interface PathsCheckOptions {
  baseCommit: string;
  /** Globs (see glob.ts); empty allows every path. */
  allowPaths: readonly string[];
  denyPaths: readonly string[];
}

/**
 * Every path the run touched — in any of its commits, the last of which holds what the agent left
 * uncommitted (untracked files included, ignored ones not) — must be allowed and not denied; no
 * symlink in any of its commits may point outside the worktree, even one a later commit removed.
 */
export async function checkPaths(subject: Subject, opts: PathsCheckOptions): Promise<Finding[]> {
  const touched = new Set(await committedPaths(subject.objects, opts.baseCommit, subject.head));
  const findings = [...touched].sort().flatMap((path) => pathFindings(path, opts));
  const seen = new Set<string>();
  for (const commit of await commitsBetween(subject.objects, opts.baseCommit, subject.head)) {
    const links = (await rawDiff(subject.objects, opts.baseCommit, commit)).filter(
      (entry) => entry.newMode === SYMLINK_MODE && !seen.has(`${entry.newPath}\0${entry.newOid}`),
    );
    for (const change of links) {
      seen.add(`${change.newPath}\0${change.newOid}`);
      const target = (await readBytes(subject.objects, ["cat-file", "blob", change.newOid])).toString("utf8");
      if (!pointsOutside(change.newPath, target)) continue;
      const where = commit === subject.head ? "" : ` (in commit ${commit})`;
      findings.push(
        pathFinding(
          "symlink-outside",
          `${change.newPath} is a symlink to ${target}, outside the workspace${where}`,
          { path: change.newPath, target, commit },
        ),
      );
    }
  }
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
    `${base}..${head}`,
  ];
  return splitNul(await readBytes(objects, args));
}

function pathFindings(path: string, opts: PathsCheckOptions): Finding[] {
  if (matchesAnyGlob(path, opts.denyPaths)) {
    return [
      pathFinding("path-denied", `${path} may not be changed by a run`, { path, denyPaths: opts.denyPaths }),
    ];
  }
  if (opts.allowPaths.length > 0 && !matchesAnyGlob(path, opts.allowPaths)) {
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
