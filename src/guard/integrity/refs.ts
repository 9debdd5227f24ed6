import { workspaceGitResult, type Workspace } from "../../workspace/index.ts";
import type { Baseline } from "./baseline.ts";
import { listRefs } from "./baseline.ts";
import { inHistory } from "./git-output.ts";
import type { Finding, Subject } from "./types.ts";

export interface RefsCheckOptions {
  baseline: Baseline;
  /** The run branch, without `refs/heads/`. */
  branch: string;
  baseCommit: string;
}

/**
 * Only the run branch may have moved: every other ref must be as the baseline recorded it, HEAD
 * must still be the run branch, and the run branch must descend from the base commit.
 */
export async function checkRefs(ws: Workspace, subject: Subject, opts: RefsCheckOptions): Promise<Finding[]> {
  const runRef = `refs/heads/${opts.branch}`;
  const findings = compareRefs(opts.baseline.refs, await listRefs(ws), runRef);
  findings.push(...(await checkHead(ws, runRef)));
  findings.push(...(await checkRunBranch(subject, runRef, opts.baseCommit)));
  return findings;
}

function compareRefs(
  before: Record<string, string>,
  after: Record<string, string>,
  runRef: string,
): Finding[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const findings: Finding[] = [];
  // A stash is the agent's local scratch state: allowed by the guard hooks, never published.
  for (const ref of names.filter((name) => name !== runRef && name !== "refs/stash")) {
    const was = before[ref];
    const now = after[ref];
    if (was === now) continue;
    if (was === undefined) findings.push(refFinding("ref-created", `${ref} was created`, { ref, now }));
    else if (now === undefined) findings.push(refFinding("ref-deleted", `${ref} was deleted`, { ref, was }));
    else findings.push(refFinding("ref-moved", `${ref} was moved`, { ref, was, now }));
  }
  return findings;
}

async function checkHead(ws: Workspace, runRef: string): Promise<Finding[]> {
  const result = await workspaceGitResult(ws, ["symbolic-ref", "--quiet", "HEAD"]);
  const head = result.stdout.toString("utf8").trim();
  if (result.exitCode !== 0) {
    const detached = await workspaceGitResult(ws, ["rev-parse", "--verify", "--quiet", "HEAD"]);
    const at = detached.exitCode === 0 ? detached.stdout.toString("utf8").trim() : null;
    return [
      refFinding("head-detached", `HEAD is detached instead of on ${runRef}`, { expected: runRef, at }),
    ];
  }
  if (head === runRef) return [];
  return [
    refFinding("head-switched", `HEAD points at ${head} instead of ${runRef}`, { expected: runRef, head }),
  ];
}

async function checkRunBranch(subject: Subject, runRef: string, baseCommit: string): Promise<Finding[]> {
  const tip = subject.tip;
  if (!tip) return [refFinding("branch-missing", `the run branch ${runRef} is gone`, { ref: runRef })];
  if (await inHistory(subject.objects, baseCommit, tip)) return [];
  return [
    refFinding("branch-not-descendant", `${runRef} does not descend from the base commit ${baseCommit}`, {
      ref: runRef,
      tip,
      baseCommit,
    }),
  ];
}

function refFinding(rule: string, message: string, evidence: Record<string, unknown>): Finding {
  return { check: "refs", rule, severity: "block", message, evidence };
}
