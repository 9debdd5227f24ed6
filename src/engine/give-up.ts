import { getItem, getRun, moveRun, RESUMABLE_STATES, type Run } from "../store/index.ts";
import type { Project } from "./project.ts";
import { recoverInterruptedRuns } from "./recover.ts";
import { writeFailureReport } from "./report.ts";
import { removeSandboxState } from "./sandbox-state.ts";

/**
 * Ends a run that stopped (cancelled or interrupted) as given up, with a failure report: the
 * supervisor's last word on a run that kept stalling. Its workspace is kept; its sandbox's
 * private files (/tmp, HOME, /dev/shm, agent state) go.
 */
export async function giveUpRun(project: Project, runId: number, reason: string): Promise<Run> {
  const db = project.store.db;
  await recoverInterruptedRuns(db);
  const run = await getRun(db, runId);
  if (!RESUMABLE_STATES.includes(run.state)) return run;
  const report = await writeFailureReport(project, run, await getItem(db, run.itemId), reason);
  const ended = await moveRun(db, runId, "abandon", {
    set: { reason, reportPath: report, owner: null },
    data: { reason, report },
  });
  await removeSandboxState(project.paths.runDir(runId));
  return ended;
}
