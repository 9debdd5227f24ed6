import { ACTIVE_STATES, type Db, listRuns, moveRun, type Run } from "../store/index.ts";
import { isOwnerAlive } from "./owner.ts";

/**
 * Marks every active run whose gaffer process is gone as `interrupted` (resumable), so a crash
 * never leaves a run silently stuck. Runs owned by live processes are left alone.
 */
export async function recoverInterruptedRuns(db: Db): Promise<Run[]> {
  const recovered: Run[] = [];
  for (const run of await listRuns(db, { states: ACTIVE_STATES })) {
    if (run.owner && isOwnerAlive(run.owner)) continue;
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
