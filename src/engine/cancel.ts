import { hostname } from "node:os";
import { GafferError } from "../errors.ts";
import { ACTIVE_STATES, getRun, type Run } from "../store/index.ts";
import { isOwnerAlive } from "./owner.ts";
import type { Project } from "./project.ts";

/**
 * Asks the process driving a run to cancel it, as Ctrl-C in its terminal does: SIGTERM to its owner
 * (`gaffer run` or a factory role process), which stops the agent, keeps the workspace and records
 * that it was cancelled. Returns at once; the run's events say when it stopped.
 */
export async function requestCancel(project: Project, runId: number): Promise<Run> {
  const run = await getRun(project.store.db, runId);
  if (!ACTIVE_STATES.includes(run.state)) {
    throw new GafferError(
      "run-state",
      `run ${runId} is ${run.state}, not at work`,
      "only a working run can be cancelled",
    );
  }
  const [host, pid] = run.owner?.split(":") ?? [];
  if (run.owner === null || host !== hostname() || !isOwnerAlive(run.owner)) {
    throw new GafferError(
      "run-state",
      `run ${runId} has no live process on this machine to stop`,
      "`gaffer down` cleans up after a dead one; `gaffer status` shows what is running",
    );
  }
  process.kill(Number(pid), "SIGTERM");
  return run;
}
