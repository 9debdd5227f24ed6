import { setTimeout as sleep } from "node:timers/promises";
import { isOwnerAlive, recoverInterruptedRuns } from "../engine/index.ts";
import { removeOrphanedRuntimeDirs } from "../sandbox/index.ts";
import { type Db, listClaims, releaseClaim } from "../store/index.ts";
import { killGroup } from "../util/index.ts";
import { factoryDirs } from "./children.ts";
import { readPidFiles, removePidFile } from "./pid-files.ts";

/** What supervisors that are gone left behind and was cleaned up (their runs are interrupted too). */
export interface Leftovers {
  /** Role processes still running, killed with everything in their process groups. */
  killed: number;
  /** Claims whose holder is gone, given back. */
  released: number;
}

/** How long killed role processes get to be gone before their runs are recovered anyway. */
const GONE_TIMEOUT_MS = 10_000;

/**
 * Cleans up after supervisors that are gone: kills the role processes their pid files name, waits
 * until they are gone (a run is recovered only once its owner is), marks the runs of dead owners
 * interrupted, gives back the claims of dead holders, and removes sandbox runtime directories that
 * dead processes left in the temp directory. A live `gaffer run` keeps its claim and its run.
 */
export async function cleanUpLeftovers(db: Db, stateDir: string, reason: string): Promise<Leftovers> {
  const killed = await killRoleProcesses(factoryDirs(stateDir).pids);
  await recoverInterruptedRuns(db);
  let released = 0;
  for (const claim of await listClaims(db)) {
    // A holder is `<owner token>/…`: the supervisor that claimed, or the `gaffer run` process.
    if (isOwnerAlive(claim.holder.split("/")[0] ?? "")) continue;
    await releaseClaim(db, claim.itemId, claim.holder, reason);
    released += 1;
  }
  removeOrphanedRuntimeDirs();
  return { killed, released };
}

async function killRoleProcesses(dir: string): Promise<number> {
  const files = readPidFiles(dir);
  const live = files.filter((file) => file.alive);
  for (const file of live) killGroup(file.pid, "SIGKILL");
  for (const deadline = Date.now() + GONE_TIMEOUT_MS; Date.now() < deadline; await sleep(20)) {
    if (!live.some((file) => isOwnerAlive(file.owner))) break;
  }
  for (const file of files) if (!isOwnerAlive(file.owner)) removePidFile(dir, file.name);
  return live.length;
}
