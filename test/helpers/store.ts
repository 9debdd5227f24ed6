import {
  createRun,
  type Db,
  getRun,
  isStopped,
  type NewRun,
  recordProposal,
  type Run,
  type RunState,
} from "../../src/store/index.ts";

/** A run row for store-level tests: a scripted run of `itemId` from a made-up base, fields as given. */
export function createTestRun(
  db: Db,
  itemId: number,
  fields: Partial<NewRun> = {},
  at?: number,
): Promise<Run> {
  return createRun(
    db,
    {
      itemId,
      agent: "scripted",
      branch: `gaffer/${itemId}`,
      baseBranch: "main",
      baseCommit: "0".repeat(40),
      workspace: "",
      maxFixAttempts: 1,
      owner: "me",
      sandbox: "off",
      ...fields,
    },
    at,
  );
}

/** The head commit test proposals are made at. */
export const TEST_HEAD = "a".repeat(40);

/** A bare proposal of the run at TEST_HEAD: no commits, no evidence, no findings. */
export async function recordTestProposal(db: Db, run: Run): Promise<void> {
  await recordProposal(db, {
    runId: run.id,
    itemId: run.itemId,
    branch: run.branch,
    baseCommit: run.baseCommit,
    headCommit: TEST_HEAD,
    commits: [],
    diffStat: "",
    evidence: [],
    findings: [],
    sandbox: "off",
  });
}

/**
 * Puts a run in `state` straight away, past the state graph: a fixture for tests of what reads
 * runs (the scheduler, reviews, the vault), not of how runs move. No event is recorded.
 */
export async function putRunInState(db: Db, runId: number, state: RunState, at = Date.now()): Promise<Run> {
  await db
    .updateTable("runs")
    .set({ state, updated_at: at, ...(isStopped(state) && { owner: null, ended_at: at }) })
    .where("id", "=", runId)
    .execute();
  return getRun(db, runId);
}
