import { ACTIVE_STATES, type Db, listRuns, moveRun, type Run } from "../store/index.ts";
import { isOwnerAlive } from "./owner.ts";

/**
 * Marks every active run whose gaffer process is gone as `interrupted` (resumable), so a crash
 * never leaves a run silently stuck. Runs owned by live processes are left alone.
 */
export function recoverInterruptedRuns(db: Db): Promise<Run[]> {
  return interruptWhere(db, (run) => !run.owner || !isOwnerAlive(run.owner));
}

/**
 * Marks the active runs `owner` drove as `interrupted`: a worker hosting several runs calls it
 * when one of them ended without ending its run (an error it could not record), since the
 * process, still alive, would never be found gone.
 */
export function interruptRunsOf(db: Db, owner: string): Promise<Run[]> {
  return interruptWhere(db, (run) => run.owner === owner);
}

async function interruptWhere(db: Db, gone: (run: Run) => boolean): Promise<Run[]> {
  const recovered: Run[] = [];
  for (const run of await listRuns(db, { states: ACTIVE_STATES })) {
    if (!gone(run)) continue;
    try {
      recovered.push(
        await moveRun(db, run.id, "interrupt", {
          owner: run.owner,
          set: { owner: null, reason: `gaffer stopped during ${run.state}` },
          data: { during: run.state, attempt: run.attempt, previousOwner: run.owner },
        }),
      );
    } catch {
      // Another process recovered or resumed it first.
    }
  }
  return recovered;
}
