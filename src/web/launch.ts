import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Project } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import {
  ACTIVE_STATES,
  getItem,
  getRun,
  latestRunsOf,
  listClaims,
  RESUMABLE_STATES,
  setItemState,
} from "../store/index.ts";
import { gafferCommand } from "../util/index.ts";

export interface Launched {
  pid: number;
  /** Where the process's progress lines go. */
  log: string;
}

/**
 * Starts `gaffer run <item>` (with `--resume`: `gaffer run <item> --resume`) as its own process
 * in the project, as a user would in a terminal, so the run is driven by the CLI's own code and
 * outlives the server. Refused while another process holds the item.
 */
async function launchRun(project: Project, itemId: number, resume: boolean): Promise<Launched> {
  const claim = (await listClaims(project.store.db)).find((c) => c.itemId === itemId);
  if (claim)
    throw new GafferError(
      "run-state",
      `item #${itemId} is being worked by ${claim.holder}`,
      "wait for it to finish, or cancel its run",
    );
  const dir = join(project.paths.stateDir, "dashboard");
  mkdirSync(dir, { recursive: true });
  const log = join(dir, `run-item-${itemId}-${Date.now()}.log`);
  const fd = openSync(log, "a");
  try {
    const [command, ...args] = gafferCommand(
      "run",
      String(itemId),
      "--plain",
      ...(resume ? ["--resume"] : []),
    );
    const child = spawn(command as string, args, {
      cwd: project.root,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start gaffer run ${itemId}`);
    return { pid: child.pid, log };
  } finally {
    closeSync(fd);
  }
}

/** Resumes a stopped run as `gaffer run <item> --resume` does: only the item's latest run, once it stopped. */
export async function resumeInBackground(project: Project, runId: number): Promise<Launched> {
  const db = project.store.db;
  const run = await getRun(db, runId);
  const latest = (await latestRunsOf(db, [run.itemId])).get(run.itemId);
  if (latest && latest.id !== run.id)
    throw new GafferError(
      "run-state",
      `run ${run.id} is not item #${run.itemId}'s latest run (run ${latest.id} is)`,
      `resume run ${latest.id} instead`,
    );
  if (!RESUMABLE_STATES.includes(run.state) && run.state !== "failed")
    throw new GafferError(
      "run-state",
      `run ${run.id} is ${run.state}: nothing to resume`,
      "a cancelled, interrupted or failed run can be resumed",
    );
  return launchRun(project, run.itemId, true);
}

export type Requeued = { reopened: number } | ({ started: number } & Launched);

/**
 * Puts an item back to work: a closed or parked item is reopened (as `gaffer issue edit --open`),
 * so the backlog has it again; an open item whose latest run gave up, failed or was discarded gets
 * a fresh run (as `gaffer run <item>`). An item with a run at work, proposed or waiting to be
 * resumed is refused, saying what to do instead.
 */
export async function requeueItem(project: Project, itemId: number): Promise<Requeued> {
  const db = project.store.db;
  const item = await getItem(db, itemId);
  if (item.state !== "open") {
    await setItemState(db, itemId, "open", "re-queued from the dashboard");
    return { reopened: itemId };
  }
  const latest = (await latestRunsOf(db, [itemId])).get(itemId);
  if (!latest)
    throw new GafferError("run-state", `item #${itemId} has no run yet`, "it waits in the backlog already");
  if (RESUMABLE_STATES.includes(latest.state))
    throw new GafferError(
      "run-state",
      `item #${itemId}'s run ${latest.id} is ${latest.state}`,
      `resume run ${latest.id} instead`,
    );
  if (ACTIVE_STATES.includes(latest.state) || latest.state === "proposed")
    throw new GafferError(
      "run-state",
      `item #${itemId}'s run ${latest.id} is ${latest.state}`,
      "re-queue an item once its run gave up, failed or was discarded",
    );
  return { started: itemId, ...(await launchRun(project, itemId, false)) };
}
