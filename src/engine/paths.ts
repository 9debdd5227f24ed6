import { join } from "node:path";

/** Where gaffer keeps a project's state: everything under `.gaffer/`, which git never sees. */
export interface ProjectPaths {
  root: string;
  stateDir: string;
  database: string;
  workspace(runId: number): string;
  runDir(runId: number): string;
  report(runId: number): string;
}

export function projectPaths(root: string): ProjectPaths {
  const stateDir = join(root, ".gaffer");
  return {
    root,
    stateDir,
    database: join(stateDir, "gaffer.db"),
    workspace: (runId) => join(stateDir, "workspaces", `run-${runId}`),
    runDir: (runId) => join(stateDir, "runs", String(runId)),
    report: (runId) => join(stateDir, "runs", String(runId), "failure-report.md"),
  };
}
