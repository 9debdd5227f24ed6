import { createRun, type Db, type NewRun, recordProposal, type Run } from "../../src/store/index.ts";

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
    itemId: run.item_id,
    branch: run.branch,
    baseCommit: run.base_commit,
    headCommit: TEST_HEAD,
    commits: [],
    diffStat: "",
    evidence: [],
    findings: [],
    sandbox: "off",
  });
}
