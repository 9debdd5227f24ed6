import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { GafferError } from "../errors.ts";
import { ACTIVE_STATES, getRun, type Run } from "../store/index.ts";
import { isHostedOwner, isOwnerAlive } from "./owner.ts";
import type { ProjectPaths } from "./paths.ts";
import type { Project } from "./project.ts";

/**
 * Asks the process driving a run to cancel it, as Ctrl-C in its terminal does: SIGTERM to its owner
 * (`gaffer run` or a factory role process), which stops the agent, keeps the workspace and records
 * that it was cancelled. A worker hosting several runs gets a request naming the run and SIGUSR1
 * instead, so its other runs go on. Returns at once; the run's events say when it stopped.
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
  if (isHostedOwner(run.owner)) {
    const request = project.paths.cancelRequest(run.owner);
    mkdirSync(dirname(request), { recursive: true });
    writeFileSync(request, "");
    process.kill(Number(pid), CANCEL_HOSTED_SIGNAL);
  } else process.kill(Number(pid), "SIGTERM");
  return run;
}

/** The signal that tells a worker hosting several runs to look for cancel requests. */
export const CANCEL_HOSTED_SIGNAL = "SIGUSR1";

/** Whether someone asked to cancel the run `owner` drives; the request is taken (removed). */
export function takeCancelRequest(paths: ProjectPaths, owner: string): boolean {
  try {
    rmSync(paths.cancelRequest(owner));
    return true;
  } catch {
    return false;
  }
}
