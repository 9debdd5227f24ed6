import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** Where gaffer keeps a project's state: everything under `.gaffer/`, which git never sees. */
export interface ProjectPaths {
  root: string;
  stateDir: string;
  database: string;
  workspace(runId: number): string;
  runDir(runId: number): string;
  report(runId: number): string;
  /** The run's evidence repository: the agent's work as gaffer verified and recorded it. */
  evidence(runId: number): string;
  /** The warm pool: clones kept ready for runs to take (`[workspace] warm`). */
  warm: string;
  /** Where each gate runs: a fresh checkout of the tree it judges, with its own HOME and /tmp. */
  gate(runId: number): string;
  /**
   * A request to cancel the run `owner` drives, for a worker hosting several runs (see cancel.ts):
   * named by the owner, so a request nobody took never reaches the run's next owner.
   */
  cancelRequest(owner: string): string;
}

export function projectPaths(root: string): ProjectPaths {
  const stateDir = join(root, ".gaffer");
  return {
    root,
    stateDir,
    database: join(stateDir, "gaffer.db"),
    workspace: (runId) => join(stateDir, "workspaces", `run-${runId}`),
    warm: join(stateDir, "warm"),
    runDir: (runId) => join(stateDir, "runs", String(runId)),
    report: (runId) => join(stateDir, "runs", String(runId), "failure-report.md"),
    evidence: (runId) => join(stateDir, "runs", String(runId), "evidence.git"),
    gate: (runId) => join(stateDir, "runs", String(runId), "gate"),
    cancelRequest: (owner) =>
      join(stateDir, "cancel", createHash("sha256").update(owner).digest("hex").slice(0, 32)),
  };
}

/**
 * The highest run id that has state on disk (a run directory or a workspace), 0 when none: a new
 * run must never get one of these ids, even if the store lost the run that had it.
 */
export function highestRunIdOnDisk(paths: ProjectPaths): number {
  const ids = [
    ...names(join(paths.stateDir, "runs")).map((name) => /^(\d+)$/.exec(name)?.[1]),
    ...names(join(paths.stateDir, "workspaces")).map((name) => /^run-(\d+)$/.exec(name)?.[1]),
  ];
  return Math.max(0, ...ids.filter((id) => id !== undefined).map(Number));
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
