import { createRun, type Db, type NewRun, type Run } from "../../src/store/index.ts";

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
